// Rate limits per API key: requests and tokens per minute, each a token bucket that holds a
// minute's allowance and refills continuously. Tokens are not known until the answer, so an
// estimate is taken up front and the difference settled afterwards; the bucket may go below zero,
// which makes the next requests wait for the overdraft to refill.
import { GatewayError } from '../errors.js';

export interface BucketResult {
  ok: boolean;
  /** Tokens left after the take (may be negative after a forced take). */
  remaining: number;
  /** When refused: ms until `amount` will be available. */
  retryAfterMs: number;
}

/** Where buckets live: this process's memory, or Redis shared by every process. */
export interface BucketStore {
  /** Take `amount` (may be negative: a refund). `force` takes it even if that overdraws the bucket. */
  take(key: string, capacity: number, refillPerMs: number, amount: number, force: boolean, now: number): Promise<BucketResult>;
}

/** Token buckets in this process's memory (least recently used dropped beyond `maxKeys`). */
export function memoryBucketStore(maxKeys = 100_000): BucketStore {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    async take(key, capacity, refillPerMs, amount, force, now) {
      let b = buckets.get(key);
      if (b) buckets.delete(key);
      else if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
      b ??= { tokens: capacity, at: now };
      b.tokens = Math.min(capacity, b.tokens + Math.max(0, now - b.at) * refillPerMs);
      b.at = now;
      buckets.set(key, b);
      if (force || b.tokens >= amount) {
        b.tokens = Math.min(capacity, b.tokens - amount);
        return { ok: true, remaining: b.tokens, retryAfterMs: 0 };
      }
      return { ok: false, remaining: b.tokens, retryAfterMs: Math.ceil((amount - b.tokens) / refillPerMs) };
    },
  };
}

export interface Limits {
  requests_per_minute: number;
  tokens_per_minute: number;
}

export interface Admission {
  headers: Record<string, string>;
  /** Tokens taken up front, settled against the real count later. */
  estimated: number;
}

/**
 * Admits requests against per-key limits; `limitsFor` picks the limits of the key's project. When
 * the store fails (Redis down) the request is let through and `onError` told: limits fail open.
 */
export function createRateLimiter(
  bucketStore: BucketStore,
  limitsFor: (project: { id: string; slug: string }) => Limits,
  now: () => number = Date.now,
  onError: (e: unknown) => void = () => undefined,
) {
  const store: BucketStore = {
    take: (...args) =>
      bucketStore.take(...args).catch((e: unknown) => {
        onError(e);
        return { ok: true, remaining: 0, retryAfterMs: 0 };
      }),
  };
  const refuse = (what: string, limit: number, retryAfterMs: number) =>
    new GatewayError(429, 'rate_limit_exceeded', `Rate limit reached: ${limit} ${what} per minute for this API key; try again in ${Math.ceil(retryAfterMs / 1000)} s`, {
      type: what,
      headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))), [`x-ratelimit-limit-${what}`]: String(limit), [`x-ratelimit-remaining-${what}`]: '0' },
    });
  return {
    /** Take one request and the estimated tokens, or throw a 429 with Retry-After. */
    async admit(keyId: string, project: { id: string; slug: string }, estimatedTokens: number): Promise<Admission> {
      const l = limitsFor(project);
      const headers: Record<string, string> = {};
      const t = now();
      if (l.requests_per_minute > 0) {
        const r = await store.take(`rpm:${keyId}`, l.requests_per_minute, l.requests_per_minute / 60_000, 1, false, t);
        if (!r.ok) throw refuse('requests', l.requests_per_minute, r.retryAfterMs);
        headers['x-ratelimit-limit-requests'] = String(l.requests_per_minute);
        headers['x-ratelimit-remaining-requests'] = String(Math.max(0, Math.floor(r.remaining)));
      }
      let estimated = 0;
      if (l.tokens_per_minute > 0) {
        estimated = Math.min(estimatedTokens, l.tokens_per_minute);
        const r = await store.take(`tpm:${keyId}`, l.tokens_per_minute, l.tokens_per_minute / 60_000, estimated, false, t);
        if (!r.ok) throw refuse('tokens', l.tokens_per_minute, r.retryAfterMs);
        headers['x-ratelimit-limit-tokens'] = String(l.tokens_per_minute);
        headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, Math.floor(r.remaining)));
      }
      return { headers, estimated };
    },
    /** Charge the real token count (the estimate was already taken). */
    async settle(keyId: string, project: { id: string; slug: string }, admission: Admission, actualTokens: number): Promise<void> {
      const l = limitsFor(project);
      const diff = actualTokens - admission.estimated;
      if (l.tokens_per_minute > 0 && diff !== 0) await store.take(`tpm:${keyId}`, l.tokens_per_minute, l.tokens_per_minute / 60_000, diff, true, now());
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
