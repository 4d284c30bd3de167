// Failed sign-ins per email+IP in a fixed one-minute window, in this process's memory: enough to
// make online password guessing slow; a shared limiter would need Redis for little gain.

export interface LoginLimiter {
  /** Seconds to wait when the key is locked out, else 0. */
  blockedFor(key: string): number;
  fail(key: string): void;
  reset(key: string): void;
}

/** A limiter allowing `max` failures per `windowMs` per key. */
export function createLoginLimiter(max: number, windowMs = 60_000, now: () => number = Date.now): LoginLimiter {
  const hits = new Map<string, { n: number; resetAt: number }>();
  const live = (key: string) => {
    const h = hits.get(key);
    if (h && h.resetAt <= now()) {
      hits.delete(key);
      return undefined;
    }
    return h;
  };
  return {
    blockedFor(key) {
      const h = live(key);
      return h && h.n >= max ? Math.max(1, Math.ceil((h.resetAt - now()) / 1000)) : 0;
    },
    fail(key) {
      const h = live(key);
      if (h) h.n++;
      else {
        if (hits.size > 50_000) for (const [k, v] of hits) if (v.resetAt <= now()) hits.delete(k);
        hits.set(key, { n: 1, resetAt: now() + windowMs });
      }
    },
    reset(key) {
      hits.delete(key);
    },
  };
}
