// What every gateway operation shares: its collaborators, the per-request context, the reply shape,
// and the bookkeeping after a call (rate-limit settlement, budget spend, trace).
import { AetherError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Pricer } from './accounting.js';
import { GatewayError } from './errors.js';
import type { ExecDeps } from './execute.js';
import type { RequestOptions } from './headers.js';
import type { Resolver, Target } from './models.js';
import type { BudgetCheck } from './pipeline/budget.js';
import type { CacheStore } from './pipeline/cache.js';
import type { Admission, RateLimiter } from './pipeline/rate-limit.js';
import type { GatewaySettings } from './settings.js';
import { traceBody, type AttemptRecord, type TraceFacts, type TraceRecorder } from './tracing.js';
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

/** Trace facts before anything happened; operations fill them in as they go. */
export function initialFacts(ctx: RequestCtx, operation: TraceFacts['operation'], requestedModel: string, query: string, cache: TraceFacts['cache'], stream: boolean): TraceFacts {
  const attempts: AttemptRecord[] = [];
  return {
    id: ctx.traceId,
    start: ctx.start,
    latencyMs: 0,
    ttftMs: undefined,
    operation,
    route: ctx.route,
    requestedModel,
    endpoint: undefined,
    model: undefined,
    query,
    response: null,
    inputTokens: undefined,
    outputTokens: undefined,
    usageEstimated: false,
    costUsd: null,
    error: undefined,
    cache,
    stream,
    finishReason: undefined,
    attempts,
    options: ctx.options,
    keyId: ctx.keyId,
    budget: undefined,
  };
}

/** Response headers naming what served the request and what it cost. */
export function resultHeaders(ctx: RequestCtx, target: Pick<Target, 'label'> & { endpoint: { name: string } }, facts: TraceFacts): void {
  ctx.headers['x-aether-provider'] = target.endpoint.name;
  ctx.headers['x-aether-model'] = target.label;
  ctx.headers['x-aether-attempts'] = String(facts.attempts.filter((a) => !a.skipped).length);
  if (facts.costUsd !== null) ctx.headers['x-aether-cost-usd'] = facts.costUsd.toFixed(10).replace(/\.?0+$/, '') || '0';
}

/** After a request: settle its rate-limit tokens, record its spend, and trace it (off the hot path). */
export function complete(core: Core, ctx: RequestCtx, facts: TraceFacts, admission: Admission | undefined, tokens: number): void {
  facts.latencyMs = performance.now() - ctx.t0;
  if (admission) core.limiter.settle(ctx.keyId, ctx.project, admission, tokens).catch(core.exec.onStoreError);
  if (facts.costUsd) core.budget.record({ projectId: ctx.project.id, projectSlug: ctx.project.slug, model: facts.requestedModel }, facts.costUsd);
  core.recorder?.record(ctx.project, traceBody(facts));
}

/**
 * A request that failed: it is traced like any other (unless our own rate limit refused it, so a
 * flood of refusals cannot flood the store), and the error to answer with carries the trace id and
 * attempt count the client needs to find it. Returns the error to throw.
 */
export function failed(core: Core, ctx: RequestCtx, facts: TraceFacts, admission: Admission | undefined, e: unknown): GatewayError {
  facts.error = e instanceof Error ? e.message : String(e);
  if (e instanceof GatewayError && e.code === 'rate_limit_exceeded') return e;
  complete(core, ctx, facts, admission, 0);
  const headers = { ...ctx.headers, 'x-aether-attempts': String(facts.attempts.filter((a) => !a.skipped).length) };
  if (e instanceof GatewayError) {
    for (const [k, v] of Object.entries(headers)) if (!Object.hasOwn(e.headers, k)) e.headers[k] = v;
    return e;
  }
  if (e instanceof AetherError && e.expose) return new GatewayError(e.status, e.code, e.message, { headers, cause: e });
  core.logger.error({ err: e }, 'gateway request failed');
  return new GatewayError(500, 'internal_error', 'Internal error', { headers, cause: e, type: 'server_error' });
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
