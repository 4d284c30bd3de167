// A project's own prices (table model_prices) as the pricing function takes them, cached: ingest
// reads them on every request. A write through this book is seen at once in this process; other
// processes see it within `ttlMs`.
import type { PriceOverrides } from '../core/pricing/index.js';
import type { ModelPricesRepo, StoredPrice } from '../storage/index.js';

const toPrice = (p: StoredPrice) => ({
  provider: 'project',
  input: p.input_per_token,
  output: p.output_per_token,
  ...(p.cache_read_per_token !== null ? { cachedInput: p.cache_read_per_token } : {}),
  ...(p.cache_write_per_token !== null ? { cacheWrite: p.cache_write_per_token } : {}),
});

/** Cached per-project price overrides. */
export function createPriceBook(repo: Pick<ModelPricesRepo, 'list'>, ttlMs = 30_000, now: () => number = Date.now) {
  const cache = new Map<string, { at: number; prices: PriceOverrides; loading?: Promise<PriceOverrides> }>();
  const load = (projectId: string): Promise<PriceOverrides> => {
    const entry = cache.get(projectId);
    if (entry?.loading) return entry.loading;
    const loading = repo.list(projectId).then((rows) => {
      const prices = Object.fromEntries(rows.map((r) => [r.model, toPrice(r)]));
      cache.set(projectId, { at: now(), prices });
      return prices;
    });
    cache.set(projectId, { at: entry?.at ?? 0, prices: entry?.prices ?? {}, loading });
    loading.catch(() => cache.delete(projectId));
    return loading;
  };
  const fresh = (projectId: string) => {
    const e = cache.get(projectId);
    return e && !e.loading && now() - e.at < ttlMs ? e : undefined;
  };
  return {
    /** The project's prices (from the cache when fresh). */
    async get(projectId: string): Promise<PriceOverrides> {
      return fresh(projectId)?.prices ?? load(projectId);
    },
    /** What the cache holds now, refreshing it in the background when stale (for synchronous callers). */
    peek(projectId: string): PriceOverrides {
      const e = cache.get(projectId);
      if (!fresh(projectId)) void load(projectId).catch(() => {});
      return e?.prices ?? {};
    },
    /** Forget a project's cached prices after a write. */
    invalidate(projectId: string): void {
      cache.delete(projectId);
    },
  };
}

export type PriceBook = ReturnType<typeof createPriceBook>;
