import { AetherError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { LangfuseRepo, Store } from '../storage/index.js';
import type { Principal } from './auth.js';

interface Cached {
  principal: Principal | undefined;
  revokedAt: Date | null;
  expires: number;
}

/** A 401 as Langfuse answers it (the SDKs read `message`). */
export const langfuseUnauthorized = (message: string) => new AetherError(401, 'UnauthorizedError', message);

const HOW = 'send HTTP Basic auth with the public key (pk-lf-…) as user and the secret key (sk-lf-…) as password; create a pair with `aether keys create --langfuse --project <ref>`';

/** Parse `Authorization: Basic base64(pk:sk)`; throws the 401 the Langfuse SDKs expect for anything else. */
export function basicCredentials(headers: Record<string, string | string[] | undefined>): { publicKey: string; secretKey: string } {
  const auth = headers.authorization;
  if (typeof auth !== 'string' || !auth.trim()) throw langfuseUnauthorized(`No authorization header: ${HOW}`);
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(auth.trim());
  if (!m) {
    if (/^Bearer\s+pk-lf-/i.test(auth.trim())) throw langfuseUnauthorized(`A public key alone is not enough here: ${HOW}`);
    throw langfuseUnauthorized(`Unsupported authorization scheme: ${HOW}`);
  }
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = text.indexOf(':');
  const publicKey = i > 0 ? text.slice(0, i) : '';
  const secretKey = i > 0 ? text.slice(i + 1) : '';
  if (!publicKey.startsWith('pk-lf-') || !secretKey.startsWith('sk-lf-') || text.length > 400) {
    throw langfuseUnauthorized(`Invalid credentials: ${HOW}`);
  }
  return { publicKey, secretKey };
}

/** Authenticates Langfuse key pairs (only the /api/public routes accept them). Lookups are cached briefly. */
export function createLangfuseAuth(repo: Pick<LangfuseRepo, 'verify' | 'touchKeys'>, store: Pick<Store, 'projects'>, opts: { cacheMs?: number; logger: Logger }) {
  const cacheMs = opts.cacheMs ?? 2000;
  const cache = new Map<string, Cached>();
  const used = new Set<string>();
  const timer = setInterval(() => void flush(), 15_000);
  timer.unref();
  async function flush(): Promise<void> {
    if (!used.size) return;
    const ids = [...used];
    used.clear();
    await repo.touchKeys(ids).catch((e: unknown) => opts.logger.warn({ err: e }, 'could not record Langfuse key use'));
  }
  async function load(publicKey: string, secretKey: string): Promise<Cached> {
    const rec = await repo.verify(publicKey, secretKey);
    const project = rec ? await store.projects.get(rec.projectId) : undefined;
    const principal = rec && project ? { keyId: `langfuse:${rec.id}`, project: { id: project.id, slug: project.slug, orgId: project.orgId, name: project.name } } : undefined;
    return { principal, revokedAt: rec?.revokedAt ?? null, expires: Date.now() + cacheMs };
  }
  return {
    async authenticate(headers: Record<string, string | string[] | undefined>): Promise<Principal> {
      const { publicKey, secretKey } = basicCredentials(headers);
      const k = `${publicKey}:${secretKey}`;
      let entry = cache.get(k);
      if (!entry || entry.expires < Date.now()) {
        entry = await load(publicKey, secretKey);
        if (cache.size > 10_000) cache.clear();
        cache.set(k, entry);
      }
      if (entry.revokedAt) throw langfuseUnauthorized(`This key pair was revoked at ${entry.revokedAt.toISOString()}; create a new one with \`aether keys create --langfuse\``);
      if (!entry.principal) throw langfuseUnauthorized('Invalid credentials. Confirm that you have used the correct host and public/secret key pair.');
      used.add(entry.principal.keyId.slice('langfuse:'.length));
      return entry.principal;
    },
    async close(): Promise<void> {
      clearInterval(timer);
      await flush();
    },
  };
}

export type LangfuseAuth = ReturnType<typeof createLangfuseAuth>;
