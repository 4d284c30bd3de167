// The supply catalog: what each model showed, per project and task type, learned from traces and
// evaluations. The table is the truth (SQL increments from every process); each process holds a
// snapshot refreshed in the background so a route decision never waits on the database.
import type { CatalogDelta, CatalogRow, RouterRepo } from '../storage/index.js';
import { PromptIndex } from './knn.js';
import { taskOfText } from './profile.js';

/** Learned figures of one model for one task type (or `*`, all types). */
export interface ModelStats {
  calls: number;
  errorRate: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  ttftP50Ms: number | null;
  msPerOutputToken: number | null;
  meanOutputTokens: number | null;
  /** Decayed Beta posterior over quality (0..1 scores): alpha, beta are decayed successes and failures. */
  quality: { alpha: number; beta: number; mean: number | null; sd: number | null; count: number };
}

const Z95 = 1.645;

/** Derive figures from a row's decayed sums. */
export function statsOf(r: CatalogDelta): ModelStats {
  const logMean = r.lat_w > 0 ? r.lat_log / r.lat_w : undefined;
  const logSd = r.lat_w > 1 ? Math.sqrt(Math.max(0, r.lat_log2 / r.lat_w - (logMean ?? 0) ** 2)) : 0;
  const qa = r.q_alpha;
  const qb = r.q_beta;
  const qn = qa + qb;
  return {
    calls: r.calls,
    errorRate: r.calls > 0 ? r.errors / r.calls : 0,
    latencyP50Ms: logMean === undefined ? null : Math.exp(logMean),
    latencyP95Ms: logMean === undefined ? null : Math.exp(logMean + Z95 * logSd),
    ttftP50Ms: r.ttft_w > 0 ? Math.exp(r.ttft_log / r.ttft_w) : null,
    msPerOutputToken: r.tpot_w > 0 ? r.tpot_sum / r.tpot_w : null,
    meanOutputTokens: r.out_w > 0 ? r.out_sum / r.out_w : null,
    quality: {
      alpha: qa,
      beta: qb,
      mean: qn > 0 ? qa / qn : null,
      sd: qn > 0 ? Math.sqrt((qa * qb) / (qn * qn * (qn + 1))) : null,
      count: r.q_count,
    },
  };
}

/**
 * The catalog's name of a trace's model: `endpoint/model` as the gateway routes it (a gateway trace
 * stores model and provider apart), else the model as the app reported it. Live learning and the
 * index rebuilt from stored evaluations must use the same name: one outcome learned under both
 * (a refresh re-reads it) would move between them, and the drift of either would see no record.
 */
export const catalogModel = (t: { model?: string | null | undefined; provider?: string | null | undefined }): string | undefined =>
  !t.model ? undefined : t.provider && !t.model.includes('/') ? `${t.provider}/${t.model}` : t.model;

/** What a finished call showed (from a stored trace). */
export interface CallObservation {
  projectId: string;
  model: string;
  prompt: string;
  taskLabel?: string | null | undefined;
  latencyMs: number | null;
  error: boolean;
  ttftMs?: number | null | undefined;
  outputTokens?: number | null | undefined;
}

/** A quality score for one trace (0..1; higher is better). */
export interface QualityObservation {
  projectId: string;
  traceId: string;
  model: string;
  prompt: string;
  taskLabel?: string | null | undefined;
  metric: string;
  score: number;
}

const zero = (projectId: string, model: string, taskType: string): CatalogDelta => ({
  project_id: projectId,
  model,
  task_type: taskType,
  calls: 0,
  errors: 0,
  lat_w: 0,
  lat_log: 0,
  lat_log2: 0,
  ttft_w: 0,
  ttft_log: 0,
  ttft_log2: 0,
  tpot_w: 0,
  tpot_sum: 0,
  out_w: 0,
  out_sum: 0,
  q_alpha: 0,
  q_beta: 0,
  q_count: 0,
});

/** Deltas of one call, for its task type and for `*`. */
export function callDeltas(o: CallObservation): CatalogDelta[] {
  const task = taskOfText(o.prompt, o.taskLabel);
  return [task, '*'].map((t) => {
    const d = zero(o.projectId, o.model, t);
    d.calls = 1;
    d.errors = o.error ? 1 : 0;
    if (!o.error && o.latencyMs !== null && o.latencyMs >= 0) {
      const l = Math.log(Math.max(0.1, o.latencyMs));
      d.lat_w = 1;
      d.lat_log = l;
      d.lat_log2 = l * l;
    }
    if (!o.error && o.ttftMs != null && o.ttftMs >= 0) {
      const l = Math.log(Math.max(0.1, o.ttftMs));
      d.ttft_w = 1;
      d.ttft_log = l;
      d.ttft_log2 = l * l;
      if (o.outputTokens && o.latencyMs !== null && o.latencyMs > o.ttftMs) {
        d.tpot_w = 1;
        d.tpot_sum = (o.latencyMs - o.ttftMs) / o.outputTokens;
      }
    }
    if (!o.error && o.outputTokens != null) {
      d.out_w = 1;
      d.out_sum = o.outputTokens;
    }
    return d;
  });
}

/** Deltas of one quality score (a Beta update with a fractional success). */
export function qualityDeltas(o: QualityObservation): CatalogDelta[] {
  const s = Math.min(1, Math.max(0, o.score));
  return [taskOfText(o.prompt, o.taskLabel), '*'].map((t) => ({ ...zero(o.projectId, o.model, t), q_alpha: s, q_beta: 1 - s, q_count: 1 }));
}

export interface CatalogOptions {
  halfLifeSeconds: number;
  /** Metrics whose 0..1 scores count as quality. */
  qualityMetrics: string[];
  /**
   * Past prompts kept per project for nearest neighbours; 0 keeps none (a process that only
   * records what it learns, like the evaluation worker, and never routes).
   */
  maxPrompts: number;
}

