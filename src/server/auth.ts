import { errors } from '../core/errors.js';
import { API_KEY_PREFIX } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { ApiKeyRecord, Role, Store } from '../storage/index.js';
import { readCookie } from './session/cookies.js';
import type { ActiveSession } from './session/sessions.js';

export interface Principal {
  keyId: string;
  project: { id: string; slug: string; orgId: string; name: string };
  /** Set when a dashboard session (not an API key) authenticated the request. */
  user?: { id: string; role: Role };
}

interface Cached {
  principal: Principal | undefined;
  revokedAt: Date | null;
  expires: number;
}

export interface KeyAuthOptions {
  /** How long a looked-up key is trusted before it is read again (revocations by other processes take this long). */
  cacheMs?: number;
  /** How often last-used times are written. */
  touchEveryMs?: number;
  logger: Logger;
  /** Dashboard sessions: a request with no API key but a session cookie is authenticated by them. */
  sessions?: { fromHeaders(headers: Record<string, string | string[] | undefined>): Promise<ActiveSession | undefined> };
}

/** Extract the presented key from `X-API-Key` or `Authorization: Bearer`. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const x = headers['x-api-key'];
  if (typeof x === 'string' && x.trim()) return x.trim();
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m?.[1]) return m[1].trim();
  }
  return undefined;
}

/**
 * Resolves API keys to principals. Lookups are cached briefly so the hot path rarely touches the
 * store; last-used times are gathered and written in the background.
 */
export function createKeyAuth(store: Pick<Store, 'apiKeys' | 'projects'>, opts: KeyAuthOptions) {
  const cacheMs = opts.cacheMs ?? 2000;
  const cache = new Map<string, Cached>();
  const used = new Set<string>();
  const timer = setInterval(() => void flushTouches(), opts.touchEveryMs ?? 15_000);
  timer.unref();

  async function flushTouches(): Promise<void> {
    if (used.size === 0) return;
    const ids = [...used];
    used.clear();
    await store.apiKeys.touch(ids, new Date()).catch((e: unknown) => opts.logger.warn({ err: e }, 'could not record key use'));
  }

  async function load(key: string): Promise<Cached> {
    const rec: ApiKeyRecord | undefined = await store.apiKeys.findByKey(key);
    if (!rec) return { principal: undefined, revokedAt: null, expires: Date.now() + cacheMs };
    const project = await store.projects.get(rec.projectId);
    const principal = project
      ? { keyId: rec.id, project: { id: project.id, slug: project.slug, orgId: project.orgId, name: project.name } }
      : undefined;
    return { principal, revokedAt: rec.revokedAt, expires: Date.now() + cacheMs };
  }

  /** A session acts on the project named by X-Aether-Project (id or slug), within the user's organization. */
  async function sessionPrincipal(headers: Record<string, string | string[] | undefined>, sessions: NonNullable<KeyAuthOptions['sessions']>): Promise<Principal> {
    const s = await sessions.fromHeaders(headers);
    if (!s) throw errors.unauthorized('Your session has expired or was signed out: sign in again');
    const raw = headers['x-aether-project'];
    const ref = (Array.isArray(raw) ? raw[0] : raw)?.trim();
    if (!ref) throw errors.badRequest('Send the X-Aether-Project header (project id or slug) with requests made through a session', 'project_required');
    const byId = await store.projects.get(ref);
    const project = byId?.orgId === s.user.orgId ? byId : (await store.projects.list(s.user.orgId)).find((p) => p.slug === ref);
    if (!project) throw errors.notFound(`No project "${ref}" in your organization`);
    return { keyId: `user:${s.user.id}`, project: { id: project.id, slug: project.slug, orgId: project.orgId, name: project.name }, user: { id: s.user.id, role: s.user.role } };
  }

  return {
    /** Authenticate request headers (an API key, else a dashboard session) or throw a 401 that says what to do. */
    async authenticate(headers: Record<string, string | string[] | undefined>): Promise<Principal> {
      const key = presentedKey(headers);
      if (!key && opts.sessions && readCookie(headers)) return sessionPrincipal(headers, opts.sessions);
      if (!key) {
        throw errors.unauthorized('Missing API key: send it as the X-API-Key header or as Authorization: Bearer <key>');
      }
      if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) {
        throw errors.unauthorized(`Malformed API key: Aether keys start with "${API_KEY_PREFIX}"`);
      }
      let entry = cache.get(key);
      if (!entry || entry.expires < Date.now()) {
        entry = await load(key);
        if (cache.size > 10_000) cache.clear();
        cache.set(key, entry);
      }
      if (entry.revokedAt) {
        throw errors.unauthorized(`This API key was revoked at ${entry.revokedAt.toISOString()}; create a new one with \`aether keys create\``);
      }
      if (!entry.principal) throw errors.unauthorized('Unknown API key: check it, or create one with `aether keys create`');
      used.add(entry.principal.keyId);
      return entry.principal;
    },
    /** Forget cached lookups (after a revocation in this process). */
    invalidate(): void {
      cache.clear();
    },
    async close(): Promise<void> {
      clearInterval(timer);
      await flushTouches();
    },
  };
}

export type KeyAuth = ReturnType<typeof createKeyAuth>;
