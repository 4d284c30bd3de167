// A Langfuse trace export → an Aether trace body (validated later by the ordinary ingest path).
// Observations become spans with their parents; generations keep model, usage, cost and timing.
import { TRACE_LIMITS, type Context, type SpanKind } from '../../core/index.js';
import { assistantText, asText, findText, lastUserText, unwrapJson } from '../otlp/messages.js';
import type { Attributes } from '../otlp/model.js';
import { spanContexts, spanProvider } from '../otlp/semconv.js';
import { usageTotals } from '../otlp/usage.js';
import type { UsageDetails } from '../../core/schemas/trace.js';
import type { ChatmlView, LangfuseObservation, LangfuseTraceExport } from './parse.js';

/** Langfuse observation types (v3 adds AGENT, TOOL, CHAIN, RETRIEVER, EVALUATOR, EMBEDDING, GUARDRAIL). */
const KINDS: Record<string, SpanKind> = {
  GENERATION: 'llm',
  EMBEDDING: 'embedding',
  RETRIEVER: 'retrieval',
  TOOL: 'tool',
  AGENT: 'agent',
  CHAIN: 'chain',
  EVALUATOR: 'evaluator',
  GUARDRAIL: 'guardrail',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);
const positive = (v: number | null | undefined) => (v !== null && v !== undefined && v > 0 ? v : undefined);
const clip = (s: string | null | undefined, n = 256) => (s ? s.slice(0, n) : undefined);

const int = (v: number | null | undefined) => (v === null || v === undefined || v < 0 ? undefined : Math.round(v));
const DETAIL_KEYS: Record<keyof UsageDetails, string[]> = {
  cached_read: ['input_cache_read', 'input_cached_tokens', 'cache_read_input_tokens', 'prompt_details.cache_read'],
  cached_write: ['input_cache_creation', 'input_cache_write', 'cache_creation_input_tokens', 'prompt_details.cache_write'],
  audio_in: ['input_audio', 'input_audio_tokens', 'prompt_details.audio'],
  reasoning: ['output_reasoning', 'output_reasoning_tokens', 'completion_details.reasoning'],
  audio_out: ['output_audio', 'output_audio_tokens', 'completion_details.audio'],
};

/**
 * Token usage: usageDetails (v3), else the older usage object, else the flat totals when non-zero.
 * Langfuse's usage types are disjoint (they add up to `total`; its OpenAI integration takes cached
 * tokens out of `input`), so cache and audio tokens are added back into input, reasoning and audio
 * into output: Aether counts them inside input_tokens / output_tokens like OpenAI and OTel do.
 */
export function observationUsage(o: LangfuseObservation): { input?: number; output?: number; total?: number; cost?: number; details?: UsageDetails } {
  const d = o.usageDetails ?? {};
  const c = o.costDetails ?? {};
  const details: UsageDetails = {};
  for (const [k, names] of Object.entries(DETAIL_KEYS) as Array<[keyof UsageDetails, string[]]>) {
    const v = int(names.map((n) => d[n]).find((x) => x !== undefined && x !== null));
    if (v) details[k] = v;
  }
  const input = int(d.input ?? d.prompt_tokens ?? d.input_tokens ?? o.usage?.input ?? o.promptTokens ?? positive(o.inputUsage));
  const output = int(d.output ?? d.completion_tokens ?? d.output_tokens ?? o.usage?.output ?? o.completionTokens ?? positive(o.outputUsage));
  const extraIn = (details.cached_read ?? 0) + (details.cached_write ?? 0) + (details.audio_in ?? 0);
  const extraOut = (details.reasoning ?? 0) + (details.audio_out ?? 0);
  return {
    input: input === undefined && !extraIn ? undefined : (input ?? 0) + extraIn,
    output: output === undefined && !extraOut ? undefined : (output ?? 0) + extraOut,
    total: int(d.total ?? o.usage?.total ?? positive(o.totalUsage)),
    cost: c.total ?? positive(o.totalCost) ?? positive(o.calculatedTotalCost),
    ...(Object.keys(details).length ? { details } : {}),
  };
}

/** Langfuse keeps observation and trace metadata as a JSON string (an object once parsed). */
function metadataOf(v: unknown): Obj {
  const m = unwrapJson(v);
  if (isObj(m)) return m;
  return m === undefined || m === null || m === '' ? {} : { 'langfuse.metadata': m };
}

