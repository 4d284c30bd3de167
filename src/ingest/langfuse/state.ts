// A trace's merged Langfuse state → the export shape the importer already maps (parse.ts,
// to-trace.ts), so live ingestion and file import share one mapping; and Langfuse scores →
// Aether evaluations.
import { observationSchema, traceSchema, type LangfuseTraceExport } from './parse.js';
import type { TraceState } from './events.js';
import type { NewEvaluation } from '../../storage/index.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Flatten `usageDetails` to Langfuse's own keys. The OpenAI shapes (prompt_tokens + details, or the
 * Responses API's input_tokens + details) become input / output / input_<detail> / output_<detail>
 * with the details taken out of input and output, as Langfuse stores them: the mapping to Aether
 * adds them back (to-trace.ts observationUsage).
 */
export function flattenUsageDetails(d: unknown): Record<string, number> | undefined {
  if (!isObj(d)) return undefined;
  const inDetails = isObj(d.prompt_tokens_details) ? d.prompt_tokens_details : isObj(d.input_tokens_details) ? d.input_tokens_details : undefined;
  const outDetails = isObj(d.completion_tokens_details) ? d.completion_tokens_details : isObj(d.output_tokens_details) ? d.output_tokens_details : undefined;
  const openai = inDetails || outDetails || num(d.prompt_tokens) !== undefined || num(d.completion_tokens) !== undefined;
  if (!openai) {
    const flat = Object.fromEntries(Object.entries(d).filter(([, v]) => num(v) !== undefined)) as Record<string, number>;
    return Object.keys(flat).length ? flat : undefined;
  }
  const out: Record<string, number> = {};
  const split = (side: 'input' | 'output', total: number | undefined, details: Obj | undefined) => {
    let rest = total;
    for (const [k, v] of Object.entries(details ?? {})) {
      const n = num(v);
      if (!n) continue;
      out[`${side}_${k}`] = n;
      if (rest !== undefined) rest -= n;
    }
    if (rest !== undefined) out[side] = Math.max(0, rest);
  };
  split('input', num(d.prompt_tokens) ?? num(d.input_tokens), inDetails);
  split('output', num(d.completion_tokens) ?? num(d.output_tokens), outDetails);
  const total = num(d.total_tokens);
  if (total !== undefined) out.total = total;
  return out;
}

/** `usage` as the SDKs send it ({input, output, total, *Cost} or OpenAI's promptTokens…) → usageDetails and costDetails. */
function legacyUsage(u: unknown): { usage?: Record<string, number>; cost?: Record<string, number> } {
  if (!isObj(u)) return {};
  const usage: Record<string, number> = {};
  const put = (k: string, v: unknown) => {
    const n = num(v);
    if (n !== undefined) usage[k] = n;
  };
  put('input', u.input ?? u.promptTokens);
  put('output', u.output ?? u.completionTokens);
  put('total', u.total ?? u.totalTokens);
  const cost: Record<string, number> = {};
  if (num(u.inputCost) !== undefined) cost.input = num(u.inputCost)!;
  if (num(u.outputCost) !== undefined) cost.output = num(u.outputCost)!;
  if (num(u.totalCost) !== undefined) cost.total = num(u.totalCost)!;
  else if (cost.input !== undefined || cost.output !== undefined) cost.total = (cost.input ?? 0) + (cost.output ?? 0);
  return { ...(Object.keys(usage).length ? { usage } : {}), ...(Object.keys(cost).length ? { cost } : {}) };
}

function costTotal(c: unknown): Record<string, number> | undefined {
  if (!isObj(c)) return undefined;
  const flat = Object.fromEntries(Object.entries(c).filter(([, v]) => num(v) !== undefined)) as Record<string, number>;
  if (!Object.keys(flat).length) return undefined;
  if (flat.total === undefined) flat.total = Object.values(flat).reduce((a, b) => a + b, 0);
  return flat;
}

/** Whether the state holds anything that makes a trace (scores alone attach to a trace stored otherwise). */
export const hasTraceData = (s: TraceState) => s.trace !== null || Object.keys(s.observations).length > 0;

/** The state as a Langfuse trace export; invalid fields are reported with the observation's id. */
export function stateToExport(traceId: string, s: TraceState): LangfuseTraceExport {
  const observations = Object.entries(s.observations).map(([id, o]) => {
    const f = o.fields;
    const legacy = legacyUsage(f.usage);
    const usageDetails = flattenUsageDetails(f.usageDetails) ?? legacy.usage;
    const costDetails = costTotal(f.costDetails) ?? legacy.cost;
    const { usage: _u, usageDetails: _d, costDetails: _c, ...rest } = f;
    void _u;
    void _d;
    void _c;
    const raw = { ...rest, id, traceId, type: o.type, ...(usageDetails ? { usageDetails } : {}), ...(costDetails ? { costDetails } : {}) };
    const r = observationSchema.safeParse(raw);
    if (!r.success) throw new ObservationError(id, r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    return r.data;
  });
  const starts = observations.map((o) => o.startTime).sort();
  const t = s.trace?.fields ?? {};
  const timestamp = typeof t.timestamp === 'string' ? t.timestamp : (starts[0] ?? s.firstSeen);
  const r = traceSchema.safeParse({ ...t, id: traceId, timestamp });
  if (!r.success) throw new ObservationError(traceId, r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return { trace: r.data, observations };
}

/** A field of an event the mapping cannot use; `id` is the observation or trace it belongs to. */
export class ObservationError extends Error {
  constructor(
    readonly id: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A Langfuse score as an evaluation: numeric and boolean values are the score, categorical ones the
 * label. One evaluation per trace × name (a later score of the same name replaces the earlier one).
 */
export function scoreToEvaluation(projectId: string, traceId: string, sc: Record<string, unknown>): NewEvaluation {
  const value = sc.value;
  const dataType = typeof sc.dataType === 'string' ? sc.dataType.toUpperCase() : typeof value === 'string' ? 'CATEGORICAL' : 'NUMERIC';
  const score = typeof value === 'number' && Number.isFinite(value) ? value : typeof value === 'boolean' ? Number(value) : null;
  return {
    project_id: projectId,
    trace_id: traceId,
    metric: String(sc.name).slice(0, 128),
    metric_version: 'langfuse',
    evaluator: 'langfuse',
    score,
    label: typeof value === 'string' ? value.slice(0, 256) : dataType === 'BOOLEAN' && score !== null ? (score ? 'true' : 'false') : null,
    reason: typeof sc.comment === 'string' ? sc.comment.slice(0, 10_000) : null,
    details: Object.fromEntries(
      Object.entries({
        'langfuse.score_id': sc.id,
        'langfuse.data_type': dataType,
        'langfuse.observation_id': sc.observationId,
        'langfuse.config_id': sc.configId,
        'langfuse.environment': sc.environment,
        'langfuse.metadata': sc.metadata,
      }).filter(([, v]) => v !== undefined && v !== null),
    ),
    cost_usd: 0,
    tokens: 0,
  };
}
