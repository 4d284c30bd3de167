// Per-project provider credentials: sealed with the master key (AES-256-GCM) before they reach
// the store, opened only in memory, cached briefly so the request path rarely reads the store.
import type { ProviderCredentialRecord, ProviderCredentialsRepo } from '../storage/index.js';
import type { CallTarget } from './contract.js';
import { UpstreamError } from './errors.js';
import type { Target } from './models.js';

/** Seals and opens secrets (core/secrets' SecretBox fits). */
export interface Sealer {
  seal(plain: string): string;
  open(sealed: string): string;
}

export interface CredentialView {
  provider: string;
  api_key_hint: string;
  base_url: string | null;
  created_at: string;
  updated_at: string;
}

interface Opened {
  apiKey: string;
  baseUrl: string | null;
}

/** First and last four characters: enough to tell keys apart, far too little to use one. */
export function keyHint(key: string): string {
  return key.length <= 12 ? '****' : `${key.slice(0, 4)}…${key.slice(-4)}`;
}

const view = (r: ProviderCredentialRecord): CredentialView => ({
  provider: r.provider,
  api_key_hint: r.hint,
  base_url: r.baseUrl,
  created_at: r.createdAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
});

/** Stores credentials and answers "which URL and key does this project use for this target?". */
export function createCredentials(repo: ProviderCredentialsRepo, box: Sealer, opts: { ttlMs?: number; now?: () => number } = {}) {
  const ttlMs = opts.ttlMs ?? 5_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { expires: number; rows: Map<string, Opened>; loading?: Promise<Map<string, Opened>> }>();

  async function load(projectId: string): Promise<Map<string, Opened>> {
    const rows = new Map<string, Opened>();
    for (const r of await repo.list(projectId)) rows.set(r.provider, { apiKey: box.open(r.secret), baseUrl: r.baseUrl });
    if (cache.size > 10_000) cache.clear();
    cache.set(projectId, { expires: now() + ttlMs, rows });
    return rows;
  }

  /** A project's credentials; a stale copy is served while a fresh one loads. */
  function forProject(projectId: string): Promise<Map<string, Opened>> | Map<string, Opened> {
    const c = cache.get(projectId);
    if (!c) return load(projectId);
    if (c.expires <= now() && !c.loading) {
      c.loading = load(projectId).catch(() => {
        c.loading = undefined;
        c.expires = now() + ttlMs; // keep serving the old copy; try again after another TTL
        return c.rows;
      });
    }
    return c.rows;
  }

  return {
    /** URL, key and headers for one call of `projectId` to `t`; throws when the endpoint cannot be used. */
    async callTarget(projectId: string, t: Target): Promise<CallTarget> {
      const mine = (await forProject(projectId)).get(t.endpoint.name);
      const baseUrl = mine?.baseUrl ?? t.endpoint.baseUrl ?? t.endpoint.provider.defaultBaseUrl;
      const apiKey = mine?.apiKey ?? t.endpoint.apiKey;
      const fix = `PUT /api/v1/projects/${projectId}/providers/${t.endpoint.name}`;
      if (!baseUrl) throw new UpstreamError(`Endpoint ${t.endpoint.name} has no base URL: set it in AETHER_GATEWAY_CONFIG or with ${fix}`, { kind: 'config', status: 400, retryable: false, fallback: true, code: 'provider_not_configured' });
      if (!apiKey && t.endpoint.provider.requiresKey) {
        throw new UpstreamError(`No API key for ${t.endpoint.name}: set it in the server's environment or with ${fix}`, { kind: 'config', status: 400, retryable: false, fallback: true, code: 'provider_not_configured' });
      }
      return { label: t.label, baseUrl, apiKey, headers: t.endpoint.headers, model: t.model, ownCredentials: mine !== undefined };
    },
    async put(projectId: string, provider: string, input: { api_key: string; base_url?: string | null | undefined }): Promise<CredentialView> {
      const row = await repo.put({ projectId, provider, secret: box.seal(input.api_key), hint: keyHint(input.api_key), baseUrl: input.base_url ?? null });
      cache.delete(projectId);
      return view(row);
    },
    async get(projectId: string, provider: string): Promise<CredentialView | undefined> {
      const r = await repo.get(projectId, provider);
      return r ? view(r) : undefined;
    },
    async list(projectId: string): Promise<CredentialView[]> {
      return (await repo.list(projectId)).map(view);
    },
    async delete(projectId: string, provider: string): Promise<boolean> {
      const gone = await repo.delete(projectId, provider);
      cache.delete(projectId);
      return gone;
    },
  };
}

export type Credentials = ReturnType<typeof createCredentials>;
