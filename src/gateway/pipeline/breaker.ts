// Circuit breaker per provider+model. Closed: calls flow and outcomes are counted in a sliding
// window of 10 buckets. When at least `minRequests` calls in the window failed at `failureRate` or
// more, it opens: calls are refused for `openMs`. Then it is half-open: one probe call goes
// through; success closes it, failure opens it again. A probe that never reports (its client went
// away) stops blocking after another `openMs`.

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerConfig {
  windowMs: number;
  minRequests: number;
  failureRate: number;
  openMs: number;
}

export interface BreakerVerdict {
  allowed: boolean;
  state: BreakerState;
  /** When refused: how long until a probe will be let through. */
  retryAfterMs: number;
}

/** One breaker as it stands: its state, the outcomes in its window, and until when it stays open. */
export interface BreakerSnapshot {
  key: string;
  state: BreakerState;
  calls: number;
  failures: number;
  /** Epoch ms until which an open breaker refuses calls (then lets one probe through). */
  openUntil: number | undefined;
}

/** Where breaker state lives: this process's memory, or Redis shared by every process. */
export interface BreakerStore {
  acquire(key: string, cfg: BreakerConfig, now: number): Promise<BreakerVerdict>;
  record(key: string, ok: boolean, cfg: BreakerConfig, now: number): Promise<BreakerState>;
  /** Every breaker with state (closed ones while their window has outcomes). */
  list(cfg: BreakerConfig, now: number): Promise<BreakerSnapshot[]>;
}

/** A snapshot from stored fields: an open breaker past its time is half-open (the next call probes). */
export function snapshotOf(key: string, state: BreakerState, until: number, counts: Iterable<[number, number, number]>, cfg: BreakerConfig, now: number): BreakerSnapshot {
  const current = Math.floor(now / (cfg.windowMs / BREAKER_BUCKETS));
  let calls = 0;
  let failures = 0;
  for (const [id, c, f] of counts) {
    if (id <= current - BREAKER_BUCKETS) continue;
    calls += c;
    failures += f;
  }
  const shown: BreakerState = state === 'open' && now >= until ? 'half_open' : state;
  return { key, state: shown, calls, failures, openUntil: state === 'open' ? until : undefined };
}

export const BREAKER_BUCKETS = 10;

interface Entry {
  state: BreakerState;
  until: number;
  probeAt: number;
  /** bucket id (time / bucket width) → [calls, failures] */
  buckets: Map<number, [number, number]>;
}

/** Breaker state in this process's memory. */
export function memoryBreakerStore(maxKeys = 10_000): BreakerStore {
  const entries = new Map<string, Entry>();
  const get = (key: string): Entry => {
    let e = entries.get(key);
    if (!e) {
      if (entries.size >= maxKeys) entries.delete(entries.keys().next().value!);
      e = { state: 'closed', until: 0, probeAt: 0, buckets: new Map() };
      entries.set(key, e);
    }
    return e;
  };
  return {
    async acquire(key, cfg, now) {
      const e = entries.get(key);
      if (!e || e.state === 'closed') return { allowed: true, state: 'closed', retryAfterMs: 0 };
      if (e.state === 'open' && now < e.until) return { allowed: false, state: 'open', retryAfterMs: e.until - now };
      // Open and past its time, or half-open: one probe at a time.
      if (e.state === 'half_open' && now - e.probeAt < cfg.openMs) return { allowed: false, state: 'half_open', retryAfterMs: e.probeAt + cfg.openMs - now };
      e.state = 'half_open';
      e.probeAt = now;
      return { allowed: true, state: 'half_open', retryAfterMs: 0 };
    },
    async record(key, ok, cfg, now) {
      const e = get(key);
      if (e.state === 'half_open') {
        if (ok) {
          e.state = 'closed';
          e.buckets.clear();
        } else {
          e.state = 'open';
          e.until = now + cfg.openMs;
        }
        return e.state;
      }
      if (e.state === 'open') return e.state; // a late answer from before it opened
      const width = cfg.windowMs / BREAKER_BUCKETS;
      const id = Math.floor(now / width);
      const b = e.buckets.get(id) ?? [0, 0];
      b[0]++;
      if (!ok) b[1]++;
      e.buckets.set(id, b);
      let calls = 0;
      let failures = 0;
      for (const [bid, [c, f]] of e.buckets) {
        if (bid <= id - BREAKER_BUCKETS) e.buckets.delete(bid);
        else {
          calls += c;
          failures += f;
        }
      }
      if (!ok && calls >= cfg.minRequests && failures / calls >= cfg.failureRate) {
        e.state = 'open';
        e.until = now + cfg.openMs;
        e.buckets.clear();
      }
      return e.state;
    },
    async list(cfg, now) {
      return [...entries].map(([key, e]) => snapshotOf(key, e.state, e.until, [...e.buckets].map(([id, [c, f]]) => [id, c, f] as [number, number, number]), cfg, now));
    },
  };
}
