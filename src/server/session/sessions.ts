// Dashboard sessions: a random token in an HttpOnly cookie, stored only as its SHA-256, with a CSRF
// token per session. Expiry slides with use; lookups are cached briefly like API keys.
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import type { SessionRecord, Store, User } from '../../storage/index.js';
import { readCookie } from './cookies.js';

type Headers = Record<string, string | string[] | undefined>;

/** A signed-in user's session as routes see it. */
export interface ActiveSession {
  user: User;
  csrfToken: string;
}

export interface SessionOptions {
  ttlMs: number;
  /** How long a looked-up session is trusted before it is read again (a logout elsewhere takes this long). */
  cacheMs?: number | undefined;
  logger: Logger;
  now?: () => number;
}

/** SHA-256 (hex) of a token: what the store keeps. */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Creates, resolves (sliding the expiry) and destroys sessions. */
export function createSessions(store: Pick<Store, 'sessions'>, opts: SessionOptions) {
  const now = opts.now ?? Date.now;
  const cacheMs = opts.cacheMs ?? 2000;
  // Writing the new expiry on every request would cost a write per page load; once a minute is plenty.
  const slideEveryMs = Math.min(60_000, opts.ttlMs / 10);
  const cache = new Map<string, { rec: SessionRecord | undefined; expires: number }>();
  const purge = setInterval(() => void store.sessions.purgeExpired(new Date(now())).catch((e: unknown) => opts.logger.warn({ err: e }, 'could not purge expired sessions')), 3_600_000);
  purge.unref();

  async function lookup(hash: string): Promise<SessionRecord | undefined> {
    const hit = cache.get(hash);
    if (hit && hit.expires > now()) return hit.rec && hit.rec.expiresAt.getTime() > now() ? hit.rec : undefined;
    const rec = await store.sessions.find(hash, new Date(now()));
    if (cacheMs > 0) {
      if (cache.size > 10_000) cache.clear();
      cache.set(hash, { rec, expires: now() + cacheMs });
    }
    return rec;
  }

  async function resolve(token: string): Promise<ActiveSession | undefined> {
    if (token.length > 200) return undefined;
    const hash = tokenHash(token);
    const rec = await lookup(hash);
    if (!rec) return undefined;
    const t = now();
    if (t - rec.lastSeenAt.getTime() >= slideEveryMs) {
      rec.lastSeenAt = new Date(t);
      rec.expiresAt = new Date(t + opts.ttlMs);
      await store.sessions.extend(hash, rec.expiresAt, rec.lastSeenAt).catch((e: unknown) => opts.logger.warn({ err: e }, 'could not extend a session'));
    }
    return { user: rec.user, csrfToken: rec.csrfToken };
  }

  return {
    ttlMs: opts.ttlMs,
    /** Start a session for a user; the token goes into the cookie and nowhere else. */
    async create(userId: string): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
      const token = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const expiresAt = new Date(now() + opts.ttlMs);
      await store.sessions.create({ tokenHash: tokenHash(token), userId, csrfToken, expiresAt });
      return { token, csrfToken, expiresAt };
    },
    /** The live session for a token, sliding its expiry forward; undefined when unknown or expired. */
    resolve,
    /** The session named by the request's cookie, if any. */
    async fromHeaders(headers: Headers): Promise<ActiveSession | undefined> {
      const token = readCookie(headers);
      return token ? resolve(token) : undefined;
    },
    async destroy(token: string): Promise<void> {
      const hash = tokenHash(token);
      cache.delete(hash);
      await store.sessions.delete(hash);
    },
    close(): void {
      clearInterval(purge);
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
