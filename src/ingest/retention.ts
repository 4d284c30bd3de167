// Retention: delete each project's traces older than its retention, in small slices so that
// ingestion keeps the store between them, with spans, evaluations and rollups kept consistent.
import type { Store } from '../storage/index.js';

const DAY_MS = 86_400_000;

/** One project's outcome of a retention pass. */
export interface RetentionResult {
  projectId: string;
  days: number;
  before: string;
  traces: number;
  spans: number;
  evaluations: number;
}

export interface RetentionOptions {
  /** Server default in days; a project's own retention wins. Undefined: keep everything unless a project says otherwise. */
  defaultDays: number | undefined;
  /** Traces per statement (default 2,000). */
  sliceSize?: number;
  /** Only this project. */
  projectId?: string;
  /** Count what would go, delete nothing. */
  dryRun?: boolean;
  now?: () => number;
  /** Called between slices, so a busy store serves its other work first. */
  yieldTo?: () => Promise<void>;
}

/** Apply retention once to every project that has one; returns what each lost. */
export async function applyRetention(store: Pick<Store, 'retention'>, o: RetentionOptions): Promise<RetentionResult[]> {
  const now = (o.now ?? Date.now)();
  const slice = o.sliceSize ?? 2000;
  const out: RetentionResult[] = [];
  for (const { projectId, days } of await store.retention.policies(o.defaultDays)) {
    if (o.projectId && o.projectId !== projectId) continue;
    const before = new Date(now - days * DAY_MS);
    const r: RetentionResult = { projectId, days, before: before.toISOString(), traces: 0, spans: 0, evaluations: 0 };
    if (o.dryRun) {
      r.traces = await store.retention.count(projectId, before);
    } else {
      for (;;) {
        const p = await store.retention.purge(projectId, before, slice);
        r.traces += p.traces;
        r.spans += p.spans;
        r.evaluations += p.evaluations;
        if (p.traces < slice) break;
        await o.yieldTo?.();
      }
    }
    out.push(r);
  }
  return out;
}

/** Apply retention now and then every `intervalMs`; `stop()` waits for a pass in progress. */
export function startRetention(
  store: Pick<Store, 'retention'>,
  o: RetentionOptions & { intervalMs: number; onPass?: (r: RetentionResult[]) => void; onError?: (e: unknown) => void },
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  const pass = () => {
    if (running || stopped) return;
    running = applyRetention(store, o)
      .then((r) => o.onPass?.(r), (e: unknown) => o.onError?.(e))
      .finally(() => (running = undefined));
  };
  // The first pass waits a little after start-up, when a restarted server has a backlog to ingest.
  const first = setTimeout(pass, Math.min(o.intervalMs, 300_000));
  const timer = setInterval(pass, o.intervalMs);
  first.unref();
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
