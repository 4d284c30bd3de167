import { z } from 'zod';
import { dbText, httpUrl, isoQueryTime } from './safe.js';

export const customMetricSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('webhook'),
    name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lowercase letters, digits and _'),
    url: httpUrl(),
    secret: dbText({ min: 16, max: 256 }).optional().describe('HMAC-SHA256 key for the X-Aether-Signature header'),
    timeout_ms: z.number().int().min(100).max(60_000).default(10_000),
  }),
]);

/** Per-project evaluation settings (`PUT /api/v1/projects/{id}/evaluation-config`). */
export const evaluationConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  metrics: z
    .array(dbText({ min: 1, max: 128 }))
    .max(50)
    .default(['faithfulness', 'hallucination', 'token_overlap', 'answer_relevancy', 'context_precision', 'context_recall', 'pii', 'toxicity'])
    .describe('built-in, server-registered or custom metric names to run'),
  sampling_rate: z.number().min(0).max(1).default(1).describe('share of traces evaluated, chosen deterministically by trace id'),
  hallucination_threshold: z.number().min(0).max(1).default(0.5).describe('faithfulness below this flags a hallucination'),
  evaluator: z.enum(['auto', 'local', 'judge']).default('auto').describe('auto: the LLM judge when one is configured, else local'),
  thresholds: z.record(dbText({ min: 1, max: 128 }), z.number().min(0).max(1)).default({}).describe('per-metric pass thresholds'),
  custom_metrics: z.array(customMetricSchema).max(20).default([]),
});

export type EvaluationConfig = z.output<typeof evaluationConfigSchema>;
export type CustomMetricConfig = z.output<typeof customMetricSchema>;

export const DEFAULT_EVALUATION_CONFIG: EvaluationConfig = evaluationConfigSchema.parse({});

/** A stored evaluation as the API returns it. */
export interface Evaluation {
  id: string;
  trace_id: string;
  metric: string;
  metric_version: string;
  evaluator: string;
  score: number | null;
  label: string | null;
  reason: string | null;
  details: Record<string, unknown>;
  cost_usd: number;
  tokens: number;
  created_at: string;
}

export const evaluationOutSchema = z
  .object({
    id: z.string(),
    trace_id: z.string(),
    metric: z.string(),
    metric_version: z.string(),
    evaluator: z.string(),
    score: z.number().nullable(),
    label: z.string().nullable(),
    reason: z.string().nullable(),
    details: z.looseObject({}),
    cost_usd: z.number(),
    tokens: z.number(),
    created_at: z.string(),
  })
  .meta({ id: 'Evaluation' });

export const evaluationQuerySchema = z.strictObject({
  trace_id: dbText({ min: 1, max: 128 }).optional(),
  metric: dbText({ min: 1, max: 128 }).optional(),
  label: dbText({ min: 1, max: 100 }).optional(),
  min_score: z.coerce.number().finite().optional(),
  max_score: z.coerce.number().finite().optional(),
  from: isoQueryTime().optional(),
  to: isoQueryTime().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: dbText({ min: 1, max: 500 }).optional(),
});
export type EvaluationQuery = z.output<typeof evaluationQuerySchema>;

/** Deterministic sampling: the same trace id always gets the same decision. */
export function sampled(traceId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  let h = 0x811c9dc5;
  for (let i = 0; i < traceId.length; i++) {
    h ^= traceId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x1_0000_0000 < rate;
}
