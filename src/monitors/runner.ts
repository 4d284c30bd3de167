import type { AlertSettings } from '../alerts/index.js';
import { DEFAULT_EVALUATION_CONFIG, type CustomMetricConfig, type EvaluationConfig, type Logger } from '../core/index.js';
import type { Evaluator } from '../evals/index.js';
import type { MonitorRecord, MonitorStatus, NewEvaluation, NewMonitorResult, Store } from '../storage/index.js';
import { createExtractor } from './extract.js';
import { publishStatusChange, type WorstItem } from './publish.js';
import { sample } from './sample.js';
import { createSource, type SourceItem } from './sources/index.js';
import type { MonitorSpec } from './spec.js';
import { aggregate, boundOf, statusOf, worst } from './status.js';

export interface MonitorDeps {
  store: Pick<Store, 'monitors' | 'traces' | 'evaluations' | 'alerts'>;
  evaluator: Evaluator;
  alertSettings?: AlertSettings | undefined;
  logger: Logger;
  env?: Readonly<Record<string, string | undefined>>;
  fetch?: typeof fetch;
  publicUrl?: string;
  /** A claim older than this whose run never finished may be taken over (default 15 min). */
  claimStaleMs?: number;
  /** Items scored at once (default 8). */
  concurrency?: number;
}

export interface RunOptions {
  trigger: 'schedule' | 'catch_up' | 'api' | 'cli';
  dryRun?: boolean;
  since?: Date;
  until?: Date;
  /** Relative paths of the spec resolve here (the YAML file's folder). */
  baseDir?: string;
}

export type RunReport = {
  runId: string | null;
  monitor: string;
  dryRun: boolean;
  window: { from: string | null; to: string };
  itemsSeen: number;
  sampled: number;
  scored: number;
  skippedDuplicates: number;
  failed: number;
  costUsd: number;
  durationMs: number;
  errors: string[];
  aggregates: Record<string, { value: number | null; n: number }>;
  metricStatus: Record<string, MonitorStatus>;
  status: MonitorStatus;
  previousStatus: MonitorStatus;
  notified: boolean;
};

/** The evaluation config a monitor's metric list amounts to. */
export function evaluationConfigOf(spec: MonitorSpec): EvaluationConfig {
  const custom = spec.metrics.filter((m): m is CustomMetricConfig => 'type' in m);
  const thresholds: Record<string, number> = {};
  let hallucination = DEFAULT_EVALUATION_CONFIG.hallucination_threshold;
  for (const m of spec.metrics) {
    if ('type' in m) continue;
    if (m.threshold !== undefined) thresholds[m.name] = m.threshold;
    if (m.hallucination_threshold !== undefined) hallucination = m.hallucination_threshold;
  }
  return {
    ...DEFAULT_EVALUATION_CONFIG,
    metrics: spec.metrics.filter((m) => !('type' in m)).map((m) => m.name),
    custom_metrics: custom,
    evaluator: spec.evaluator,
    thresholds,
    hallucination_threshold: hallucination,
  };
}

async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

