import { newId } from '../core/ids.js';
import type { TracesRepo } from '../storage/index.js';
import type { NormalizedTrace } from './normalize.js';

interface Pending {
  items: NormalizedTrace[];
  resolve: (created: Set<string>) => void;
  reject: (e: unknown) => void;
}

export interface TraceWriterOptions {
  /** Most traces written in one statement. */
  maxBatch?: number;
  /** Statements in flight at once: 2 keeps the database busy while the next batch gathers. */
  concurrency?: number;
  /** Called after each commit with the traces that were new. */
  onCommitted?: (traces: NormalizedTrace[]) => void;
}

export const traceKey = (projectId: string, id: string) => `${projectId}\u0000${id}`;

/**
 * Group commit: writes that arrive while commits are under way are gathered into the next one,
 * so under load many requests share one statement, and a lone request is written at once. Up to
 * `concurrency` statements run at once. Each caller's promise settles only after its rows commit.
 */
export class TraceWriter {
  private queue: Pending[] = [];
  private running = 0;
  private readonly maxBatch: number;
  private readonly concurrency: number;
  private idle: Array<() => void> = [];

  constructor(
    private readonly repo: Pick<TracesRepo, 'insertMany'>,
    private readonly opts: TraceWriterOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 2000;
    this.concurrency = opts.concurrency ?? 1;
  }

  /** Store traces; resolves with the keys (`traceKey`) that were new, once committed. */
  write(items: NormalizedTrace[]): Promise<Set<string>> {
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      if (this.running < this.concurrency) {
        this.running++;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Resolves when everything written so far is committed. */
  flushed(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch: Pending[] = [];
      let rows = 0;
      while (this.queue.length > 0 && (batch.length === 0 || rows + this.queue[0]!.items.length <= this.maxBatch)) {
        const p = this.queue.shift()!;
        batch.push(p);
        rows += p.items.length;
      }
      await this.commit(batch);
    }
    this.running--;
    if (this.running === 0) for (const r of this.idle.splice(0)) r();
  }

  private async commit(batch: Pending[]): Promise<void> {
    const items = batch.flatMap((p) => p.items);
    try {
      const created = await this.repo.insertMany(
        items.map((i) => i.trace),
        items.flatMap((i) => i.spans),
        items.filter((i) => i.evaluate).map((i) => ({ id: newId(), project_id: i.trace.project_id, trace_id: i.trace.id })),
      );
      this.notify(items, created);
      for (const p of batch) p.resolve(created);
    } catch (e) {
      if (batch.length === 1) {
        batch[0]!.reject(e);
        return;
      }
      // One caller's bad rows must not fail the others: retry each caller alone.
      for (const p of batch) await this.commit([p]);
    }
  }

  private notify(items: NormalizedTrace[], created: Set<string>): void {
    if (!this.opts.onCommitted) return;
    const fresh = items.filter((i) => created.has(traceKey(i.trace.project_id, i.trace.id)));
    if (fresh.length) this.opts.onCommitted(fresh);
  }
}
