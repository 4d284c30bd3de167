import { newId } from '../core/ids.js';
import { errors, type FieldIssue } from '../core/errors.js';
import { TRACE_LIMITS, type SpanInput, type TraceInput } from '../core/schemas/trace.js';
import type { PriceOverrides } from '../core/pricing/index.js';
import type { NewSpan, NewTrace } from '../storage/index.js';
import { spanCost, traceCost } from './cost.js';

export interface NormalizedTrace {
  trace: NewTrace;
  spans: NewSpan[];
  /** Enqueue an evaluation with the trace (decided by the project's sampling rate). */
  evaluate?: boolean;
}

/** Flatten nested spans into rows with parent ids, checking ids are unique within the trace. */
function flattenSpans(projectId: string, traceId: string, input: SpanInput[], prices: PriceOverrides, computed: Set<string>): NewSpan[] {
  const out: NewSpan[] = [];
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  const walk = (spans: SpanInput[], parent: string | null, path: string, depth: number) => {
    if (depth > TRACE_LIMITS.spanDepth) {
      issues.push({ field: path, message: `spans nest deeper than ${TRACE_LIMITS.spanDepth} levels` });
      return;
    }
    spans.forEach((s, i) => {
      const here = `${path}.${i}`;
      const id = s.id ?? newId();
      const cost = spanCost(s, prices);
      if (s.cost_usd === undefined && cost !== null) computed.add(id);
      if (seen.has(id)) issues.push({ field: `${here}.id`, message: `duplicates span id "${id}" in this trace` });
      seen.add(id);
      if (s.end_time && s.end_time < s.start_time) {
        issues.push({ field: `${here}.end_time`, message: 'is before start_time' });
      }
      out.push({
        project_id: projectId,
        trace_id: traceId,
        id,
        parent_id: s.parent_id ?? parent,
        name: s.name,
        kind: s.kind,
        start_time: s.start_time,
        end_time: s.end_time ?? null,
        status: s.status ?? (s.error ? 'error' : 'success'),
        error: s.error ?? null,
        model: s.model ?? null,
        input_tokens: s.input_tokens ?? null,
        output_tokens: s.output_tokens ?? null,
        cost_usd: cost,
        input: s.input ?? null,
        output: s.output ?? null,
        attributes: s.attributes ?? {},
      });
      if (s.spans?.length) walk(s.spans, id, `${here}.spans`, depth + 1);
    });
  };
  walk(input, null, 'spans', 1);
  if (out.length > TRACE_LIMITS.spans) issues.push({ field: 'spans', message: `more than ${TRACE_LIMITS.spans} spans in one trace` });
  if (issues.length) throw errors.validation(issues);
  return out;
}

/** Turn a validated trace body into rows, filling ids, totals, status and (when not sent) costs. */
export function normalizeTrace(projectId: string, input: TraceInput, now: Date = new Date(), prices: PriceOverrides = {}): NormalizedTrace {
  const id = input.id ?? newId(now.getTime());
  const tokenCount =
    input.token_count ??
    (input.input_tokens !== undefined || input.output_tokens !== undefined
      ? (input.input_tokens ?? 0) + (input.output_tokens ?? 0)
      : null);
  const computed = new Set<string>();
  const spans = input.spans ? flattenSpans(projectId, id, input.spans, prices, computed) : [];
  const cost = traceCost(input, spans, computed, prices);
  return {
    trace: {
      project_id: projectId,
      id,
      ts: input.timestamp ?? now,
      query: input.query,
      response: input.response ?? null,
      contexts: input.contexts,
      reference: input.reference ?? null,
      model: input.model ?? null,
      provider: input.provider ?? null,
      input_tokens: input.input_tokens ?? null,
      output_tokens: input.output_tokens ?? null,
      token_count: tokenCount,
      latency_ms: input.latency_ms ?? null,
      cost_usd: cost.cost_usd,
      cost_source: cost.cost_source,
      user_id: input.user_id ?? null,
      session_id: input.session_id ?? null,
      tags: [...new Set(input.tags)],
      metadata: input.metadata,
      status: input.status ?? (input.error ? 'error' : 'success'),
      error: input.error ?? null,
      span_count: spans.length,
    },
    spans,
  };
}
