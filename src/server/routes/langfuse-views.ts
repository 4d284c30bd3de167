// Aether traces, spans and evaluations in the shapes Langfuse's public API returns.
import type { Evaluation, Span, Trace } from '../../core/index.js';

type Obj = Record<string, unknown>;

const TYPES: Record<string, string> = {
  llm: 'GENERATION',
  embedding: 'EMBEDDING',
  retrieval: 'RETRIEVER',
  tool: 'TOOL',
  agent: 'AGENT',
  chain: 'CHAIN',
  evaluator: 'EVALUATOR',
  guardrail: 'GUARDRAIL',
};

const own = (m: Obj) => Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith('langfuse.')));
const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** A span as a Langfuse observation. */
export function observationView(s: Span): Obj {
  const a = s.attributes;
  const total = s.input_tokens !== null || s.output_tokens !== null ? (s.input_tokens ?? 0) + (s.output_tokens ?? 0) : null;
  return {
    id: s.id,
    traceId: s.trace_id,
    type: str(a['langfuse.type']) ?? TYPES[s.kind] ?? 'SPAN',
    name: s.name,
    startTime: s.start_time,
    endTime: s.end_time,
    completionStartTime: str(a['langfuse.completion_start_time']),
    model: s.model,
    modelParameters: a['langfuse.model_parameters'] ?? null,
    input: s.input,
    output: s.output,
    metadata: own(a),
    level: str(a['langfuse.level']) ?? (s.status === 'error' ? 'ERROR' : 'DEFAULT'),
    statusMessage: s.error ?? str(a['langfuse.status_message']),
    parentObservationId: s.parent_id,
    version: str(a['langfuse.version']),
    environment: str(a['langfuse.environment']) ?? 'default',
    promptName: str(a['langfuse.prompt_name']),
    promptVersion: a['langfuse.prompt_version'] ?? null,
    usage: { input: s.input_tokens ?? 0, output: s.output_tokens ?? 0, total: total ?? 0, unit: 'TOKENS' },
    usageDetails: a['langfuse.usage_details'] ?? { ...(s.input_tokens !== null ? { input: s.input_tokens } : {}), ...(s.output_tokens !== null ? { output: s.output_tokens } : {}), ...(total !== null ? { total } : {}) },
    costDetails: a['langfuse.cost_details'] ?? (s.cost_usd !== null ? { total: s.cost_usd } : {}),
    inputUsage: s.input_tokens ?? 0,
    outputUsage: s.output_tokens ?? 0,
    totalUsage: total ?? 0,
    calculatedTotalCost: s.cost_usd ?? 0,
    totalCost: s.cost_usd ?? 0,
    latency: s.duration_ms !== null ? s.duration_ms / 1000 : null,
  };
}

/** An evaluation as a Langfuse score (Aether's own metrics appear with source EVAL). */
export function scoreView(e: Evaluation): Obj {
  const d = e.details;
  const dataType = str(d['langfuse.data_type']) ?? (e.score === null && e.label !== null ? 'CATEGORICAL' : 'NUMERIC');
  return {
    id: str(d['langfuse.score_id']) ?? e.id,
    traceId: e.trace_id,
    observationId: str(d['langfuse.observation_id']),
    name: e.metric,
    value: e.score,
    stringValue: e.label,
    dataType,
    source: e.evaluator === 'langfuse' ? 'API' : 'EVAL',
    comment: e.reason,
    metadata: d['langfuse.metadata'] ?? (e.evaluator === 'langfuse' ? {} : { evaluator: e.evaluator, metric_version: e.metric_version }),
    configId: str(d['langfuse.config_id']),
    environment: str(d['langfuse.environment']) ?? 'default',
    timestamp: e.created_at,
    createdAt: e.created_at,
    updatedAt: e.created_at,
  };
}

/** A trace as Langfuse lists it: observation and score ids, or (detail) the objects themselves. */
export function traceView(t: Trace, spans: Span[] | undefined, evaluations: Evaluation[] | undefined, full: boolean): Obj {
  const m = t.metadata;
  return {
    id: t.id,
    projectId: t.project_id,
    timestamp: t.timestamp,
    name: str(m['langfuse.name']),
    input: t.query === '' ? null : t.query,
    output: t.response,
    sessionId: t.session_id,
    userId: t.user_id,
    release: str(m['langfuse.release']),
    version: str(m['langfuse.version']),
    environment: str(m['langfuse.environment']) ?? 'default',
    metadata: own(m),
    tags: t.tags,
    public: false,
    bookmarked: false,
    htmlPath: `/traces/${encodeURIComponent(t.id)}`,
    latency: t.latency_ms !== null ? t.latency_ms / 1000 : 0,
    totalCost: t.cost_usd ?? 0,
    observations: full ? (spans ?? []).map(observationView) : (spans ?? []).map((s) => s.id),
    scores: full ? (evaluations ?? []).map(scoreView) : (evaluations ?? []).map((e) => str(e.details['langfuse.score_id']) ?? e.id),
  };
}

/** Langfuse's paging envelope. */
export const pageMeta = (page: number, limit: number, totalItems: number) => ({ page, limit, totalItems, totalPages: Math.ceil(totalItems / limit) });
