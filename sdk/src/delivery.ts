// The background half of the client: a bounded queue drained by one sending loop at a time, on a
// timer and whenever a batch fills up. Nothing here runs inside a traced call except `enqueue`.
import { BoundedQueue } from './queue.js';
import type { TraceRecord } from './record.js';
import { createTransport, type Outcome } from './transport.js';
import { AetherError, type AetherClientOptions, type ClientStats, type FetchLike, type TraceBody } from './types.js';
import { safeJson, traceBody } from './wire.js';

const schedule: (f: () => void) => void =
  typeof setImmediate === 'function' ? (f) => void setImmediate(f) : (f) => void setTimeout(f, 0);
const unref = (t: unknown): void => (t as { unref?: () => void } | undefined)?.unref?.();
const ref = (t: unknown): void => (t as { ref?: () => void } | undefined)?.ref?.();

/** An option as a number within bounds, or its default. */
export function clamp(v: number | undefined, def: number, min: number, max: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : def;
}

let lastDefaultReport = 0;
/** Without an onError, failures go to stderr at most every 10 s, so an outage does not flood logs. */
function defaultOnError(e: AetherError): void {
  const now = Date.now();
  if (now - lastDefaultReport < 10_000) return;
  lastDefaultReport = now;
  console.error(`[aether] ${e.message}`);
}

function safeBody(r: TraceRecord, projectId: string | undefined): TraceBody | undefined {
  try {
    return traceBody(r, projectId);
  } catch {
    return undefined;
  }
}

/** Queue, timer, sending loop and counters of one client. */
export class Delivery {
  private readonly queue: BoundedQueue<TraceRecord>;
  private readonly batchSize: number;
  private readonly projectId: string | undefined;
  private readonly onError: (e: AetherError) => void;
  private readonly send: (items: string[]) => Promise<Outcome>;
  private readonly counts = { sent: 0, dropped: 0, failed: 0 };
  private seq = 0;
  private inflight: { from: number; size: number } | undefined;
  private running = false;
  private scheduled = false;
  private exiting = false;
  private closed = false;
  private waiters: Array<{ target: number; resolve: () => void }> = [];
  private readonly timer: unknown;
  private sleepTimer: unknown;
  private readonly exitHook: (() => void) | undefined;

  constructor(o: AetherClientOptions) {
    this.batchSize = clamp(o.batchSize, 100, 1, 1000);
    this.projectId = o.projectId;
    this.queue = new BoundedQueue(clamp(o.maxQueue, 10_000, 1, 10_000_000));
    this.onError = o.onError ?? defaultOnError;
    const base = (o.baseUrl ?? 'http://127.0.0.1:8000').replace(/\/+$/, '');
    const globalFetch = (globalThis as { fetch?: FetchLike }).fetch;
    const noFetch: FetchLike = () => Promise.reject(new Error('no fetch in this runtime; pass options.fetch'));
    this.send = createTransport({
      url: `${base}/api/v1/traces/batch`,
      apiKey: o.apiKey,
      fetch: o.fetch ?? (globalFetch ? globalFetch.bind(globalThis) : noFetch),
      timeoutMs: clamp(o.timeoutMs, 10_000, 1, 600_000),
      maxRetries: clamp(o.maxRetries, 5, 0, 100),
      retryBaseMs: clamp(o.retryBaseMs, 250, 0, 60_000),
      sleep: (ms) => this.sleep(ms),
    });
    this.timer = setInterval(() => this.pump(), clamp(o.flushIntervalMs, 1000, 1, 3_600_000));
    unref(this.timer);
    if (o.flushOnExit !== false && typeof process !== 'undefined' && typeof process.on === 'function') {
      // Node ends a process whose loop is empty even with traces queued; beforeExit gives one more turn.
      this.exitHook = () => {
        if (this.queue.length === 0 && !this.running) return;
        this.exiting = true;
        ref(this.sleepTimer);
        this.pump();
      };
      process.on('beforeExit', this.exitHook);
    }
  }

  /** Queue a finished trace (the only call on a traced call's path): a few writes, no I/O. */
  enqueue(r: TraceRecord): void {
    if (this.closed) {
      // A span that ends after shutdown(): nothing will send it any more.
      this.counts.dropped++;
      return;
    }
    r.seq = ++this.seq;
    if (this.queue.push(r)) this.counts.dropped++;
    if (this.queue.length >= this.batchSize && !this.running && !this.scheduled) {
      // Send on a later turn: serializing a batch must not run inside the caller's call.
      this.scheduled = true;
      schedule(() => {
        this.scheduled = false;
        this.pump();
      });
    }
  }

  /** Counters since creation; `queued` includes a batch being sent. */
  stats(): ClientStats {
    return { queued: this.queue.length + (this.inflight?.size ?? 0), ...this.counts };
  }

  /** Resolves once every trace queued before the call was delivered, rejected or given up on. */
  flush(): Promise<void> {
    const target = this.seq;
    if (this.settledThrough() >= target) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ target, resolve });
      ref(this.sleepTimer);
      this.pump();
    });
  }

  /** Deliver what is queued, then release the timer and the exit hook. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer as Parameters<typeof clearInterval>[0]);
    await this.flush();
    if (this.exitHook) process.removeListener('beforeExit', this.exitHook);
  }

  /** Everything with a sequence number up to this one is no longer waiting. */
  private settledThrough(): number {
    if (this.inflight) return this.inflight.from - 1;
    const head = this.queue.peek();
    return head ? head.seq - 1 : this.seq;
  }

  private settle(): void {
    if (this.waiters.length === 0) return;
    const through = this.settledThrough();
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.target <= through) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private pump(): void {
    if (this.running) return;
    if (this.queue.length === 0) {
      this.settle();
      return;
    }
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.take(this.batchSize);
        this.inflight = { from: batch[0]!.seq, size: batch.length };
        const items: string[] = [];
        for (const r of batch) {
          const s = safeJson(safeBody(r, this.projectId));
          if (s !== undefined) items.push(s);
        }
        const bad = batch.length - items.length;
        if (bad > 0) {
          this.counts.failed += bad;
          this.report(new AetherError(`${bad} traces could not be serialized`, bad));
        }
        const out = items.length ? await this.send(items) : { sent: 0, failed: 0, errors: [] };
        this.counts.sent += out.sent;
        this.counts.failed += out.failed;
        this.inflight = undefined;
        for (const e of out.errors) this.report(e);
        this.settle();
      }
    } catch (e) {
      this.report(new AetherError(`delivery failed: ${e instanceof Error ? e.message : String(e)}`, this.inflight?.size ?? 0));
      if (this.inflight) this.counts.failed += this.inflight.size;
    } finally {
      this.inflight = undefined;
      this.running = false;
      this.settle();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleepTimer = setTimeout(() => {
        this.sleepTimer = undefined;
        resolve();
      }, ms);
      // Retries alone do not keep a process alive, unless a flush or the exit hook waits for them.
      if (this.waiters.length === 0 && !this.exiting) unref(this.sleepTimer);
    });
  }

  private report(e: AetherError): void {
    try {
      this.onError(e);
    } catch {
      // onError is the application's code; its failure must not stop delivery.
    }
  }
}
