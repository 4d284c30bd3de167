// OTel spans → Aether trace bodies. One OTel trace id becomes one Aether trace (same id) holding all
// its spans, parents kept; trace-level fields come from the root span, falling back to the LLM spans.
// The bodies go through the ordinary ingest path, so they are validated like any REST trace.
import { TRACE_LIMITS, type Context, type SpanKind } from '../../core/index.js';
import { SPAN_KIND_NAMES, type Attributes, type OtlpSpan, type SpanRejection } from './model.js';
import * as sc from './semconv.js';
import { usageTotals } from './usage.js';

export interface BuiltTrace {
  id: string;
  /** A `POST /api/v1/traces` body. */
  body: Record<string, unknown>;
  spanCount: number;
  /** The request held the trace's root span (the one without a parent). */
  hasRoot: boolean;
  /** What the root span itself says; it outranks what an earlier request took from other spans. */
  rootQuery: string | undefined;
  rootResponse: string | undefined;
}

interface Facts {
  s: OtlpSpan;
  a: Attributes;
  kind: SpanKind;
  usage: { input?: number; output?: number; total?: number };
  cost: number | undefined;
}

const clip = (s: string | undefined, n: number) => (s === undefined || s === '' ? undefined : s.slice(0, n));
const CONTENT_EVENTS = new Set(['gen_ai.content.prompt', 'gen_ai.content.completion']);

function facts(s: OtlpSpan): Facts {
  // Instrumentations of the 2024 GenAI conventions put prompt and completion on span events.
  let a = s.attributes;
  for (const e of s.events) if (CONTENT_EVENTS.has(e.name)) a = { ...e.attributes, ...a };
  return { s, a, kind: sc.spanKind(a), usage: sc.spanUsage(a), cost: sc.spanCost(s.attributes) };
}

function spanError(s: OtlpSpan): string | undefined {
  if (s.status.code !== 2) return undefined;
  const ex = s.events.find((e) => e.name === 'exception');
  const msg = s.status.message || (typeof ex?.attributes['exception.message'] === 'string' ? ex.attributes['exception.message'] : '');
  return (msg || `span "${s.name}" ended with status ERROR`).slice(0, 100_000);
}

function spanBody(f: Facts, traceScope: string): Record<string, unknown> {
  const { s } = f;
  const input = sc.spanInput(s.attributes);
  const output = sc.spanOutput(s.attributes);
  // Copy without the attributes that became input/output (cheaper than copying and deleting).
  const attributes: Record<string, unknown> = {};
  for (const k in s.attributes) if (k !== input?.key && k !== output?.key) attributes[k] = s.attributes[k];
  if (s.kind > 1) attributes['otel.span_kind'] = SPAN_KIND_NAMES[s.kind] ?? s.kind;
  if (s.scope.name !== traceScope) attributes['otel.scope.name'] = s.scope.name;
  if (s.events.length) attributes['otel.events'] = s.events.map((e) => ({ name: e.name, time: new Date(Math.floor(e.timeMs)).toISOString(), attributes: e.attributes }));
  if (s.links.length) attributes['otel.links'] = s.links;
  const error = spanError(s);
  const model = clip(sc.spanModel(f.a), 256);
  const details = sc.spanUsageDetails(f.a);
  return {
    id: s.spanId,
    ...(s.parentSpanId ? { parent_id: s.parentSpanId } : {}),
    name: clip(s.name, 512) ?? `(unnamed ${f.kind} span)`,
    kind: f.kind,
    start_time: Math.floor(s.startMs),
    ...(s.endMs !== undefined ? { end_time: Math.floor(s.endMs) } : {}),
    status: error ? 'error' : 'success',
    ...(error ? { error } : {}),
    ...(model ? { model } : {}),
    ...(f.usage.input !== undefined ? { input_tokens: f.usage.input } : {}),
    ...(f.usage.output !== undefined ? { output_tokens: f.usage.output } : {}),
    ...(details ? { usage_details: details } : {}),
    ...(f.cost !== undefined ? { cost_usd: f.cost } : {}),
    ...(input ? { input: input.value } : {}),
    ...(output ? { output: output.value } : {}),
    attributes,
  };
}

function firstOf<T>(order: Facts[], pick: (f: Facts) => T | undefined): T | undefined {
  for (const f of order) {
    const v = pick(f);
    if (v !== undefined) return v;
  }
  return undefined;
}

