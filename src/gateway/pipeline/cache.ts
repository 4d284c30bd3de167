import { createHash } from 'node:crypto';

/** Where cached answers live: a bounded in-memory LRU, or Redis shared by every process. */
export interface CacheStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
}

/** An LRU of at most `maxEntries`, each expiring after its TTL. */
export function memoryCacheStore(maxEntries: number, now: () => number = Date.now): CacheStore {
  const entries = new Map<string, { value: string; expires: number }>();
  return {
    async get(key) {
      const e = entries.get(key);
      if (!e) return undefined;
      entries.delete(key);
      if (e.expires <= now()) return undefined;
      entries.set(key, e); // most recently used goes to the back
      return e.value;
    },
    async set(key, value, ttlMs) {
      entries.delete(key);
      while (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { value, expires: now() + ttlMs });
    },
  };
}

// Fields that do not change the answer: the cached answer serves requests that differ only here.
const IGNORED = new Set(['stream', 'stream_options', 'user', 'metadata', 'store']);

function canonical(v: unknown, top: boolean): string {
  if (Array.isArray(v)) return `[${v.map((x) => canonical(x, false)).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v)
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined && !(top && IGNORED.has(k)))
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k], false)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * The exact-match key of a request: a hash of the project, the operation and the request with its
 * keys sorted (so field order does not matter) and answer-neutral fields left out.
 */
export function cacheKey(projectId: string, operation: string, req: object): string {
  return createHash('sha256').update(`${projectId}\u0000${operation}\u0000${canonical(req, true)}`).digest('base64url');
}
