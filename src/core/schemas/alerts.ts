import { z } from 'zod';
import { boundedNumber, dbText, httpUrl, isoQueryTime, VALUE_LIMITS } from './safe.js';

const money = boundedNumber(VALUE_LIMITS.usd);
const httpsOrLocal = httpUrl();

/**
 * Per-project alert configuration (`PUT /api/v1/alert-config/{project_id}`): the seed's fields plus
 * the error-rate rule, windows, confidence, hysteresis, cooldown, severity and a signed generic webhook.
 * Rate rules fire when the lower confidence bound of the rate is strictly above its threshold,
 * latency when the p95 is; budgets when spend reaches 80%/100%.
 */
export const alertConfigSchema = z.strictObject({
  slack_webhook_url: httpsOrLocal.nullable().default(null),
  slack_enabled: z.boolean().default(false),
  webhook_url: httpsOrLocal.nullable().default(null).describe('generic webhook, signed with HMAC-SHA256'),
  webhook_secret: dbText({ min: 16, max: 256 }).nullable().default(null),
  webhook_enabled: z.boolean().default(false),

  hallucination_threshold: z.number().min(0).max(1).default(0.5).describe('faithfulness below this marks a trace hallucinated in alerts'),
  hallucination_alerts_enabled: z.boolean().default(true),
  hallucination_rate_threshold: z.number().min(0).max(1).default(0.1).describe('share of hallucinated traces in the window'),
  hallucination_per_trace_alerts: z.boolean().default(false).describe('also alert on every hallucinated trace'),

  daily_cost_budget_usd: money.nullable().default(null),
  daily_cost_budget_per_user_usd: money.nullable().default(null),
  daily_cost_budget_per_model_usd: money.nullable().default(null),
  cost_spike_alerts_enabled: z.boolean().default(true),
  cost_spike_factor: z.number().min(1).max(1000).default(3).describe('spend in the last hour vs the median of the same hour on the previous 7 days'),
  cost_spike_min_usd: money.default(1).describe('baseline floor, so a quiet history does not make every cent a spike'),

  latency_p95_threshold_ms: boundedNumber(VALUE_LIMITS.latencyMs).positive().default(3000),
  latency_alerts_enabled: z.boolean().default(true),

  error_rate_threshold: z.number().min(0).max(1).default(0.05),
  error_rate_alerts_enabled: z.boolean().default(true),

  window_minutes: z.number().int().min(1).max(1440).default(15),
  min_samples: z.number().int().min(1).max(100_000).default(1).describe('optional extra floor: fewer samples in the window never fire (the rate rules already need a confident burst)'),
  confidence: z.number().min(0.5).max(0.999).default(0.95).describe('confidence of the Wilson interval: a rate rule fires when the interval’s lower bound is above its threshold'),
  resolve_hysteresis: z.number().min(0).max(0.9).default(0.2).describe('an open rate or latency alert resolves once the value is at or below threshold × (1 − this)'),
  cooldown_minutes: z.number().int().min(0).max(10_080).default(30),
  severity: z.record(dbText({ max: 64 }), z.enum(['info', 'warning', 'critical'])).default({}).describe('per-rule severity override'),
});

export type AlertConfig = z.output<typeof alertConfigSchema>;

/** The config as the API shows it: secrets are masked, so they are plain strings there. */
export const alertConfigViewSchema = alertConfigSchema.extend({
  slack_webhook_url: z.string().nullable(),
  webhook_secret: z.string().nullable(),
});
export const DEFAULT_ALERT_CONFIG: AlertConfig = alertConfigSchema.parse({});

export const ALERT_STATUSES = ['open', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export type Severity = 'info' | 'warning' | 'critical';

/** An alert as the API returns it. */
export interface Alert {
  id: string;
  project_id: string;
  type: string;
  severity: Severity;
  status: AlertStatus;
  dedup_key: string;
  title: string;
  message: string;
  details: Record<string, unknown>;
  trace_id: string | null;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

export const alertOutSchema = z
  .object({
    id: z.string(),
    project_id: z.string(),
    type: z.string(),
    severity: z.enum(['info', 'warning', 'critical']),
    status: z.enum(ALERT_STATUSES),
    dedup_key: z.string(),
    title: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
    trace_id: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    resolved_at: z.string().nullable(),
    resolved_by: z.string().nullable(),
  })
  .meta({ id: 'Alert' });

export const alertQuerySchema = z.strictObject({
  status: z.enum(ALERT_STATUSES).optional(),
  type: dbText({ min: 1, max: 64 }).optional(),
  from: isoQueryTime().optional(),
  to: isoQueryTime().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: dbText({ min: 1, max: 500 }).optional(),
});
export type AlertQuery = z.output<typeof alertQuerySchema>;