function traceBody(id: string, all: Facts[]): BuiltTrace {
  const ids = new Set(all.map((f) => f.s.spanId));
  const root = all.find((f) => !f.s.parentSpanId);
  const top = root ?? all.find((f) => !ids.has(f.s.parentSpanId!)) ?? all[0]!;
  const llms = all.filter((f) => f.kind === 'llm');
  const byEnd = [...llms].sort((x, y) => (y.s.endMs ?? y.s.startMs) - (x.s.endMs ?? x.s.startMs));
  const rootFirst = [top, ...llms, ...all];
  const contexts: Context[] = all.flatMap((f) => sc.spanContexts(f.a)).slice(0, TRACE_LIMITS.contexts);
  const resource = top.s.resource;
  const errorSpan = all.find((f) => f.s.status.code === 2);
  const start = root ? root.s.startMs : Math.min(...all.map((f) => f.s.startMs));
  const end = root ? root.s.endMs : Math.max(...all.map((f) => f.s.endMs ?? f.s.startMs));
  const tags = [...new Set(all.flatMap((f) => sc.spanTags(f.a)))].slice(0, TRACE_LIMITS.tags).map((t) => t.slice(0, TRACE_LIMITS.tagLength));
  const opt = (k: string, v: string | undefined, n = 256) => (clip(v, n) !== undefined ? { [k]: clip(v, n) } : {});
  const body: Record<string, unknown> = {
    id,
    timestamp: Math.floor(start),
    query: (sc.spanQuery(top.a) ?? firstOf(llms, (f) => sc.spanQuery(f.a)) ?? firstOf(all, (f) => sc.spanQuery(f.a)) ?? '').slice(0, TRACE_LIMITS.textLength),
    ...opt('response', sc.spanResponse(top.a) ?? firstOf(byEnd, (f) => sc.spanResponse(f.a)), TRACE_LIMITS.textLength),
    contexts: contexts.map((c) => ({ ...c, text: c.text.slice(0, TRACE_LIMITS.textLength), ...(c.source ? { source: c.source.slice(0, 2048) } : {}) })),
    ...opt('model', firstOf(rootFirst, (f) => sc.spanModel(f.a))),
    ...opt('provider', firstOf(rootFirst, (f) => sc.spanProvider(f.a))),
    ...usageTotals(all.map((f) => ({ id: f.s.spanId, parentId: f.s.parentSpanId, isLlm: f.kind === 'llm', ...f.usage, cost: f.cost }))),
    ...(end !== undefined && end >= start ? { latency_ms: Math.round((end - start) * 1000) / 1000 } : {}),
    ...opt('user_id', firstOf(rootFirst, (f) => sc.spanUser(f.a)) ?? sc.spanUser(resource)),
    ...opt('session_id', firstOf(rootFirst, (f) => sc.spanSession(f.a)) ?? sc.spanSession(resource)),
    tags,
    metadata: { ...resource, 'otel.scope.name': top.s.scope.name, ...(top.s.scope.version ? { 'otel.scope.version': top.s.scope.version } : {}) },
    ...(errorSpan ? { status: 'error', error: spanError(errorSpan.s) } : {}),
    spans: all.map((f) => spanBody(f, top.s.scope.name)),
  };
  return {
    id,
    body,
    spanCount: all.length,
    hasRoot: root !== undefined,
    rootQuery: root ? clip(sc.spanQuery(root.a), TRACE_LIMITS.textLength) : undefined,
    rootResponse: root ? clip(sc.spanResponse(root.a), TRACE_LIMITS.textLength) : undefined,
  };
}

/** Group spans by trace id into trace bodies; spans Aether cannot keep are returned as rejections. */
export function buildTraces(spans: OtlpSpan[]): { traces: BuiltTrace[]; rejected: SpanRejection[] } {
  const groups = new Map<string, OtlpSpan[]>();
  for (const s of spans) {
    const g = groups.get(s.traceId);
    if (g) g.push(s);
    else groups.set(s.traceId, [s]);
  }
  const rejected: SpanRejection[] = [];
  const traces: BuiltTrace[] = [];
  for (const [id, group] of groups) {
    const seen = new Set<string>();
    const unique = group.filter((s) => !seen.has(s.spanId) && seen.add(s.spanId));
    if (unique.length < group.length) {
      rejected.push({ where: `trace ${id}`, reason: 'repeats a span id within one request', count: group.length - unique.length });
    }
    if (unique.length > TRACE_LIMITS.spans) {
      rejected.push({ where: `trace ${id}`, reason: `has more than ${TRACE_LIMITS.spans} spans in one request; the rest were dropped`, count: unique.length - TRACE_LIMITS.spans });
      unique.length = TRACE_LIMITS.spans;
    }
    unique.sort((x, y) => x.startMs - y.startMs);
    traces.push(traceBody(id, unique.map(facts)));
  }
  return { traces, rejected };
}
