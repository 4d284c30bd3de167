import type { EvaluationConfig, Trace } from '../core/index.js';
import type { Logger } from '../core/logger.js';
import type { NewEvaluation } from '../storage/index.js';
import type { EvalTrace, Judge, Metric, MetricDeps, MetricResult } from './contract.js';
import { JudgeError } from './judge/client.js';
import { webhookMetric, WebhookMetricError } from './metrics/webhook.js';
import type { MetricRegistry } from './registry.js';

export function toEvalTrace(t: Trace): EvalTrace {
  return { id: t.id, projectId: t.project_id, query: t.query, response: t.response, contexts: t.contexts, reference: t.reference, metadata: t.metadata };
}

export interface EvaluationOutcome {
  rows: NewEvaluation[];
  /** A failure worth retrying later (judge or webhook unavailable); the rows that succeeded are still valid. */
  retryable?: Error;
}

function isRetryable(e: unknown): boolean {
  return (e instanceof JudgeError && e.retryable) || e instanceof WebhookMetricError;
}

/** Runs a project's metrics over one trace. */
export function createEvaluator(deps: { registry: MetricRegistry; judge?: Judge | undefined; logger: Logger; fetch?: typeof fetch }) {
  function metricsFor(config: EvaluationConfig, only?: string[]): Metric[] {
    const custom = new Map(config.custom_metrics.map((c) => [c.name, webhookMetric(c, deps.fetch)]));
    const wanted = only ?? [...config.metrics, ...custom.keys()];
    const out: Metric[] = [];
    for (const name of new Set(wanted)) {
      const m = custom.get(name) ?? deps.registry.get(name);
      if (m) out.push(m);
      else deps.logger.warn({ metric: name }, 'unknown metric in evaluation config; skipped');
    }
    // A derived metric needs its sources even when they were not asked for by name.
    for (const m of [...out]) for (const src of m.derivedFrom ?? []) if (!out.some((x) => x.name === src)) {
      const s = deps.registry.get(src);
      if (s) out.unshift(s);
    }
    return out;
  }

  return {
    /** Names of metrics that would run for this config. */
    metricNames: (config: EvaluationConfig) => metricsFor(config).map((m) => m.name),

    async evaluate(trace: EvalTrace, config: EvaluationConfig, only?: string[]): Promise<EvaluationOutcome> {
      const judge = config.evaluator === 'local' ? undefined : (deps.judge?.forProject?.(trace.projectId) ?? deps.judge);
      const md: MetricDeps = { judge, config };
      const metrics = metricsFor(config, only);
      const results = new Map<string, MetricResult>();
      let retryable: Error | undefined;
      const direct = metrics.filter((m) => !m.derive);
      const settled = await Promise.allSettled(direct.map((m) => m.evaluate(trace, md)));
      settled.forEach((s, i) => {
        const m = direct[i]!;
        if (s.status === 'fulfilled') results.set(m.name, s.value);
        else if (isRetryable(s.reason)) retryable ??= s.reason as Error;
        else {
          deps.logger.warn({ err: s.reason, metric: m.name, trace: trace.id }, 'metric failed');
          results.set(m.name, { score: null, label: 'error', reason: `metric failed: ${(s.reason as Error).message}`, evaluator: judge ? `judge:${judge.model}` : 'local', version: 'error' });
        }
      });
      for (const m of metrics) if (m.derive && m.derivedFrom?.every((d) => results.has(d))) results.set(m.name, m.derive(results, md));
      const rows: NewEvaluation[] = [...results].map(([name, r]) => ({
        project_id: trace.projectId,
        trace_id: trace.id,
        metric: name,
        metric_version: r.version,
        evaluator: r.evaluator,
        score: r.score === null || Number.isNaN(r.score) ? null : r.score,
        label: r.label ?? null,
        reason: r.reason,
        details: r.details ?? {},
        cost_usd: r.cost_usd ?? 0,
        tokens: r.tokens ?? 0,
      }));
      return retryable ? { rows, retryable } : { rows };
    },
  };
}

export type Evaluator = ReturnType<typeof createEvaluator>;
