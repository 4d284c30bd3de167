import { AetherError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { jsonProblem } from '../core/schemas/safe.js';
import type { TracesRepo } from '../storage/index.js';
import type { NormalizedTrace } from './normalize.js';

/** What one write came to: keys (`traceKey`) stored new, and the items the store refused, by key. */
export interface WriteOutcome {
  created: Set<string>;
  failed: Map<string, AetherError>;
}

interface Pending {
  items: NormalizedTrace[];
  resolve: (outcome: WriteOutcome) => void;
  reject: (e: unknown) => void;
}

/**
 * Whether a failed statement may be one row's fault: SQLSTATE classes 22 (data exception), 23
 * (constraint) and 54 (limit exceeded), or an error raised before the database (no SQLSTATE).
 * Anything else (connection lost, shutdown) fails every row alike, so splitting would not help.
 */
function rowLevel(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code !== 'string' || /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

const unstorable = (message: string, cause?: unknown) =>
  new AetherError(400, 'unstorable', `The trace could not be stored: ${message}`, { cause });

/** Why a row breaks the store's rules (the check ingest validation already made), if it does. */
function rowProblem(i: NormalizedTrace): string | undefined {
  const p = jsonProblem({ trace: i.trace, spans: i.spans }, 64);
  return p && `${(p.path[0] === 'trace' ? p.path.slice(1) : p.path).join('.')}: ${p.message}`;
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

  /** Store traces; resolves once committed with what was new and which items the store refused. */
  write(items: NormalizedTrace[]): Promise<WriteOutcome> {
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
    const outcome: WriteOutcome = { created: new Set(), failed: new Map() };
    try {
      await this.store(items, outcome);
    } catch (e) {
      for (const p of batch) p.reject(e);
      return;
    }
    this.notify(items, outcome.created);
    for (const p of batch) p.resolve(outcome);
  }

  /**
   * Insert in one statement. When it fails for a reason a row can cause, the rows that break the
   * validation rules are set aside and the rest retried in one more statement; if that fails too
   * (a failure only the database sees), the rows are halved until the culprits stand alone. So one
   * bad row costs a few statements, never one per caller, and never a good row. Throws only
   * failures that are not any row's fault.
   */
  private async store(items: NormalizedTrace[], out: WriteOutcome): Promise<void> {
    const key = (i: NormalizedTrace) => traceKey(i.trace.project_id, i.trace.id);
    let rest = items;
    try {
      for (const k of await this.insert(rest)) out.created.add(k);
      return;
    } catch (e) {
      if (!rowLevel(e)) throw e;
      if (items.length === 1) {
        out.failed.set(key(items[0]!), unstorable((e as Error).message, e));
        return;
      }
    }
    const bad = new Set<NormalizedTrace>();
    for (const i of items) {
      const p = rowProblem(i);
      if (!p) continue;
      bad.add(i);
      out.failed.set(key(i), unstorable(p));
    }
    if (bad.size) {
      rest = items.filter((i) => !bad.has(i));
      if (rest.length === 0) return;
      try {
        for (const k of await this.insert(rest)) out.created.add(k);
        return;
      } catch (e) {
        if (!rowLevel(e)) throw e;
      }
    }
    const mid = Math.ceil(rest.length / 2);
    await this.store(rest.slice(0, mid), out);
    await this.store(rest.slice(mid), out);
  }

  private insert(items: NormalizedTrace[]): Promise<Set<string>> {
    return this.repo.insertMany(
      items.map((i) => i.trace),
      items.flatMap((i) => i.spans),
      items.filter((i) => i.evaluate).map((i) => ({ id: newId(), project_id: i.trace.project_id, trace_id: i.trace.id })),
    );
  }

  private notify(items: NormalizedTrace[], created: Set<string>): void {
    if (!this.opts.onCommitted) return;
    const fresh = items.filter((i) => created.has(traceKey(i.trace.project_id, i.trace.id)));
    if (fresh.length) this.opts.onCommitted(fresh);
  }
}
