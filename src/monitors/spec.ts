import { z } from 'zod';
import { CronExpressionParser } from 'cron-parser';
import { customMetricSchema, dbText, traceQuerySchema } from '../core/index.js';
import { compilePath } from './paths.js';

const name = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'must be 1-100 lowercase letters, digits, _ . - (starting with a letter or digit)');
const filePath = dbText({ min: 1, max: 1000 });
/** A path into an item (paths.ts syntax). */
const path = dbText({ min: 1, max: 500 }).refine((p) => {
  try {
    compilePath(p);
    return true;
  } catch {
    return false;
  }
}, 'is not a path: use a.b, a[0], a[-1], a["key"], a[*].b');

/** Filters of the trace API (GET /api/v1/traces), minus paging. */
const traceFilters = traceQuerySchema.pick({ model: true, provider: true, user_id: true, session_id: true, tag: true, status: true, min_latency_ms: true, max_latency_ms: true, q: true }).partial();

const windowFields = z.strictObject({
  since_last_run: z.boolean().default(true).describe('start where the previous successful run stopped'),
  lookback_minutes: z.number().int().min(1).max(525_600).default(1440).describe('how far back the first run (or --since absent) looks'),
});
/** Aether sources always have a window; other sources only when the file asks for one. */
const window = windowFields.default({ since_last_run: true, lookback_minutes: 1440 });
const optionalWindow = windowFields.optional();

const fileSource = <T extends 'jsonl' | 'csv' | 'langfuse_file'>(type: T) =>
  z.strictObject({ type: z.literal(type), path: z.union([filePath, z.array(filePath).min(1).max(1000)]), id_field: path.optional(), time_field: path.optional(), window: optionalWindow });

export const sourceSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('aether'), filters: traceFilters.default({}), window }),
  fileSource('jsonl'),
  fileSource('csv'),
  fileSource('langfuse_file'),
  z.strictObject({
    type: z.literal('langfuse_api'),
    base_url: z.url({ protocol: /^https?$/ }),
    public_key: dbText({ min: 1, max: 256 }).describe('or ${ENV_VAR}'),
    secret_key: dbText({ min: 1, max: 256 }).describe('or ${ENV_VAR}'),
    filters: z.strictObject({ name: dbText().optional(), user_id: dbText().optional(), session_id: dbText().optional(), tags: z.array(dbText()).max(20).optional(), environment: dbText().optional() }).default({}),
    page_limit: z.number().int().min(1).max(100).default(50),
    max_pages: z.number().int().min(1).max(10_000).default(100),
    window: optionalWindow,
  }),
  z.strictObject({ type: z.literal('slack'), path: filePath.describe('a channel folder of a Slack export'), include_replies: z.boolean().default(true), window: optionalWindow }),
]);

const pattern = z.strictObject({
  from: path.describe('path of the text to match, e.g. query or raw.input.messages[0].content'),
  regex: dbText({ min: 1, max: 2000 }).refine((s) => {
    try {
      new RegExp(s, 's');
      return true;
    } catch {
      return false;
    }
  }, 'is not a valid regular expression'),
  /** Where each named group lands: query, response, reference, or metadata.<key>. Unnamed: group name becomes metadata.<name>. */
  into: z.record(dbText({ min: 1, max: 100 }), z.string().regex(/^(query|response|reference|contexts|metadata\.[A-Za-z0-9_.-]{1,100})$/, 'must be query, response, reference, contexts or metadata.<key>')).default({}),
});

export const extractorSchema = z
  .strictObject({
    id: path.optional().describe('path of the item id (default id)'),
    query: path.optional(),
    response: path.optional(),
    contexts: path.optional(),
    reference: path.optional(),
    metadata: z.record(dbText({ min: 1, max: 100 }), path).default({}),
    patterns: z.array(pattern).max(20).default([]),
    module: dbText({ min: 1, max: 1000 }).optional().describe('./x.js exporting a function (item) => input, applied last'),
  })
  .default({ metadata: {}, patterns: [] });

