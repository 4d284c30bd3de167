// Runs one call down a chain of targets: per target, the circuit breaker decides whether to try;
// each try has its own deadline; retryable failures are retried with backoff (or the upstream's
// Retry-After); a target that cannot serve moves on to the next fallback.
import type { CallContext, Provider } from './contract.js';
import type { Credentials } from './credentials.js';
import { GatewayError, UpstreamError } from './errors.js';
import { abortReason, type HttpClient } from './http.js';
import type { Target } from './models.js';
import type { BreakerConfig, BreakerStore } from './pipeline/breaker.js';
import { retryDelay, sleep, type RetryPolicy } from './pipeline/retry.js';
import { Deadline } from './pipeline/timeout.js';
import type { AttemptRecord } from './tracing.js';

export interface ExecDeps {
  credentials: Credentials;
  http: HttpClient;
  breaker: { store: BreakerStore; config: BreakerConfig } | undefined;
  retry: RetryPolicy;
  now: () => number;
  onStoreError: (e: unknown) => void;
}

export interface ExecOptions {
  projectId: string;
  signal: AbortSignal;
  timeoutMs: number;
  maxRetries: number;
  /** What the deadline waits for, for the timeout message ("the first chunk"). */
  waitingFor: string;
}

export interface ExecResult<T> {
  value: T;
  target: Target;
  /** The successful attempt's deadline, still armed: the caller disposes of it (streams re-arm it). */
  deadline: Deadline;
  /** Tell the target's breaker how the request ended (once; later calls are ignored). */
  report(ok: boolean): void;
}

/** Record an outcome in the breaker; breaker storage trouble must not fail the request. */
export function recordOutcome(deps: ExecDeps, key: string, ok: boolean): void {
  if (!deps.breaker) return;
  deps.breaker.store.record(key, ok, deps.breaker.config, deps.now()).catch(deps.onStoreError);
}

/**
 * The breaker a call belongs to: the target's, shared by every project on the server's
 * credentials; a project calling with its own key or URL has a breaker of its own, so what its
 * account or server does never opens the circuit for anyone else.
 */
export const breakerKey = (projectId: string, label: string, ownCredentials: boolean | undefined): string => (ownCredentials ? `project:${projectId}:${label}` : label);

/**
 * Whether a request's final failure at a target counts against its breaker: the upstream failing
 * (5xx, 408/409, network, timeout) does; a 429 does not (the upstream is up and asked us to wait),
 * nor do credentials or unknown models (401/403/404: fallback at once) or the request's own fault.
 */
const countsAgainst = (e: UpstreamError): boolean => e.retryable && e.upstreamStatus !== 429 && e.code !== 'client_closed';

async function admitted(deps: ExecDeps, label: string): Promise<{ allowed: boolean; retryAfterMs: number }> {
  if (!deps.breaker) return { allowed: true, retryAfterMs: 0 };
  try {
    return await deps.breaker.store.acquire(label, deps.breaker.config, deps.now());
  } catch (e) {
    deps.onStoreError(e);
    return { allowed: true, retryAfterMs: 0 }; // fail open: an unreachable Redis must not stop traffic
  }
}

const circuitOpen = (label: string, retryAfterMs: number) =>
  new GatewayError(503, 'circuit_open', `${label} is failing and its circuit breaker is open; retry in ${Math.ceil(retryAfterMs / 1000)} s or name a fallback (x-aether-fallback)`, {
    headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
    type: 'server_error',
  });

/**
 * Try `call` down `chain` with breakers, deadlines, retries and fallbacks; `attempts` collects
 * every try. The breaker sees each request once per target, by how it ended there: retries that
 * end in success are a success. With `deferOutcome` (streams) the caller reports the success.
 */
export async function runChain<T>(
  deps: ExecDeps,
  chain: Target[],
  opts: ExecOptions & { deferOutcome?: boolean },
  call: (provider: Provider, ctx: CallContext) => Promise<T>,
  attempts: AttemptRecord[],
): Promise<ExecResult<T>> {
  let last: GatewayError | undefined;
  for (let i = 0; i < chain.length; i++) {
    const t = chain[i]!;
    const base = { label: t.label, endpoint: t.endpoint.name, model: t.model, fallback: i > 0 };
    let target;
    try {
      target = await deps.credentials.callTarget(opts.projectId, t);
    } catch (e) {
      if (!(e instanceof UpstreamError)) throw e;
      attempts.push({ ...base, start: Date.now(), end: Date.now(), ok: false, error: e.message, skipped: 'not_configured' });
      last = e;
      continue;
    }
    const key = breakerKey(opts.projectId, t.label, target.ownCredentials);
    // Admitted once per request: its retries are part of the one outcome the breaker will see.
    const gate = await admitted(deps, key);
    if (!gate.allowed) {
      attempts.push({ ...base, start: Date.now(), end: Date.now(), ok: false, error: 'circuit open', skipped: 'circuit_open' });
      last = circuitOpen(t.label, gate.retryAfterMs);
      continue;
    }
    let failed: UpstreamError | undefined;
    for (let retry = 0; ; retry++) {
      const deadline = new Deadline(opts.signal);
      deadline.arm(opts.timeoutMs, `${t.label}: ${opts.waitingFor}`);
      const a: AttemptRecord = { ...base, start: Date.now(), end: 0, ok: false };
      attempts.push(a);
      try {
        const value = await call(t.endpoint.provider, { target, http: deps.http, signal: deadline.signal });
        a.end = Date.now();
        a.ok = true;
        let reported = false;
        const report = (ok: boolean) => {
          if (reported) return;
          reported = true;
          recordOutcome(deps, key, ok);
        };
        if (!opts.deferOutcome) report(true);
        return { value, target: t, deadline, report };
      } catch (err) {
        deadline.abort(new Error('attempt failed')); // closes a response that was still open
        deadline.dispose();
        a.end = Date.now();
        a.error = err instanceof Error ? err.message : String(err);
        if (!(err instanceof UpstreamError)) throw err; // the request's fault (or a bug): no retry
        a.upstreamStatus = err.upstreamStatus;
        if (opts.signal.aborted) throw err;
        last = failed = err;
        if (!err.retryable) {
          if (err.fallback) break;
          throw err;
        }
        if (retry >= opts.maxRetries) break;
        const delay = retryDelay(deps.retry, retry, err.retryAfterMs);
        if (delay === undefined) break;
        a.retryDelayMs = delay;
        await sleep(delay, opts.signal).catch(() => {
          throw abortReason(opts.signal, t.label); // the client left while we waited
        });
      }
    }
    if (failed && countsAgainst(failed)) recordOutcome(deps, key, false);
  }
  throw last ?? new GatewayError(503, 'no_target', 'No provider could take this request');
}