// The v3 SDKs can only send SPAN, GENERATION and EVENT, so a span named as a retrieval step (and
// returning documents, see retrievedContexts) is read as one.
const RETRIEVAL_NAME = /retriev/i;
const kindOf = (o: LangfuseObservation): SpanKind =>
  KINDS[(o.type ?? '').toUpperCase()] ?? ((o.type ?? 'SPAN').toUpperCase() === 'SPAN' && RETRIEVAL_NAME.test(o.name ?? '') ? 'retrieval' : 'other');

function spanBody(o: LangfuseObservation): Record<string, unknown> {
  const u = observationUsage(o);
  const start = ms(o.startTime);
  // A Langfuse EVENT is a point in time: it ends where it starts.
  const end = o.endTime ? ms(o.endTime) : (o.type ?? '').toUpperCase() === 'EVENT' ? start : NaN;
  const kind = kindOf(o);
  const langfuse = Object.fromEntries(
    Object.entries({
      'langfuse.type': o.type,
      'langfuse.level': o.level,
      'langfuse.status_message': o.statusMessage,
      'langfuse.version': o.version,
      'langfuse.environment': o.environment,
      'langfuse.completion_start_time': o.completionStartTime,
      'langfuse.model_parameters': o.modelParameters && Object.keys(o.modelParameters).length ? o.modelParameters : undefined,
      'langfuse.usage_details': o.usageDetails && Object.keys(o.usageDetails).length ? o.usageDetails : undefined,
      'langfuse.cost_details': o.costDetails && Object.keys(o.costDetails).length ? o.costDetails : undefined,
      'langfuse.prompt_name': o.promptName,
      'langfuse.prompt_version': o.promptVersion,
    }).filter(([, v]) => v !== undefined && v !== null && v !== ''),
  );
  const failed = o.level === 'ERROR';
  return {
    id: o.id,
    ...(o.parentObservationId ? { parent_id: o.parentObservationId } : {}),
    name: clip(o.name, 512) ?? `(unnamed ${(o.type ?? 'observation').toLowerCase()})`,
    kind,
    start_time: start,
    ...(Number.isFinite(end) && end >= start ? { end_time: end } : {}),
    status: failed ? 'error' : 'success',
    ...(failed ? { error: (o.statusMessage || 'observation level ERROR').slice(0, 100_000) } : {}),
    ...(clip(o.model) ? { model: clip(o.model) } : {}),
    ...(u.input !== undefined ? { input_tokens: u.input } : {}),
    ...(u.output !== undefined ? { output_tokens: u.output } : {}),
    ...(u.details ? { usage_details: u.details } : {}),
    ...(u.cost !== undefined ? { cost_usd: u.cost } : {}),
    ...(o.input !== undefined && o.input !== null ? { input: unwrapJson(o.input) } : {}),
    ...(o.output !== undefined && o.output !== null ? { output: unwrapJson(o.output) } : {}),
    attributes: { ...metadataOf(o.metadata), ...langfuse },
  };
}

/** OTel attributes Langfuse kept from an OTLP-ingested observation (metadata.attributes). */
function otelAttributes(o: LangfuseObservation): Attributes {
  const m = metadataOf(o.metadata);
  return isObj(m.attributes) ? (m.attributes as Attributes) : {};
}

