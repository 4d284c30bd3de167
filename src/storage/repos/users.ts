import { and, asc, eq, gt, lt, sql } from 'drizzle-orm';
import { errors } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import * as schema from '../schema.js';
import type { Db } from './admin.js';

export const ROLES = ['owner', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  orgId: string;
  email: string;
  name: string | null;
  role: Role;
  createdAt: Date;
}

/** A live session joined with its user. */
export interface SessionRecord {
  tokenHash: string;
  csrfToken: string;
  expiresAt: Date;
  lastSeenAt: Date;
  user: User;
}

const asRole = (r: string): Role => ((ROLES as readonly string[]).includes(r) ? (r as Role) : 'viewer');
const pub = {
  id: schema.users.id,
  orgId: schema.users.orgId,
  email: schema.users.email,
  name: schema.users.name,
  role: schema.users.role,
  createdAt: schema.users.createdAt,
};
const toUser = (r: { id: string; orgId: string; email: string; name: string | null; role: string; createdAt: Date }): User => ({ ...r, role: asRole(r.role) });

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string; cause?: { code?: string } }).code ?? (e as { cause?: { code?: string } }).cause?.code;
  return code === '23505';
}

/** Dashboard users; emails are unique regardless of case. The password hash never leaves this repo except via passwordHash(). */
export function usersRepo(db: Db) {
  return {
    async create(input: { orgId: string; email: string; name?: string | null | undefined; passwordHash: string; role: Role }): Promise<User> {
      try {
        const [row] = await db
          .insert(schema.users)
          .values({ id: newId(), orgId: input.orgId, email: input.email.trim(), name: input.name ?? null, passwordHash: input.passwordHash, role: input.role })
          .returning(pub);
        return toUser(row!);
      } catch (e) {
        if (isUniqueViolation(e)) throw errors.conflict(`A user with email "${input.email}" already exists`);
        throw e;
      }
    },
    async count(): Promise<number> {
      const rows = await db.select({ n: sql<number>`count(*)::int` }).from(schema.users);
      return rows[0]?.n ?? 0;
    },
    async get(id: string): Promise<User | undefined> {
      const rows = await db.select(pub).from(schema.users).where(eq(schema.users.id, id));
      return rows[0] && toUser(rows[0]);
    },
    /** The user and stored password hash for a sign-in attempt (case-insensitive email). */
    async forLogin(email: string): Promise<{ user: User; passwordHash: string | null } | undefined> {
      const rows = await db
        .select({ ...pub, passwordHash: schema.users.passwordHash })
        .from(schema.users)
        .where(sql`lower(${schema.users.email}) = lower(${email.trim()})`);
      const r = rows[0];
      if (!r) return undefined;
      const { passwordHash, ...user } = r;
      return { user: toUser(user), passwordHash };
    },
    async list(orgId: string): Promise<User[]> {
      return (await db.select(pub).from(schema.users).where(eq(schema.users.orgId, orgId)).orderBy(asc(schema.users.createdAt))).map(toUser);
    },
  };
}

/** Sessions keyed by the SHA-256 of their token. */
export function sessionsRepo(db: Db) {
  return {
    async create(input: { tokenHash: string; userId: string; csrfToken: string; expiresAt: Date }): Promise<void> {
      await db.insert(schema.sessions).values(input);
    },
    /** The unexpired session with this token hash, with its user. */
    async find(tokenHash: string, now: Date = new Date()): Promise<SessionRecord | undefined> {
      const rows = await db
        .select({ tokenHash: schema.sessions.tokenHash, csrfToken: schema.sessions.csrfToken, expiresAt: schema.sessions.expiresAt, lastSeenAt: schema.sessions.lastSeenAt, user: pub })
        .from(schema.sessions)
        .innerJoin(schema.users, eq(schema.users.id, schema.sessions.userId))
        .where(and(eq(schema.sessions.tokenHash, tokenHash), gt(schema.sessions.expiresAt, now)));
      const r = rows[0];
      return r && { ...r, user: toUser(r.user) };
    },
    /** Slide the expiry forward. */
    async extend(tokenHash: string, expiresAt: Date, now: Date = new Date()): Promise<void> {
      await db.update(schema.sessions).set({ expiresAt, lastSeenAt: now }).where(eq(schema.sessions.tokenHash, tokenHash));
    },
    async delete(tokenHash: string): Promise<void> {
      await db.delete(schema.sessions).where(eq(schema.sessions.tokenHash, tokenHash));
    },
    /** Drop sessions past their expiry; returns how many. */
    async purgeExpired(now: Date = new Date()): Promise<number> {
      const rows = await db.delete(schema.sessions).where(lt(schema.sessions.expiresAt, now)).returning({ h: schema.sessions.tokenHash });
      return rows.length;
    },
  };
}

/** First-owner setup tokens (hashes only). */
export function setupTokensRepo(db: Db) {
  return {
    async add(tokenHash: string): Promise<void> {
      await db.insert(schema.setupTokens).values({ tokenHash }).onConflictDoNothing();
    },
    async exists(tokenHash: string): Promise<boolean> {
      return (await db.select({ h: schema.setupTokens.tokenHash }).from(schema.setupTokens).where(eq(schema.setupTokens.tokenHash, tokenHash))).length > 0;
    },
    /** Use a token up: true when it existed (atomic, so two requests cannot both use it). */
    async consume(tokenHash: string): Promise<boolean> {
      return (await db.delete(schema.setupTokens).where(eq(schema.setupTokens.tokenHash, tokenHash)).returning({ h: schema.setupTokens.tokenHash })).length > 0;
    },
    async clear(): Promise<void> {
      await db.delete(schema.setupTokens);
    },
  };
}

export type UsersRepo = ReturnType<typeof usersRepo>;
export type SessionsRepo = ReturnType<typeof sessionsRepo>;
export type SetupTokensRepo = ReturnType<typeof setupTokensRepo>;