type ProjectModels = Map<string, Map<string, ModelStats>>;

/** The in-memory snapshot and the writer of increments. */
export function createCatalog(repo: RouterRepo, opts: CatalogOptions) {
  const stats = new Map<string, ProjectModels>();
  const indexes = new Map<string, { index: PromptIndex; watermark: Date | undefined; loading?: Promise<void> }>();
  let rowsWatermark: Date | undefined;
  let firstRows: Promise<void> | undefined;
  /** How long catalog deltas wait to be written together. */
const FLUSH_MS = 250;
const OVERLAP_MS = 5_000;

  const apply = (rows: CatalogRow[]) => {
    for (const r of rows) {
      let p = stats.get(r.project_id);
      if (!p) stats.set(r.project_id, (p = new Map()));
      let m = p.get(r.model);
      if (!m) p.set(r.model, (m = new Map()));
      m.set(r.task_type, statsOf(r));
      if (!rowsWatermark || r.updated_at > rowsWatermark) rowsWatermark = r.updated_at;
    }
  };

  const addOutcome = (index: PromptIndex, o: QualityObservation) =>
    index.add(o.prompt, { traceId: o.traceId, metric: o.metric, model: o.model, score: Math.min(1, Math.max(0, o.score)), taskType: taskOfText(o.prompt, o.taskLabel) });

  async function refreshRows(): Promise<void> {
    const since = rowsWatermark ? new Date(rowsWatermark.getTime() - OVERLAP_MS) : undefined;
    apply(await repo.rowsSince(since, opts.halfLifeSeconds));
  }

  // Deltas are queued and written together every FLUSH_MS in one statement (summed per row), so the
  // catalog costs the store one write per interval, not one per ingest batch or evaluated trace: on
  // the embedded store every statement waits for the single connection that ingestion also needs.
  let queued: Parameters<typeof repo.increment>[0] = [];
  let waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  let timer: NodeJS.Timeout | undefined;
  async function flushDeltas(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const [batch, done] = [queued, waiters];
    [queued, waiters] = [[], []];
    try {
      if (batch.length) await repo.increment(batch, opts.halfLifeSeconds);
      for (const w of done) w.resolve();
      if (batch.length) soon();
    } catch (e) {
      for (const w of done) w.reject(e);
      throw e;
    }
  }
  function enqueue(deltas: Parameters<typeof repo.increment>[0]): Promise<void> {
    if (deltas.length === 0) return Promise.resolve();
    for (const d of deltas) queued.push(d);
    const p = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    if (!timer) {
      timer = setTimeout(() => void flushDeltas().catch(() => {}), FLUSH_MS);
      timer.unref();
    }
    return p;
  }

  // This process's own writes show up ~100 ms later (one read for any number of writes meanwhile).
  let pending: NodeJS.Timeout | undefined;
  const soon = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      refreshRows().catch(() => {});
    }, 100);
    pending.unref();
  };

  async function loadOutcomes(projectId: string): Promise<void> {
    const slot = indexes.get(projectId)!;
    const since = slot.watermark ? new Date(slot.watermark.getTime() - OVERLAP_MS) : undefined;
    const rows = await repo.outcomes(projectId, opts.qualityMetrics, { since, limit: opts.maxPrompts });
    // Oldest first, so the bounded index evicts the oldest.
    for (let i = rows.length - 1; i >= 0; i--) {
      const r = rows[i]!;
      addOutcome(slot.index, { projectId, traceId: r.trace_id, model: catalogModel(r)!, prompt: r.query, taskLabel: r.task_type, metric: r.metric, score: r.score });
      if (!slot.watermark || r.created_at > slot.watermark) slot.watermark = r.created_at;
    }
  }

  return {
    options: opts,
    /** Every model's figures for a project: model → task type (or `*`) → stats. */
    models(projectId: string): ProjectModels {
      return stats.get(projectId) ?? new Map();
    },
    /** The project's prompt index (empty until `ensure` has loaded it). */
    index(projectId: string): PromptIndex {
      let slot = indexes.get(projectId);
      if (!slot) indexes.set(projectId, (slot = { index: new PromptIndex(opts.maxPrompts), watermark: undefined }));
      return slot.index;
    },
    /** Load a project's past outcomes on first use (later refreshes add new ones). */
    async ensure(projectId: string): Promise<void> {
      firstRows ??= refreshRows();
      await firstRows;
      this.index(projectId);
      const slot = indexes.get(projectId)!;
      if (slot.watermark === undefined && !slot.loading) slot.loading = loadOutcomes(projectId);
      await slot.loading;
    },
    /** Read rows and outcomes changed since the last refresh (another process may have written them). */
    async refresh(): Promise<void> {
      await refreshRows();
      for (const [projectId, slot] of indexes) if (slot.watermark !== undefined || slot.loading) await loadOutcomes(projectId);
    },
    /** Record finished calls (latency, errors, streaming timings); resolves once they are stored. */
    async observeCalls(calls: CallObservation[]): Promise<void> {
      await enqueue(calls.flatMap(callDeltas));
    },
    /** Record quality scores: this process's prompt index at once, the catalog row with the next flush. */
    async observeQuality(scores: QualityObservation[]): Promise<void> {
      const usable = scores.filter((s) => Number.isFinite(s.score));
      if (opts.maxPrompts > 0) for (const s of usable) addOutcome(this.index(s.projectId), s);
      await enqueue(usable.flatMap(qualityDeltas));
    },
    /** Store what is queued now (at shutdown). */
    flush: () => flushDeltas(),
  };
}

export type Catalog = ReturnType<typeof createCatalog>;