export const samplingSchema = z
  .discriminatedUnion('strategy', [
    z.strictObject({ strategy: z.literal('all') }),
    z.strictObject({ strategy: z.literal('random_n'), n: z.number().int().min(1).max(1_000_000) }),
    z.strictObject({ strategy: z.literal('random_rate'), rate: z.number().gt(0).max(1) }),
    z.strictObject({ strategy: z.literal('most_recent'), n: z.number().int().min(1).max(1_000_000) }),
    z.strictObject({ strategy: z.literal('oldest'), n: z.number().int().min(1).max(1_000_000) }),
    z.strictObject({ strategy: z.literal('stratified'), field: path, n_per_stratum: z.number().int().min(1).max(100_000) }),
  ])
  .default({ strategy: 'all' });

const metricSchema = z.union([
  z.strictObject({
    name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be a metric name (lowercase letters, digits, _)'),
    evaluator: z.enum(['auto', 'local', 'judge']).optional(),
    threshold: z.number().min(0).max(1).optional().describe('pass threshold (evaluation config thresholds)'),
    hallucination_threshold: z.number().min(0).max(1).optional(),
  }),
  customMetricSchema,
]);

export const thresholdSchema = z
  .strictObject({
    aggregate: z.enum(['mean', 'median', 'p10', 'p90', 'min', 'max', 'pass_rate']).default('mean'),
    warning_below: z.number().optional(),
    alert_below: z.number().optional(),
    warning_above: z.number().optional(),
    alert_above: z.number().optional(),
    min_samples: z.number().int().min(1).max(1_000_000).default(1).describe('fewer scored items than this: NO_DATA'),
  })
  .refine((t) => [t.warning_below, t.alert_below, t.warning_above, t.alert_above].some((x) => x !== undefined), 'needs at least one of warning_below, alert_below, warning_above, alert_above');

export const scheduleSchema = z
  .union([
    z.strictObject({ interval_minutes: z.number().int().min(1).max(525_600) }),
    z.strictObject({
      cron: dbText({ min: 1, max: 200 }).refine((s) => {
        try {
          CronExpressionParser.parse(s);
          return true;
        } catch {
          return false;
        }
      }, 'is not a valid cron expression (5 or 6 fields)'),
      timezone: dbText({ min: 1, max: 64 }).optional(),
    }),
  ])
  .optional();

export const monitorSpecSchema = z.strictObject({
  name,
  description: dbText({ max: 2000 }).optional(),
  enabled: z.boolean().default(true),
  source: sourceSchema,
  extractor: extractorSchema,
  sampling: samplingSchema,
  metrics: z.array(metricSchema).min(1).max(50),
  evaluator: z.enum(['auto', 'local', 'judge']).default('auto'),
  schedule: scheduleSchema,
  thresholds: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,62}$/), thresholdSchema).default({}),
  publish: z
    .strictObject({
      evaluations: z.boolean().default(true).describe('Aether sources: attach scores to the judged traces'),
      alerts: z.boolean().default(true).describe("status changes go to the project's alert channels"),
      worst_items: z.number().int().min(0).max(20).default(5),
    })
    .default({ evaluations: true, alerts: true, worst_items: 5 }),
});

export const SOURCE_TYPES = sourceSchema.options.map((o) => o.shape.type.value);
export const SAMPLING_STRATEGIES = samplingSchema.unwrap().options.map((o) => o.shape.strategy.value);

export type MonitorSpec = z.output<typeof monitorSpecSchema>;
export type MonitorSource = MonitorSpec['source'];
export type Extractor = MonitorSpec['extractor'];
export type Sampling = MonitorSpec['sampling'];
export type Threshold = z.output<typeof thresholdSchema>;
export type MetricEntry = MonitorSpec['metrics'][number];
export type Schedule = NonNullable<MonitorSpec['schedule']>;