function first<T>(xs: LangfuseObservation[], pick: (o: LangfuseObservation) => T | undefined): T | undefined {
  for (const o of xs) {
    const v = pick(o);
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * Documents a retrieval observation returned: its output as a list of strings or of objects with
 * pageContent / content / text (LangChain, LlamaIndex and plain shapes), or `{documents: [...]}`.
 */
export function retrievedContexts(o: LangfuseObservation): Context[] {
  return kindOf(o) === 'retrieval' ? documentContexts(o.output) : [];
}

/** Documents in a retrieval step's output (see retrievedContexts). */
export function documentContexts(output: unknown): Context[] {
  const out = unwrapJson(output);
  const list = Array.isArray(out) ? out : isObj(out) && Array.isArray(out.documents) ? out.documents : [];
  const contexts: Context[] = [];
  for (const d of list) {
    if (typeof d === 'string') {
      if (d) contexts.push({ text: d });
      continue;
    }
    if (!isObj(d)) continue;
    const text = [d.pageContent, d.page_content, d.content, d.text].find((x): x is string => typeof x === 'string' && x !== '');
    if (!text) continue;
    const meta = isObj(d.metadata) ? d.metadata : undefined;
    const source = [d.id, d.source, meta?.source].find((x) => typeof x === 'string' || typeof x === 'number');
    contexts.push({
      text,
      ...(source !== undefined ? { source: String(source).slice(0, 2048) } : {}),
      ...(typeof d.score === 'number' && Number.isFinite(d.score) ? { score: d.score } : {}),
      ...(meta ? { metadata: meta } : {}),
    });
  }
  return contexts;
}

/** Build the trace body; `chatml` (from a companion *.chatml.json) helps find the question and answer. */
export function langfuseToTrace(x: LangfuseTraceExport, chatml: Map<string, ChatmlView> = new Map()): Record<string, unknown> {
  const { trace } = x;
  const obs = [...x.observations].sort((a, b) => ms(a.startTime) - ms(b.startTime));
  const gens = obs.filter((o) => kindOf(o) === 'llm');
  const lastGens = [...gens].sort((a, b) => ms(b.endTime ?? b.startTime) - ms(a.endTime ?? a.startTime));
  const userOf = (o: LangfuseObservation) => {
    const v = chatml.get(o.id)?.input;
    return (v && lastUserText(v)) ?? findText(o.input, 'query');
  };
  const answerOf = (o: LangfuseObservation) => {
    const v = chatml.get(o.id)?.output;
    return (v && assistantText(v)) ?? findText(o.output, 'response');
  };
  const query = findText(trace.input, 'query') ?? first(gens, userOf) ?? asText(unwrapJson(trace.input));
  const response = findText(trace.output, 'response') ?? first(lastGens, answerOf) ?? (trace.output ? asText(unwrapJson(trace.output)) : undefined);
  const contexts: Context[] = obs
    .flatMap((o) => {
      const fromOtel = spanContexts(otelAttributes(o));
      return fromOtel.length ? fromOtel : retrievedContexts(o);
    })
    .slice(0, TRACE_LIMITS.contexts)
    .map((c) => ({ ...c, text: c.text.slice(0, TRACE_LIMITS.textLength) }));
  const roots = obs.filter((o) => !o.parentObservationId);
  const start = ms(trace.timestamp);
  const rootEnd = roots.length === 1 ? ms(roots[0]!.endTime) : NaN;
  const latency = trace.latency !== null && trace.latency !== undefined ? trace.latency * 1000 : rootEnd - start;
  const failed = obs.find((o) => o.level === 'ERROR');
  const scores = trace.scores?.length ? { 'langfuse.scores': trace.scores } : {};
  const model = first(gens, (o) => clip(o.model));
  const provider = first(gens, (o) => clip(spanProvider(otelAttributes(o)) ?? (typeof metadataOf(o.metadata).ls_provider === 'string' ? String(metadataOf(o.metadata).ls_provider) : undefined)));
  return {
    id: trace.id,
    timestamp: start,
    query: query.slice(0, TRACE_LIMITS.textLength),
    ...(response ? { response: response.slice(0, TRACE_LIMITS.textLength) } : {}),
    contexts,
    ...(model ? { model } : {}),
    ...(provider ? { provider } : {}),
    ...usageTotals(obs.map((o) => ({ id: o.id, parentId: o.parentObservationId ?? undefined, isLlm: kindOf(o) === 'llm', ...observationUsage(o) }))),
    ...(Number.isFinite(latency) && latency >= 0 ? { latency_ms: latency } : {}),
    ...(clip(trace.userId) ? { user_id: clip(trace.userId) } : {}),
    ...(clip(trace.sessionId) ? { session_id: clip(trace.sessionId) } : {}),
    tags: [...new Set(trace.tags ?? [])].filter((t) => t !== '').slice(0, TRACE_LIMITS.tags).map((t) => t.slice(0, TRACE_LIMITS.tagLength)),
    metadata: {
      ...metadataOf(trace.metadata),
      ...Object.fromEntries(
        Object.entries({
          'langfuse.name': trace.name,
          'langfuse.environment': trace.environment,
          'langfuse.release': trace.release,
          'langfuse.version': trace.version,
          'langfuse.project_id': trace.projectId,
        }).filter(([, v]) => v !== undefined && v !== null && v !== ''),
      ),
      ...scores,
    },
    ...(failed ? { status: 'error', error: (failed.statusMessage || `observation "${failed.name ?? failed.id}" failed`).slice(0, 100_000) } : {}),
    spans: obs.map(spanBody),
  };
}
