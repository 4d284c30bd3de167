// Live Langfuse ingestion: a batch of events is merged, per trace, into the stored state of that
// trace, and the trace is (re)written through the ordinary ingest path: a new trace is validated,
// group-committed, sampled for evaluation and counted like any other; a trace that changes after it
// was stored is rewritten in place (rollups moved, evaluation re-queued when its text changed).
import { newId } from '../../core/ids.js';
import { AetherError } from '../../core/errors.js';
import { sampled } from '../../core/schemas/evaluation.js';
import { jsonProblem } from '../../core/schemas/safe.js';
import { TRACE_LIMITS, traceInputSchema } from '../../core/schemas/trace.js';
import { fieldIssues, parseOrThrow } from '../../core/validate.js';
import type { LangfuseRepo, Store, TracesRepo } from '../../storage/index.js';
import type { Ingest, ProjectScope } from '../index.js';
import { normalizeTrace } from '../normalize.js';
import { applyEvents, ingestionBatchSchema, ingestionEventSchema, traceIdOf, type IngestionEvent, type TraceState } from './events.js';
import { hasTraceData, ObservationError, scoreToEvaluation, stateToExport } from './state.js';
import { langfuseToTrace } from './to-trace.js';

export interface LangfuseIngestDeps {
  ingest: Pick<Ingest, 'ingestBatch' | 'prices'>;
  repo: Pick<LangfuseRepo, 'seenEvents' | 'recordEvents' | 'updateStates' | 'rewrite'> & Partial<Pick<LangfuseRepo, 'pruneEvents'>>;
  traces: Pick<TracesRepo, 'getMany'>;
  evaluations: Pick<Store['evaluations'], 'upsert'>;
  samplingRate: (projectId: string) => Promise<number>;
  /** Where sdk-log events go (they carry SDK diagnostics, not trace data). */
  log?: (projectId: string, body: unknown) => void;
}

export interface IngestionSuccess {
  id: string;
  status: number;
}
export interface IngestionError {
  id: string;
  status: number;
  message: string;
  error: unknown;
}
export interface IngestionResult {
  successes: IngestionSuccess[];
  errors: IngestionError[];
  /** Evaluation jobs queued by rewrites (new traces queue theirs through the writer). */
  jobs: number;
}

/** How long an applied event id is remembered for deduplication. */
export const EVENT_MEMORY_MS = 7 * 24 * 3_600_000;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Serialises work on one trace within this process (the state row lock covers the merge itself). */
function keyedMutex() {
  const tails = new Map<string, Promise<unknown>>();
  return async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const prev = tails.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}

/** Hold every key's lock (taken in sorted order, so two batches cannot wait on each other) while `fn` runs. */
function lockAll<T>(lock: ReturnType<typeof keyedMutex>, keys: string[], fn: () => Promise<T>): Promise<T> {
  const [first, ...rest] = keys;
  return first === undefined ? fn() : lock(first, () => lockAll(lock, rest, fn));
}

