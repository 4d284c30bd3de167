export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the next fallback is tried instead. */
  maxRetryAfterMs: number;
}

/**
 * Delay before retry number `retry` (0-based): the upstream's Retry-After when it gave one, else
 * exponential backoff with full jitter, uniform in [0, min(max, base·2^retry)] — full jitter
 * spreads a burst of failing clients out instead of having them retry in lockstep. Undefined when
 * the upstream asks for a longer wait than is worth holding the request for.
 */
export function retryDelay(p: RetryPolicy, retry: number, retryAfterMs: number | undefined, random: () => number = Math.random): number | undefined {
  if (retryAfterMs !== undefined) return retryAfterMs <= p.maxRetryAfterMs ? retryAfterMs : undefined;
  return Math.floor(random() * Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** retry));
}

/** Wait `ms`, or reject with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
