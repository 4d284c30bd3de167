import { newId } from '../../core/ids.js';
import { sampled } from '../../core/schemas/evaluation.js';
import { TRACE_LIMITS, traceInputSchema } from '../../core/schemas/trace.js';
import { parseOrThrow } from '../../core/validate.js';
import type { PriceOverrides } from '../../core/pricing/index.js';
import type { SpansRepo, TracePatch } from '../../storage/index.js';
import type { Ingest, ProjectScope } from '../index.js';
import { normalizeTrace } from '../normalize.js';
import type { DecodedExport, SpanRejection } from './model.js';
import { buildTraces, type BuiltTrace } from './to-traces.js';

export interface OtlpReceiverDeps {
  ingest: Pick<Ingest, 'ingestBatch'>;
  spans: Pick<SpansRepo, 'append'>;
  /** The project's evaluation sampling rate (0 disables), as for REST ingestion. */
  samplingRate: (projectId: string) => Promise<number>;
  /** The project's own model prices, as for REST ingestion. */
  prices?: (projectId: string) => Promise<PriceOverrides>;
}

export interface ExportOutcome {
  /** Spans of traces stored by this request. */
  acceptedSpans: number;
  /** Spans added to traces an earlier request created. */
  appendedSpans: number;
  /** Spans already stored (a retried request): accepted, nothing written. */
  duplicateSpans: number;
  rejectedSpans: number;
  /** Why spans were rejected ('' when none were). */
  errorMessage: string;
  evaluationsQueued: number;
}

function summarize(rejections: SpanRejection[]): string {
  if (rejections.length === 0) return '';
  const shown = rejections.slice(0, 5).map((r) => `${r.where}${r.count > 1 ? ` (${r.count} spans)` : ''}: ${r.reason}`);
  const more = rejections.length > 5 ? `; and ${rejections.length - 5} more` : '';
  return `${shown.join('; ')}${more}`;
}

/** Turn a later batch of a stored trace into spans to append and a patch of the trace's empty fields. */
function patchOf(projectId: string, t: BuiltTrace, rate: number, prices: PriceOverrides) {
  const n = normalizeTrace(projectId, parseOrThrow(traceInputSchema, t.body), new Date(), prices);
  const tr = n.trace;
  const patch: TracePatch = {
    project_id: projectId,
    id: tr.id,
    root_ts: t.hasRoot ? tr.ts : null,
    root_latency_ms: t.hasRoot ? tr.latency_ms : null,
    query: t.rootQuery ?? (tr.query || null),
    response: t.rootResponse ?? tr.response,
    from_root: { query: t.rootQuery !== undefined, response: t.rootResponse !== undefined },
    contexts: tr.contexts.length ? tr.contexts : null,
    model: tr.model,
    provider: tr.provider,
    user_id: tr.user_id,
    session_id: tr.session_id,
    cost_source: tr.cost_source,
    error: tr.status === 'error' ? (tr.error ?? 'a span failed') : null,
    job_id: sampled(tr.id, rate) ? newId() : null,
  };
  return { spans: n.spans, patch };
}

/**
 * OTLP export → Aether traces. New trace ids go through the ordinary ingest path (validation,
 * group commit, evaluation sampling). A trace id already stored is an exporter sending the rest of
 * that trace: its spans are appended and the trace's totals and empty fields updated.
 */
export function createOtlpReceiver(deps: OtlpReceiverDeps) {
  return {
    async export(scope: ProjectScope, decoded: DecodedExport): Promise<ExportOutcome> {
      const { traces, rejected } = buildTraces(decoded.spans);
      const rejections = [...decoded.rejected, ...rejected];
      let acceptedSpans = 0;
      const later: BuiltTrace[] = [];
      for (let i = 0; i < traces.length; i += TRACE_LIMITS.batch) {
        const chunk = traces.slice(i, i + TRACE_LIMITS.batch);
        const r = await deps.ingest.ingestBatch(scope, { traces: chunk.map((t) => t.body) });
        for (const item of r.results) {
          const t = chunk[item.index]!;
          if (item.status !== 201) rejections.push({ where: `trace ${t.id}`, reason: item.error.message, count: t.spanCount });
          else if (item.duplicate) later.push(t);
          else acceptedSpans += t.spanCount;
        }
      }
      let appended = { spans: 0, jobs: 0 };
      let laterSpans = 0;
      if (later.length) {
        const rate = await deps.samplingRate(scope.id);
        const prices = (await deps.prices?.(scope.id)) ?? {};
        const parts = later.map((t) => patchOf(scope.id, t, rate, prices));
        laterSpans = parts.reduce((n, p) => n + p.spans.length, 0);
        appended = await deps.spans.append(parts.flatMap((p) => p.spans), parts.map((p) => p.patch));
      }
      return {
        acceptedSpans,
        appendedSpans: appended.spans,
        duplicateSpans: laterSpans - appended.spans,
        rejectedSpans: rejections.reduce((n, r) => n + r.count, 0),
        errorMessage: summarize(rejections),
        evaluationsQueued: appended.jobs,
      };
    },
  };
}

export type OtlpReceiver = ReturnType<typeof createOtlpReceiver>;