/** The Langfuse batch ingestion service. */
export function createLangfuseIngest(deps: LangfuseIngestDeps) {
  const lock = keyedMutex();
  let prunedAt = 0;
  /** Forget applied event ids after a week (SDK retries come within minutes), at most hourly. */
  const prune = () => {
    if (!deps.repo.pruneEvents || Date.now() - prunedAt < 3_600_000) return;
    prunedAt = Date.now();
    deps.repo.pruneEvents(new Date(prunedAt - EVENT_MEMORY_MS)).catch(() => {
      prunedAt = 0;
    });
  };

  /**
   * Write the traces the merged states describe: new ones in one ingest batch (one group commit),
   * stored ones rewritten, then the scores of every trace that exists. Returns the traces that could
   * not be written (with why) and the evaluation jobs queued by rewrites.
   */
  async function writeTraces(scope: ProjectScope, states: Map<string, TraceState>): Promise<{ failed: Map<string, unknown>; jobs: number }> {
    const failed = new Map<string, unknown>();
    let jobs = 0;
    const built: Array<{ traceId: string; body: Record<string, unknown> }> = [];
    for (const [traceId, state] of states) {
      if (!hasTraceData(state)) continue;
      try {
        built.push({ traceId, body: langfuseToTrace(stateToExport(traceId, state)) });
      } catch (e) {
        failed.set(traceId, e);
      }
    }
    const stored: typeof built = [];
    for (let i = 0; i < built.length; i += TRACE_LIMITS.batch) {
      const chunk = built.slice(i, i + TRACE_LIMITS.batch);
      const r = await deps.ingest.ingestBatch(scope, { traces: chunk.map((b) => b.body) });
      for (const item of r.results) {
        const b = chunk[item.index]!;
        if (item.status !== 201) failed.set(b.traceId, new AetherError(item.status, item.error.code, item.error.message));
        else if (item.duplicate) stored.push(b);
      }
    }
    if (stored.length) {
      const prices = await deps.ingest.prices.get(scope.id);
      const rate = await deps.samplingRate(scope.id);
      for (const { traceId, body } of stored) {
        try {
          const n = normalizeTrace(scope.id, parseOrThrow(traceInputSchema, body), new Date(), prices);
          jobs += (await deps.repo.rewrite(n.trace, n.spans, sampled(traceId, rate) ? newId() : null)).jobs;
        } catch (e) {
          failed.set(traceId, e);
        }
      }
    }
    // Scores wait in the state until their trace exists (they may come first, or for a trace sent another way).
    const scored = [...states].filter(([id, s]) => Object.keys(s.scores).length && !failed.has(id));
    const elsewhere = scored.filter(([, s]) => !hasTraceData(s)).map(([id]) => ({ projectId: scope.id, id }));
    const exists = new Set((await deps.traces.getMany(elsewhere)).map((t) => t.id));
    const rows = scored.filter(([id, s]) => hasTraceData(s) || exists.has(id)).flatMap(([id, s]) => Object.values(s.scores).map((x) => scoreToEvaluation(scope.id, id, x)));
    if (rows.length) await deps.evaluations.upsert(rows);
    return { failed, jobs };
  }

  return {
    /** Apply one `POST /api/public/ingestion` body; every event gets a success or an error. */
    async ingest(scope: ProjectScope, raw: unknown): Promise<IngestionResult> {
      const envelope = parseOrThrow(ingestionBatchSchema, raw);
      prune();
      const out: IngestionResult = { successes: [], errors: [], jobs: 0 };
      const valid: IngestionEvent[] = [];
      envelope.batch.forEach((x, i) => {
        const r = ingestionEventSchema.safeParse(x);
        const id = typeof (x as { id?: unknown })?.id === 'string' ? (x as { id: string }).id : `batch.${i}`;
        if (!r.success) {
          const issues = fieldIssues(r.error, `batch.${i}`);
          out.errors.push({ id, status: 400, message: `Invalid event: ${issues.map((f) => `${f.field} ${f.message}`).join('; ')}`, error: issues });
        } else valid.push(r.data);
      });
      const seen = await deps.repo.seenEvents(scope.id, [...new Set(valid.map((e) => e.id))]);
      const groups = new Map<string, IngestionEvent[]>();
      for (const e of valid) {
        // A retried event (same id) is acknowledged again and applied once.
        if (seen.has(e.id)) {
          out.successes.push({ id: e.id, status: 201 });
          continue;
        }
        seen.add(e.id);
        if (e.type === 'sdk-log') {
          deps.log?.(scope.id, e.body.log);
          out.successes.push({ id: e.id, status: 201 });
          continue;
        }
        if (e.type !== 'trace-create' && e.type !== 'score-create' && (typeof e.body.id !== 'string' || !e.body.id)) {
          out.errors.push({ id: e.id, status: 400, message: `${e.type}: body.id (the observation id) is required`, error: 'missing_observation_id' });
          continue;
        }
        if (e.type === 'score-create' && (typeof e.body.name !== 'string' || e.body.value === undefined || e.body.value === null)) {
          out.errors.push({ id: e.id, status: 400, message: 'score-create: body.name and body.value are required', error: 'invalid_score' });
          continue;
        }
        // Observations without a trace start one (as Langfuse does); a new trace without an id gets one.
        if (e.type === 'trace-create' && (typeof e.body.id !== 'string' || !e.body.id)) e.body.id = newId();
        if (e.type.endsWith('-update') && !traceIdOf(e)) {
          out.errors.push({ id: e.id, status: 400, message: `${e.type}: body.traceId is required on updates (the Langfuse SDKs send it)`, error: 'missing_trace_id' });
          continue;
        }
        if (e.type !== 'trace-create' && e.type !== 'score-create' && !traceIdOf(e)) e.body.traceId = newId();
        const traceId = traceIdOf(e);
        if (!traceId) {
          out.errors.push({ id: e.id, status: 400, message: `${e.type}: this server attaches scores to traces only; send traceId (session and dataset-run scores are not supported)`, error: 'unsupported' });
          continue;
        }
        if (traceId.length > 128) {
          out.errors.push({ id: e.id, status: 400, message: `${e.type}: trace id is longer than 128 characters`, error: 'invalid_trace_id' });
          continue;
        }
        // Checked alone first, so an event whose fields cannot be read or stored fails alone, not its whole trace.
        const bad = jsonProblem(e.body, 60);
        if (bad) {
          out.errors.push({ id: e.id, status: 400, message: `${e.type}: body.${bad.path.join('.')} ${bad.message}`, error: 'invalid_event' });
          continue;
        }
        try {
          // The trace this event alone would make must pass the trace schema too (times, token counts,
          // costs in range), so a bad observation is refused here and not with its trace's good events.
          if (e.type !== 'score-create') parseOrThrow(traceInputSchema, langfuseToTrace(stateToExport(traceId, applyEvents(undefined, [e]))));
        } catch (err) {
          const why = err instanceof ObservationError ? `${e.type} ${err.id}: ${err.message}` : `${e.type}: ${message(err)}`;
          out.errors.push({ id: e.id, status: 400, message: why, error: 'invalid_event' });
          continue;
        }
        const g = groups.get(traceId);
        if (g) g.push(e);
        else groups.set(traceId, [e]);
      }
      if (groups.size === 0) return out;
      const keys = [...groups.keys()].sort().map((id) => `${scope.id}\u0000${id}`);
      const failure = (ev: IngestionEvent, e: unknown) => {
        const status = e instanceof AetherError && e.status < 500 ? e.status : e instanceof ObservationError ? 400 : 500;
        const msg = e instanceof ObservationError ? `observation ${e.id}: ${e.message}` : status >= 500 ? 'Internal error while storing the trace; retry' : message(e);
        out.errors.push({ id: ev.id, status, message: msg, error: e instanceof AetherError ? e.code : status >= 500 ? 'internal_error' : 'invalid_event' });
      };
      try {
        await lockAll(lock, keys, async () => {
          // Event ids are recorded only once their trace is written, so the SDK's retry of a failed
          // batch applies its events again; merging is idempotent (fields keep their event times).
          const mergeFailed = new Map<string, unknown>();
          const before = new Map<string, unknown>();
          const states = await deps.repo.updateStates(scope.id, [...groups.keys()], (traceId, prev) => {
            before.set(traceId, prev ?? null);
            try {
              const next = applyEvents(prev, groups.get(traceId)!);
              stateToExport(traceId, next);
              return next;
            } catch (e) {
              mergeFailed.set(traceId, e);
              return undefined;
            }
          });
          const { failed, jobs } = await writeTraces(scope, states);
          out.jobs += jobs;
          // A trace whose write failed gets its previous state back: the events of this batch are
          // refused, and must not stay merged in to fail every later event of the same trace.
          const undo = [...failed.keys()].filter((id) => before.has(id));
          if (undo.length) await deps.repo.updateStates(scope.id, undo, (id) => before.get(id) ?? null);
          for (const [id, e] of mergeFailed) failed.set(id, e);
          const done = [...groups].filter(([id]) => !failed.has(id)).flatMap(([, evs]) => evs);
          await deps.repo.recordEvents(scope.id, done.map((e) => e.id));
          for (const e of done) out.successes.push({ id: e.id, status: 201 });
          for (const [id, e] of failed) for (const ev of groups.get(id) ?? []) failure(ev, e);
        });
      } catch (e) {
        const answered = new Set([...out.successes, ...out.errors].map((x) => x.id));
        for (const evs of groups.values()) for (const ev of evs) if (!answered.has(ev.id)) failure(ev, e);
      }
      return out;
    },
  };
}

export type LangfuseIngest = ReturnType<typeof createLangfuseIngest>;
