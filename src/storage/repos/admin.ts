import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { apiKeyDisplayPrefix, hashApiKey, newApiKey, newId, slugify } from '../../core/ids.js';
import { errors } from '../../core/errors.js';
import * as schema from '../schema.js';

export type Db = NodePgDatabase<typeof schema>;

export interface Organization {
  id: string;
  name: string;
  slug: string;
  plan: string;
  createdAt: Date;
}

export interface Project {
  id: string;
  orgId: string;
  name: string;
  slug: string;
  createdAt: Date;
}

export interface ApiKeyRecord {
  id: string;
  projectId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string; cause?: { code?: string } }).code ?? (e as { cause?: { code?: string } }).cause?.code;
  return code === '23505';
}

/** Organizations: the accounts that own projects. */
export function organizationsRepo(db: Db) {
  return {
    async create(input: { name: string; slug?: string | undefined }): Promise<Organization> {
      const row = { id: newId(), name: input.name, slug: input.slug ?? slugify(input.name) };
      try {
        const [org] = await db.insert(schema.organizations).values(row).returning();
        return org!;
      } catch (e) {
        if (isUniqueViolation(e)) throw errors.conflict(`An organization with slug "${row.slug}" already exists`);
        throw e;
      }
    },
    async list(): Promise<Organization[]> {
      return db.select().from(schema.organizations).orderBy(asc(schema.organizations.createdAt));
    },
    /** Find by id or slug. */
    async find(ref: string): Promise<Organization | undefined> {
      const byId = await db.select().from(schema.organizations).where(eq(schema.organizations.id, ref));
      if (byId[0]) return byId[0];
      const bySlug = await db.select().from(schema.organizations).where(eq(schema.organizations.slug, ref));
      return bySlug[0];
    },
  };
}

/** Projects: one RAG system each; every trace and key belongs to exactly one. */
export function projectsRepo(db: Db) {
  return {
    async create(input: { orgId: string; name: string; slug?: string | undefined }): Promise<Project> {
      const row = { id: newId(), orgId: input.orgId, name: input.name, slug: input.slug ?? slugify(input.name) };
      try {
        const [p] = await db.insert(schema.projects).values(row).returning();
        return p!;
      } catch (e) {
        if (isUniqueViolation(e)) throw errors.conflict(`A project with slug "${row.slug}" already exists in this organization`);
        throw e;
      }
    },
    async list(orgId?: string): Promise<Project[]> {
      const q = db.select().from(schema.projects);
      return (orgId ? q.where(eq(schema.projects.orgId, orgId)) : q).orderBy(asc(schema.projects.createdAt));
    },
    async get(id: string): Promise<Project | undefined> {
      const rows = await db.select().from(schema.projects).where(eq(schema.projects.id, id));
      return rows[0];
    },
    /** Find by id, or by slug (unique only within an organization: the first match wins). */
    async find(ref: string): Promise<Project | undefined> {
      const byId = await this.get(ref);
      if (byId) return byId;
      const bySlug = await db
        .select()
        .from(schema.projects)
        .where(eq(schema.projects.slug, ref))
        .orderBy(asc(schema.projects.createdAt));
      return bySlug[0];
    },
  };
}

/** API keys: stored as SHA-256 hashes; the plaintext exists only in the create() result. */
export function apiKeysRepo(db: Db) {
  const pub = {
    id: schema.apiKeys.id,
    projectId: schema.apiKeys.projectId,
    name: schema.apiKeys.name,
    prefix: schema.apiKeys.prefix,
    createdAt: schema.apiKeys.createdAt,
    lastUsedAt: schema.apiKeys.lastUsedAt,
    revokedAt: schema.apiKeys.revokedAt,
  };
  return {
    async create(input: { projectId: string; name?: string | undefined }): Promise<{ key: string; record: ApiKeyRecord }> {
      const key = newApiKey();
      const [record] = await db
        .insert(schema.apiKeys)
        .values({
          id: newId(),
          projectId: input.projectId,
          name: input.name ?? 'default',
          keyHash: hashApiKey(key),
          prefix: apiKeyDisplayPrefix(key),
        })
        .returning(pub);
      return { key, record: record! };
    },
    async list(projectId: string): Promise<ApiKeyRecord[]> {
      return db.select(pub).from(schema.apiKeys).where(eq(schema.apiKeys.projectId, projectId)).orderBy(asc(schema.apiKeys.createdAt));
    },
    /** Revoke by key id; returns the record, or undefined when there is no such key. */
    async revoke(id: string, at: Date = new Date()): Promise<ApiKeyRecord | undefined> {
      const rows = await db
        .update(schema.apiKeys)
        .set({ revokedAt: at })
        .where(and(eq(schema.apiKeys.id, id), isNull(schema.apiKeys.revokedAt)))
        .returning(pub);
      if (rows[0]) return rows[0];
      const existing = await db.select(pub).from(schema.apiKeys).where(eq(schema.apiKeys.id, id));
      return existing[0];
    },
    /** Look a presented key up by its hash. */
    async findByKey(key: string): Promise<ApiKeyRecord | undefined> {
      const rows = await db.select(pub).from(schema.apiKeys).where(eq(schema.apiKeys.keyHash, hashApiKey(key)));
      return rows[0];
    },
    /** Record that keys were used (batched by the caller, so hot paths do not write per request). */
    async touch(ids: string[], at: Date): Promise<void> {
      if (ids.length === 0) return;
      await db.update(schema.apiKeys).set({ lastUsedAt: at }).where(inArray(schema.apiKeys.id, ids));
    },
  };
}