/** Run a monitor once: list, sample, claim (dedup), extract, score, store, publish. */
export async function runMonitor(d: MonitorDeps, monitor: MonitorRecord, spec: MonitorSpec, opts: RunOptions): Promise<RunReport> {
  const started = performance.now();
  const dryRun = !!opts.dryRun;
  const until = opts.until ?? new Date();
  const w = 'window' in spec.source ? spec.source.window : undefined;
  const since = opts.since ?? (w ? ((w.since_last_run ? monitor.windowEnd : null) ?? new Date(until.getTime() - w.lookback_minutes * 60_000)) : null);
  const baseDir = opts.baseDir ?? process.cwd();
  const source = createSource(spec.source, monitor.projectId, baseDir, { fields: spec.sampling.strategy === 'stratified' });
  const key = { projectId: monitor.projectId, sourceKey: source.key, monitorId: monitor.id };
  const runId = dryRun ? null : await d.store.monitors.startRun({ ...key, trigger: opts.trigger, dryRun, windowFrom: since, windowTo: until });
  const errors: string[] = [];
  const ctx = { projectId: monitor.projectId, since, until, baseDir, env: d.env ?? {}, fetch: d.fetch ?? fetch, store: d.store };
  const scores = new Map<string, Array<{ item: SourceItem; score: number | null; reason: string | null }>>();
  let items: SourceItem[] = [];
  let sampled: SourceItem[] = [];
  let claimed: SourceItem[] = [];
  let scored = 0;
  let failed = 0;
  let cost = 0;
  let fatal = false;
  try {
    items = await source.list(ctx);
    // Keyed by name, not row id: a dry run draws the same sample the real run will.
    sampled = sample(items, spec.sampling, `${monitor.projectId}/${monitor.name}`);
    if (runId) {
      const won = await d.store.monitors.claim({ ...key, runId }, sampled.map((i) => i.id), d.claimStaleMs ?? 15 * 60_000);
      claimed = sampled.filter((i) => won.has(i.id));
    } else {
      const seen = await d.store.monitors.seen(key, sampled.map((i) => i.id));
      claimed = sampled.filter((i) => !seen.has(i.id));
    }
    const bodies = source.load ? await source.load(claimed, ctx) : new Map(claimed.map((i) => [i.id, i.fields]));
    const extract = await createExtractor(spec.extractor, baseDir);
    const config = evaluationConfigOf(spec);
    const groups = new Map<EvaluationConfig['evaluator'], string[]>();
    for (const m of spec.metrics) {
      const ev = ('type' in m ? undefined : m.evaluator) ?? spec.evaluator;
      groups.set(ev, [...(groups.get(ev) ?? []), m.name]);
    }
    const wanted = new Set(spec.metrics.map((m) => m.name));
    const done: string[] = [];
    const retry: string[] = [];
    const results: NewMonitorResult[] = [];
    const evaluations: NewEvaluation[] = [];
    await pool(claimed, d.concurrency ?? 8, async (item) => {
      try {
        const body = bodies.get(item.id);
        const input = body ? await extract(body) : null;
        if (!input) {
          failed++;
          errors.push(`${item.id}: ${body ? 'the extractor skipped it' : 'no longer in the source'}`);
          done.push(item.id);
          return;
        }
        const rows: NewEvaluation[] = [];
        let again: Error | undefined;
        for (const [ev, names] of groups) {
          const out = await d.evaluator.evaluate({ id: item.traceId ?? item.id, projectId: monitor.projectId, ...input }, { ...config, evaluator: ev }, names);
          rows.push(...out.rows.filter((r) => wanted.has(r.metric)));
          again ??= out.retryable;
        }
        if (again) {
          retry.push(item.id);
          errors.push(`${item.id}: ${again.message} (will retry next run)`);
          return;
        }
        for (const r of rows) {
          cost += r.cost_usd;
          const evaluator = `monitor:${monitor.name}/${r.evaluator}`;
          results.push({ ...key, runId: runId ?? '', itemId: item.id, traceId: item.traceId ?? null, metric: r.metric, score: r.score, label: r.label, reason: r.reason, evaluator, costUsd: r.cost_usd, query: input.query.slice(0, 10_000), response: input.response?.slice(0, 10_000) ?? null, itemTs: item.ts });
          if (item.traceId) evaluations.push({ ...r, evaluator, details: { ...r.details, monitor: monitor.name, monitor_run: runId } });
          scores.set(r.metric, [...(scores.get(r.metric) ?? []), { item, score: r.score, reason: r.reason }]);
        }
        scored++;
        done.push(item.id);
      } catch (e) {
        failed++;
        retry.push(item.id);
        errors.push(`${item.id}: ${(e as Error).message}`);
      }
    });
    if (runId) {
      await d.store.monitors.insertResults(results);
      if (spec.publish.evaluations && evaluations.length) await d.store.evaluations.upsert(evaluations);
      await d.store.monitors.markScored({ ...key, runId }, done);
      await d.store.monitors.release({ ...key, runId }, retry);
    }
  } catch (e) {
    fatal = true;
    errors.push((e as Error).message);
    d.logger.warn({ err: e, monitor: monitor.name }, 'monitor run failed');
  }

  const aggregates: RunReport['aggregates'] = {};
  const metricStatus: Record<string, MonitorStatus> = {};
  const cfg = evaluationConfigOf(spec);
  for (const m of spec.metrics) {
    const t = spec.thresholds[m.name];
    const s = (scores.get(m.name) ?? []).map((x) => x.score);
    aggregates[m.name] = aggregate(s, t?.aggregate ?? 'mean', cfg.thresholds[m.name] ?? 0.5);
    if (t) metricStatus[m.name] = statusOf(aggregates[m.name]!, t);
  }
  const status = fatal ? 'NO_DATA' : worst(Object.values(metricStatus));
  let previousStatus = monitor.status;
  let notified = false;
  if (runId) {
    // A run without data keeps the monitor's last known status: quiet hours do not flap alerts.
    const keep = status === 'NO_DATA';
    previousStatus = await d.store.monitors.setStatus(monitor.id, {
      status: keep ? monitor.status : status,
      metricStatus: keep ? monitor.metricStatus : metricStatus,
      windowEnd: fatal ? null : until,
    });
    if (!keep && status !== previousStatus && spec.publish.alerts) {
      const worstItems: WorstItem[] = [...scores]
        .filter(([m]) => spec.thresholds[m])
        .flatMap(([metric, xs]) => xs.filter((x) => x.score !== null).map((x) => ({ itemId: x.item.id, traceId: x.item.traceId ?? null, metric, score: x.score!, reason: x.reason })))
        .sort((a, b) => a.score - b.score)
        .slice(0, spec.publish.worst_items);
      const base = (d.publicUrl ?? '').replace(/\/$/, '');
      const r = await publishStatusChange(d.store, d.alertSettings, {
        projectId: monitor.projectId, monitorId: monitor.id, monitorName: monitor.name, from: previousStatus, to: status, runId,
        metrics: Object.entries(metricStatus).map(([metric, st]) => ({ metric, aggregate: spec.thresholds[metric]!.aggregate, ...aggregates[metric]!, status: st, bound: boundOf(spec.thresholds[metric]!, st) })),
        worst: worstItems, link: (p) => `${base}${p}`,
      }).catch((e: unknown) => (errors.push(`publishing the status change failed: ${(e as Error).message}`), { notified: false }));
      notified = r.notified;
    }
  }
  const durationMs = Math.round(performance.now() - started);
  const report: RunReport = {
    runId, monitor: monitor.name, dryRun, window: { from: since?.toISOString() ?? null, to: until.toISOString() },
    itemsSeen: items.length, sampled: sampled.length, scored, skippedDuplicates: sampled.length - claimed.length, failed, costUsd: cost, durationMs,
    errors, aggregates, metricStatus, status, previousStatus, notified,
  };
  if (runId) {
    await d.store.monitors.finishRun(runId, { ...report, status: fatal ? 'failed' : errors.length ? 'partial' : 'ok', metricStatus });
  }
  return report;
}
