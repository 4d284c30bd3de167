// What every gateway operation shares: its collaborators, the per-request context, the reply shape
// and the cache helpers.
import type { Logger } from '../core/logger.js';
import type { Pricer } from './accounting.js';
import type { ExecDeps } from './execute.js';
import type { HeaderBag, RequestOptions } from './headers.js';
import type { Resolver } from './models.js';
import type { BudgetCheck } from './pipeline/budget.js';
import type { CacheStore } from './pipeline/cache.js';
import type { RateLimiter } from './pipeline/rate-limit.js';
import type { GatewaySettings } from './settings.js';
import type { TraceRecorder } from './tracing.js';
import type { ChatCompletion } from './types.js';

export interface Core {
  settings: GatewaySettings;
  resolver: Resolver;
  limiter: RateLimiter;
  budget: BudgetCheck;
  cache: { store: CacheStore; ttlMs: number; maxBytes: number } | undefined;
  pricer: Pricer;
  exec: ExecDeps;
  recorder: TraceRecorder | undefined;
  logger: Logger;
}

/** One request as the gateway sees it; `headers` collects the response headers. */
export interface RequestCtx {
  keyId: string;
  project: { id: string; slug: string };
  options: RequestOptions;
  /** The request's headers as received (resolvers read theirs here). */
  raw: HeaderBag;
  signal: AbortSignal;
  route: string;
  traceId: string;
  /** Epoch ms and performance.now() at arrival. */
  start: number;
  t0: number;
  headers: Record<string, string>;
}

/** A reply for the HTTP edge to write: a JSON body, or SSE frames to relay as they come. */
export type GatewayReply =
  | { kind: 'json'; status: number; headers: Record<string, string>; body: string }
  | { kind: 'stream'; status: number; headers: Record<string, string>; frames: AsyncIterable<string> };

/** A cached answer: the completion (with usage), where it came from and what it cost then. */
export interface CacheEntry {
  completion: ChatCompletion;
  label: string;
  endpoint: string;
  model: string;
  costUsd: number | null;
}

/** Read a cached entry; cache trouble is a miss, never a failure. */
export async function cacheGet<T = CacheEntry>(core: Core, key: string): Promise<T | undefined> {
  if (!core.cache) return undefined;
  try {
    const raw = await core.cache.store.get(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch (e) {
    core.exec.onStoreError(e);
    return undefined;
  }
}

/** Store an entry unless it is larger than the configured bound. */
export function cacheSet(core: Core, key: string, entry: CacheEntry | Record<string, unknown>): void {
  if (!core.cache) return;
  const raw = JSON.stringify(entry);
  if (raw.length > core.cache.maxBytes) return;
  core.cache.store.set(key, raw, core.cache.ttlMs).catch(core.exec.onStoreError);
}
