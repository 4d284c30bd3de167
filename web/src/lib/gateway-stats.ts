// Gateway traffic read from traces: gateway requests carry metadata.source = "gateway" with the
// cache outcome, attempts and whether a fallback served them (src/gateway/tracing.ts). Pure.

export interface TraceRow {
  id: string;
  timestamp: string;
  model: string | null;
  provider: string | null;
  status: string;
  error: string | null;
  latency_ms: number | null;
  cost_usd: number | null;
  metadata: Record<string, unknown>;
}

export interface ModelStats {
  key: string;
  requests: number;
  errors: number;
  cacheHits: number;
  fallbacks: number;
  cost: number;
  latencies: number[];
}

export interface GatewayStats {
  requests: number;
  errors: number;
  cache: { hit: number; miss: number; bypass: number; off: number };
  /** hits / (hits + misses), null when the cache saw nothing */
  cacheHitRate: number | null;
  fallbacks: number;
  retried: number;
  /** requests refused because a circuit breaker was open */
  circuitOpen: number;
  streamed: number;
  byModel: ModelStats[];
  /** per requested model → served model, for fallbacks */
  fallbackPairs: Array<{ from: string; to: string; count: number }>;
}

export const isGatewayTrace = (t: Pick<TraceRow, 'metadata'>) => t.metadata?.source === 'gateway';

export function gatewayStats(traces: TraceRow[]): GatewayStats {
  const s: GatewayStats = { requests: 0, errors: 0, cache: { hit: 0, miss: 0, bypass: 0, off: 0 }, cacheHitRate: null, fallbacks: 0, retried: 0, circuitOpen: 0, streamed: 0, byModel: [], fallbackPairs: [] };
  const models = new Map<string, ModelStats>();
  const pairs = new Map<string, { from: string; to: string; count: number }>();
  for (const t of traces) {
    if (!isGatewayTrace(t)) continue;
    const m = t.metadata;
    s.requests++;
    const err = t.status === 'error';
    if (err) s.errors++;
    const cache = m.cache;
    if (cache === 'hit' || cache === 'miss' || cache === 'bypass' || cache === 'off') s.cache[cache]++;
    const fell = m.fallback_used === true;
    if (fell) s.fallbacks++;
    if (typeof m.attempts === 'number' && m.attempts > 1) s.retried++;
    if (err && t.error && /circuit breaker is open|circuit_open/i.test(t.error)) s.circuitOpen++;
    if (m.stream === true) s.streamed++;
    const key = t.model ?? (typeof m.requested_model === 'string' ? m.requested_model : 'unknown');
    const ms = models.get(key) ?? { key, requests: 0, errors: 0, cacheHits: 0, fallbacks: 0, cost: 0, latencies: [] };
    ms.requests++;
    if (err) ms.errors++;
    if (cache === 'hit') ms.cacheHits++;
    if (fell) ms.fallbacks++;
    ms.cost += t.cost_usd ?? 0;
    if (typeof t.latency_ms === 'number') ms.latencies.push(t.latency_ms);
    models.set(key, ms);
    if (fell && typeof m.requested_model === 'string') {
      const k = `${m.requested_model}→${key}`;
      const p = pairs.get(k) ?? { from: m.requested_model, to: key, count: 0 };
      p.count++;
      pairs.set(k, p);
    }
  }
  const seen = s.cache.hit + s.cache.miss;
  s.cacheHitRate = seen ? s.cache.hit / seen : null;
  s.byModel = [...models.values()].sort((a, b) => b.requests - a.requests || a.key.localeCompare(b.key));
  s.fallbackPairs = [...pairs.values()].sort((a, b) => b.count - a.count);
  return s;
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))]!;
}
