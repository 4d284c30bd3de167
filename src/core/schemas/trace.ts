import { z } from 'zod';
import { boundedJson, boundedNumber, boundedTime, dbText, int4, jsonObject, VALUE_LIMITS } from './safe.js';

/**
 * The tag of the platform's own LLM calls (the evaluation judge through the gateway): such traces
 * are stored and listed, but the usage rollups (traffic, latency, LLM cost) leave them out; their
 * spend is evaluation cost (storage/repos/rollup-sql.ts, migration 0017).
 */
export const INTERNAL_TAG = 'aether:internal';

/** Limits that keep one trace bounded; bodies beyond them get a 400 naming the field. */
export const TRACE_LIMITS = {
  idLength: 128,
  textLength: 1_000_000,
  contexts: 200,
  tags: 50,
  tagLength: 200,
  spans: 1_000,
  spanDepth: 32,
  batch: 1_000,
} as const;

const timestamp = boundedTime();
// Span times may be small offsets from the epoch (some clients send relative times).
const spanTime = boundedTime(0);
const usd = boundedNumber(VALUE_LIMITS.usd);
const latency = boundedNumber(VALUE_LIMITS.latencyMs);
const count = int4(VALUE_LIMITS.tokens);
const shortText = (max = 256) => dbText({ min: 1, max });
const text = (max: number) => dbText({ max });

/**
 * Token counts that are priced apart (docs/pricing.md). Parts of input_tokens / output_tokens, not
 * added to them: input_tokens counts cached and audio prompt tokens, output_tokens reasoning and audio.
 */
export const usageDetailsSchema = z.strictObject({
  cached_read: count.optional().describe('prompt tokens read from the provider cache'),
  cached_write: count.optional().describe('prompt tokens written to the provider cache'),
  reasoning: count.optional().describe('completion tokens spent reasoning'),
  audio_in: count.optional(),
  audio_out: count.optional(),
});
export type UsageDetails = z.output<typeof usageDetailsSchema>;

/** Where a trace's cost_usd came from: sent by the client, computed from the price table, or no price known. */
export const COST_SOURCES = ['client', 'computed', 'unpriced'] as const;
export type CostSourceName = (typeof COST_SOURCES)[number];

export const contextSchema = z.object({
  text: text(TRACE_LIMITS.textLength),
  source: text(2048).optional(),
  score: z.number().finite().optional(),
  metadata: jsonObject().optional(),
});

export const SPAN_KINDS = [
  'llm',
  'retrieval',
  'embedding',
  'tool',
  'chain',
  'agent',
  'reranker',
  'guardrail',
  'evaluator',
  'other',
] as const;
export type SpanKind = (typeof SPAN_KINDS)[number];

export interface SpanInput {
  id?: string | undefined;
  parent_id?: string | undefined;
  name: string;
  kind: SpanKind;
  start_time: Date;
  end_time?: Date | undefined;
  status?: 'success' | 'error' | undefined;
  error?: string | undefined;
  model?: string | undefined;
  input_tokens?: number | undefined;
  output_tokens?: number | undefined;
  usage_details?: UsageDetails | undefined;
  cost_usd?: number | undefined;
  input?: unknown;
  output?: unknown;
  attributes?: Record<string, unknown> | undefined;
  spans?: SpanInput[] | undefined;
}

/** `start`/`end` are accepted as short names for `start_time`/`end_time`. */
function aliasSpanTimes(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = { ...(v as Record<string, unknown>) };
    if (o.start_time === undefined && o.start !== undefined) o.start_time = o.start;
    if (o.end_time === undefined && o.end !== undefined) o.end_time = o.end;
    delete o.start;
    delete o.end;
    return o;
  }
  return v;
}

export const spanSchema: z.ZodType<SpanInput, unknown> = z.preprocess(
  aliasSpanTimes,
  z.strictObject({
    id: shortText(TRACE_LIMITS.idLength).optional(),
    parent_id: shortText(TRACE_LIMITS.idLength).optional(),
    name: shortText(512),
    kind: z.enum(SPAN_KINDS).default('other'),
    start_time: spanTime,
    end_time: spanTime.optional(),
    status: z.enum(['success', 'error']).optional(),
    error: text(100_000).optional(),
    model: shortText().optional(),
    input_tokens: count.optional(),
    output_tokens: count.optional(),
    usage_details: usageDetailsSchema.optional(),
    cost_usd: usd.optional(),
    input: boundedJson().optional(),
    output: boundedJson().optional(),
    attributes: jsonObject().optional(),
    get spans() {
      return z.array(spanSchema).max(TRACE_LIMITS.spans).optional();
    },
  }),
) as z.ZodType<SpanInput, unknown>;

/** The body of `POST /api/v1/traces`: the seed's fields plus identity, usage, grouping and spans. */
export const traceInputSchema = z.strictObject({
  id: shortText(TRACE_LIMITS.idLength)
    .regex(/^[A-Za-z0-9._:-]+$/, 'may contain only letters, digits and . _ : -')
    .optional(),
  project_id: shortText(128).optional(),
  timestamp: timestamp.optional(),
  query: text(TRACE_LIMITS.textLength),
  response: text(TRACE_LIMITS.textLength).nullable().optional(),
  contexts: z.array(contextSchema).max(TRACE_LIMITS.contexts).default([]),
  reference: text(TRACE_LIMITS.textLength).optional().describe('a reference (ground-truth) answer'),
  model: shortText().optional(),
  provider: shortText().optional(),
  input_tokens: count.optional(),
  output_tokens: count.optional(),
  token_count: count.optional(),
  usage_details: usageDetailsSchema.optional(),
  latency_ms: latency.optional(),
  cost_usd: usd.optional().describe('when absent, computed from model and tokens (docs/pricing.md)'),
  cost_source: z.enum(['client', 'computed']).optional().describe("who worked out cost_usd; default 'client'"),
  user_id: shortText().optional(),
  session_id: shortText().optional(),
  tags: z.array(shortText(TRACE_LIMITS.tagLength)).max(TRACE_LIMITS.tags).default([]),
  metadata: jsonObject().default({}),
  status: z.enum(['success', 'error']).optional(),
  error: text(100_000).nullable().optional(),
  spans: z.array(spanSchema).max(TRACE_LIMITS.spans).optional(),
});

export type TraceInput = z.output<typeof traceInputSchema>;

export const batchInputSchema = z.strictObject({
  traces: z.array(z.unknown()).min(1).max(TRACE_LIMITS.batch),
});

export type TraceStatus = 'success' | 'error';

export interface Context {
  text: string;
  source?: string | undefined;
  score?: number | undefined;
  metadata?: Record<string, unknown> | undefined;
}

/** A stored span, flattened with its parent id. */
export interface Span {
  id: string;
  trace_id: string;
  parent_id: string | null;
  name: string;
  kind: SpanKind;
  start_time: string;
  end_time: string | null;
  duration_ms: number | null;
  status: TraceStatus;
  error: string | null;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  input: unknown;
  output: unknown;
  attributes: Record<string, unknown>;
}

/** A trace as the API returns it. */
export interface Trace {
  id: string;
  project_id: string;
  timestamp: string;
  query: string;
  response: string | null;
  contexts: Context[];
  reference: string | null;
  model: string | null;
  provider: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  token_count: number | null;
  latency_ms: number | null;
  cost_usd: number | null;
  /** null when the trace reports no usage. */
  cost_source: CostSourceName | null;
  user_id: string | null;
  session_id: string | null;
  tags: string[];
  metadata: Record<string, unknown>;
  status: TraceStatus;
  error: string | null;
  created_at: string;
  spans?: Span[];
}
