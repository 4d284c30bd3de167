import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => ts('created_at').notNull().defaultNow();
const updatedAt = () => ts('updated_at').notNull().defaultNow();

export const organizations = pgTable('organizations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  plan: text('plan').notNull().default('free'),
  createdAt: createdAt(),
});

export const projects = pgTable(
  'projects',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    /** Traces older than this many days are deleted (with their spans and evaluations); null: the server default. */
    retentionDays: integer('retention_days'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('projects_org_slug_uq').on(t.orgId, t.slug)],
);

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    name: text('name'),
    passwordHash: text('password_hash'),
    role: text('role').notNull().default('member'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_uq').on(sql`lower(${t.email})`)],
);

export const apiKeys = pgTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull(),
    prefix: text('prefix').notNull(),
    createdAt: createdAt(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_uq').on(t.keyHash), index('api_keys_project_idx').on(t.projectId)],
);

export const ragTraces = pgTable(
  'rag_traces',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    ts: ts('ts').notNull(),
    query: text('query').notNull(),
    response: text('response'),
    contexts: jsonb('contexts').notNull().default([]),
    reference: text('reference'),
    model: text('model'),
    provider: text('provider'),
    inputTokens: integer('input_tokens'),
    outputTokens: integer('output_tokens'),
    tokenCount: integer('token_count'),
    latencyMs: doublePrecision('latency_ms'),
    costUsd: doublePrecision('cost_usd'),
    /** 'client' | 'computed' | 'unpriced'; null when the trace reports no usage. */
    costSource: text('cost_source'),
    userId: text('user_id'),
    sessionId: text('session_id'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    metadata: jsonb('metadata').notNull().default({}),
    status: text('status').notNull().default('success'),
    error: text('error'),
    spanCount: integer('span_count').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'rag_traces_pk', columns: [t.projectId, t.id] }),
    index('rag_traces_project_ts_idx').on(t.projectId, t.ts.desc(), t.id.desc()),
    index('rag_traces_project_user_idx').on(t.projectId, t.userId, t.ts.desc()).where(sql`${t.userId} is not null`),
    index('rag_traces_project_session_idx')
      .on(t.projectId, t.sessionId, t.ts.desc())
      .where(sql`${t.sessionId} is not null`),
    index('rag_traces_project_model_idx').on(t.projectId, t.model, t.ts.desc()),
    index('rag_traces_tags_idx').using('gin', t.tags),
  ],
);

export const traceSpans = pgTable(
  'trace_spans',
  {
    projectId: text('project_id').notNull(),
    traceId: text('trace_id').notNull(),
    id: text('id').notNull(),
    parentId: text('parent_id'),
    name: text('name').notNull(),
    kind: text('kind').notNull(),
    startTime: ts('start_time').notNull(),
    endTime: ts('end_time'),
    status: text('status').notNull().default('success'),
    error: text('error'),
    model: text('model'),
    inputTokens: integer('input_tokens'),
    outputTokens: integer('output_tokens'),
    costUsd: doublePrecision('cost_usd'),
    input: jsonb('input'),
    output: jsonb('output'),
    attributes: jsonb('attributes').notNull().default({}),
  },
  (t) => [primaryKey({ name: 'trace_spans_pk', columns: [t.projectId, t.traceId, t.id] })],
);

export const evaluations = pgTable(
  'evaluations',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    traceId: text('trace_id').notNull(),
    metric: text('metric').notNull(),
    metricVersion: text('metric_version').notNull(),
    evaluator: text('evaluator').notNull(),
    score: doublePrecision('score'),
    label: text('label'),
    reason: text('reason'),
    details: jsonb('details').notNull().default({}),
    costUsd: doublePrecision('cost_usd').notNull().default(0),
    tokens: integer('tokens').notNull().default(0),
    /** The trace's time: evaluations count in the window of their trace, like every other aggregate. */
    traceTs: ts('trace_ts').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    // One current result per trace × metric, whatever evaluator version produced it.
    uniqueIndex('evaluations_trace_metric_uq').on(t.projectId, t.traceId, t.metric),
    index('evaluations_project_metric_trace_ts_idx').on(t.projectId, t.metric, t.traceTs),
    index('evaluations_project_created_idx').on(t.projectId, t.createdAt.desc()),
    index('evaluations_project_metric_idx').on(t.projectId, t.metric, t.createdAt.desc()),
  ],
);

/** Per-project evaluation settings (metrics, sampling, thresholds), validated by the evals module. */
export const evaluationConfigs = pgTable('evaluation_configs', {
  projectId: text('project_id')
    .primaryKey()
    .references(() => projects.id, { onDelete: 'cascade' }),
  config: jsonb('config').notNull().default({}),
  updatedAt: updatedAt(),
});

/**
 * Evaluation jobs. With the Postgres queue this table is the queue (claimed with SKIP LOCKED); with
 * Redis it is the outbox swept into BullMQ. Rows are written in the same statement as their trace,
 * so no accepted trace can miss its evaluation.
 */
export const evalJobs = pgTable(
  'eval_jobs',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull(),
    traceId: text('trace_id').notNull(),
    payload: jsonb('payload').notNull().default({}),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    runAt: ts('run_at').notNull().defaultNow(),
    lockedUntil: ts('locked_until'),
    lockedBy: text('locked_by'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('eval_jobs_pending_idx').on(t.runAt).where(sql`${t.status} = 'pending'`),
    index('eval_jobs_running_idx').on(t.lockedUntil).where(sql`${t.status} = 'running'`),
    index('eval_jobs_dead_idx').on(t.projectId, t.updatedAt).where(sql`${t.status} = 'dead'`),
  ],
);

export const alertConfigs = pgTable('alert_configs', {
  projectId: text('project_id')
    .primaryKey()
    .references(() => projects.id, { onDelete: 'cascade' }),
  config: jsonb('config').notNull().default({}),
  updatedAt: updatedAt(),
});

export const alerts = pgTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    severity: text('severity').notNull().default('warning'),
    status: text('status').notNull().default('open'),
    dedupKey: text('dedup_key').notNull(),
    title: text('title').notNull(),
    message: text('message').notNull(),
    details: jsonb('details').notNull().default({}),
    traceId: text('trace_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    resolvedAt: ts('resolved_at'),
    resolvedBy: text('resolved_by'),
  },
  (t) => [
    index('alerts_project_created_idx').on(t.projectId, t.createdAt.desc()),
    index('alerts_project_key_idx').on(t.projectId, t.dedupKey, t.resolvedAt.desc()),
    uniqueIndex('alerts_open_dedup_uq').on(t.projectId, t.dedupKey).where(sql`${t.status} = 'open'`),
  ],
);

/** Alert notifications to send (the outbox): one row per alert event × channel, retried until sent. */
export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    id: text('id').primaryKey(),
    alertId: text('alert_id').notNull(),
    projectId: text('project_id').notNull(),
    channel: text('channel').notNull(),
    event: text('event').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    lockedUntil: ts('locked_until'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    deliveredAt: ts('delivered_at'),
  },
  (t) => [
    index('alert_deliveries_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    index('alert_deliveries_alert_idx').on(t.alertId),
  ],
);

/** Every delivery attempt, kept for the alert's history. */
export const alertDeliveryAttempts = pgTable(
  'alert_delivery_attempts',
  {
    id: text('id').primaryKey(),
    deliveryId: text('delivery_id').notNull(),
    attempt: integer('attempt').notNull(),
    ok: boolean('ok').notNull(),
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: doublePrecision('duration_ms').notNull(),
    at: createdAt(),
  },
  (t) => [index('alert_delivery_attempts_delivery_idx').on(t.deliveryId)],
);

/**
 * Provider credentials a project brings to the LLM gateway (one row per project × provider). The
 * secret is sealed with the master key (AES-256-GCM) before it gets here; `hint` is what is shown.
 */
export const gatewayCredentials = pgTable(
  'gateway_credentials',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    secret: text('secret').notNull(),
    hint: text('hint').notNull(),
    baseUrl: text('base_url'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ name: 'gateway_credentials_pk', columns: [t.projectId, t.provider] })],
);

// Rollups maintained in the same statement as the rows they count (see repos/traces.ts and
// repos/evaluations.ts): analytics read a few hundred rollup rows instead of millions of traces.
// `grain` is 'minute' (dim 'all'), 'hour' (all but user) or 'day'; latency_hist counts latencies in
// log buckets.
export const traceRollups = pgTable(
  'trace_rollups',
  {
    projectId: text('project_id').notNull(),
    grain: text('grain').notNull(),
    dim: text('dim').notNull(),
    bucket: ts('bucket').notNull(),
    key: text('key').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
    errors: bigint('errors', { mode: 'number' }).notNull(),
    inputTokens: bigint('input_tokens', { mode: 'number' }).notNull(),
    outputTokens: bigint('output_tokens', { mode: 'number' }).notNull(),
    tokens: bigint('tokens', { mode: 'number' }).notNull(),
    costUsd: doublePrecision('cost_usd').notNull(),
    latencyN: bigint('latency_n', { mode: 'number' }).notNull(),
    latencySum: doublePrecision('latency_sum').notNull(),
    latencyHist: integer('latency_hist').array().notNull(),
  },
  (t) => [primaryKey({ name: 'trace_rollups_pk', columns: [t.projectId, t.grain, t.dim, t.bucket, t.key] })],
);

export const evalRollups = pgTable(
  'eval_rollups',
  {
    projectId: text('project_id').notNull(),
    grain: text('grain').notNull(),
    metric: text('metric').notNull(),
    bucket: ts('bucket').notNull(),
    n: bigint('n', { mode: 'number' }).notNull(),
    scoreSum: doublePrecision('score_sum').notNull(),
    nullN: bigint('null_n', { mode: 'number' }).notNull(),
    costUsd: doublePrecision('cost_usd').notNull(),
    tokens: bigint('tokens', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ name: 'eval_rollups_pk', columns: [t.projectId, t.grain, t.metric, t.bucket] })],
);

/** Spend budgets per project, optionally for one model or user; periods are UTC days, ISO weeks, months. The one budget model: the gateway enforces it and the cost_budget alert rule watches it. */
export const budgets = pgTable(
  'budgets',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    scope: text('scope').notNull().default('project'),
    scopeValue: text('scope_value'),
    period: text('period').notNull(),
    amountUsd: doublePrecision('amount_usd').notNull(),
    /** What the gateway does once the budget is spent: block, downgrade (to downgrade_model) or alert only. */
    action: text('action').notNull().default('alert'),
    downgradeModel: text('downgrade_model'),
    createdAt: createdAt(),
  },
  (t) => [index('budgets_project_idx').on(t.projectId)],
);

/** Dashboard sign-in sessions; only a SHA-256 of the cookie token is stored. Expiry slides with use. */
export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    createdAt: createdAt(),
    lastSeenAt: ts('last_seen_at').notNull().defaultNow(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
);

/** One-time links that create the first owner; only their SHA-256 is stored, deleted when used. */
export const setupTokens = pgTable('setup_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  createdAt: createdAt(),
});

/** A project's own price for a model, in USD per token; it wins over the bundled table. */
export const modelPrices = pgTable(
  'model_prices',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    model: text('model').notNull(),
    inputPerToken: doublePrecision('input_per_token').notNull(),
    outputPerToken: doublePrecision('output_per_token').notNull(),
    cacheReadPerToken: doublePrecision('cache_read_per_token'),
    cacheWritePerToken: doublePrecision('cache_write_per_token'),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ name: 'model_prices_pk', columns: [t.projectId, t.model] })],
);

// --- langfuse ---

/** Langfuse-style key pairs (`pk-lf-…` / `sk-lf-…`), accepted only on /api/public/*; the secret is stored as SHA-256. */
export const langfuseKeys = pgTable(
  'langfuse_keys',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    publicKey: text('public_key').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: ts('last_used_at'),
    revokedAt: ts('revoked_at'),
  },
  (t) => [uniqueIndex('langfuse_keys_public_uq').on(t.publicKey), index('langfuse_keys_project_idx').on(t.projectId)],
);

/** The merged Langfuse events of one trace (trace, observations, scores), so updates may come before or after creates. */
export const langfuseTraceState = pgTable(
  'langfuse_trace_state',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    traceId: text('trace_id').notNull(),
    state: jsonb('state').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ name: 'langfuse_trace_state_pk', columns: [t.projectId, t.traceId] })],
);

/** Ingestion event ids already applied: a retried batch is answered without applying anything twice. */
export const langfuseEvents = pgTable(
  'langfuse_events',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    eventId: text('event_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ name: 'langfuse_events_pk', columns: [t.projectId, t.eventId] }), index('langfuse_events_created_idx').on(t.createdAt)],
);

// --- monitors ---

/** Online monitors: a YAML spec run on a schedule over a slice of data; one lease holder runs it at a time. */
export const monitors = pgTable(
  'monitors',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** `api` (stored spec, run by the scheduler) or `file` (run from a YAML file by the CLI). */
    origin: text('origin').notNull().default('api'),
    spec: jsonb('spec').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    status: text('status').notNull().default('NO_DATA'),
    metricStatus: jsonb('metric_status').notNull().default({}),
    /** End of the window the last successful run covered; the next run starts here. */
    windowEnd: ts('window_end'),
    lastRunAt: ts('last_run_at'),
    nextRunAt: ts('next_run_at'),
    leaseOwner: text('lease_owner'),
    leaseUntil: ts('lease_until'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('monitors_project_name_uq').on(t.projectId, t.name), index('monitors_next_run_idx').on(t.nextRunAt)],
);

/** Dedup: an item a monitor claimed or scored, per source; a claim is the insert that won. */
export const monitorItems = pgTable(
  'monitor_items',
  {
    projectId: text('project_id').notNull(),
    sourceKey: text('source_key').notNull(),
    monitorId: text('monitor_id')
      .notNull()
      .references(() => monitors.id, { onDelete: 'cascade' }),
    itemId: text('item_id').notNull(),
    state: text('state').notNull().default('claimed'),
    runId: text('run_id').notNull(),
    claimedAt: ts('claimed_at').notNull().defaultNow(),
    scoredAt: ts('scored_at'),
  },
  (t) => [primaryKey({ name: 'monitor_items_pk', columns: [t.projectId, t.sourceKey, t.monitorId, t.itemId] })],
);

/** Run history: what each run saw, sampled, scored and skipped, its cost, errors and per-metric status. */
export const monitorRuns = pgTable(
  'monitor_runs',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull(),
    monitorId: text('monitor_id')
      .notNull()
      .references(() => monitors.id, { onDelete: 'cascade' }),
    trigger: text('trigger').notNull(),
    dryRun: boolean('dry_run').notNull().default(false),
    status: text('status').notNull().default('running'),
    windowFrom: ts('window_from'),
    windowTo: ts('window_to'),
    itemsSeen: integer('items_seen').notNull().default(0),
    sampled: integer('sampled').notNull().default(0),
    scored: integer('scored').notNull().default(0),
    skippedDuplicates: integer('skipped_duplicates').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    costUsd: doublePrecision('cost_usd').notNull().default(0),
    durationMs: integer('duration_ms'),
    errors: jsonb('errors').notNull().default([]),
    aggregates: jsonb('aggregates').notNull().default({}),
    metricStatus: jsonb('metric_status').notNull().default({}),
    startedAt: ts('started_at').notNull().defaultNow(),
    finishedAt: ts('finished_at'),
  },
  (t) => [index('monitor_runs_monitor_idx').on(t.monitorId, t.startedAt)],
);

/** One metric's score for one item a monitor judged: plain columns for SQL tools. */
export const monitorResults = pgTable(
  'monitor_results',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull(),
    monitorId: text('monitor_id')
      .notNull()
      .references(() => monitors.id, { onDelete: 'cascade' }),
    runId: text('run_id').notNull(),
    sourceKey: text('source_key').notNull(),
    itemId: text('item_id').notNull(),
    traceId: text('trace_id'),
    metric: text('metric').notNull(),
    score: doublePrecision('score'),
    label: text('label'),
    reason: text('reason'),
    evaluator: text('evaluator').notNull(),
    costUsd: doublePrecision('cost_usd').notNull().default(0),
    query: text('query'),
    response: text('response'),
    itemTs: ts('item_ts'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('monitor_results_item_uq').on(t.projectId, t.monitorId, t.sourceKey, t.itemId, t.metric),
    index('monitor_results_run_idx').on(t.runId),
  ],
);

// --- prompts ---

/** A named prompt of a project; its content lives in immutable versions. */
export const prompts = pgTable(
  'prompts',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    type: text('type').notNull(),
    tags: jsonb('tags').notNull().default(sql`'[]'::jsonb`),
    category: text('category'),
    /** Highest version number ever given: numbers are never reused after a delete. */
    lastVersion: integer('last_version').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('prompts_project_name_uq').on(t.projectId, t.name)],
);

/** One immutable version of a prompt (numbered 1, 2, … per prompt). */
export const promptVersions = pgTable(
  'prompt_versions',
  {
    promptId: text('prompt_id')
      .notNull()
      .references(() => prompts.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    prompt: jsonb('prompt').notNull(),
    config: jsonb('config').notNull().default(sql`'{}'::jsonb`),
    variables: jsonb('variables').notNull().default(sql`'{}'::jsonb`),
    commitMessage: text('commit_message'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ name: 'prompt_versions_pk', columns: [t.promptId, t.version] })],
);

/** A label points at one version of a prompt; moving it is one update. */
export const promptLabels = pgTable(
  'prompt_labels',
  {
    promptId: text('prompt_id')
      .notNull()
      .references(() => prompts.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
    version: integer('version').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ name: 'prompt_labels_pk', columns: [t.promptId, t.label] })],
);

/** Labels of a project that only owners may move. */
export const promptProtectedLabels = pgTable(
  'prompt_protected_labels',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    label: text('label').notNull(),
  },
  (t) => [primaryKey({ name: 'prompt_protected_labels_pk', columns: [t.projectId, t.label] })],
);

/** Prompt changes (created, label moved, deleted): the audit trail and what change webhooks carry. */
export const promptEvents = pgTable(
  'prompt_events',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    promptName: text('prompt_name').notNull(),
    event: text('event').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('prompt_events_project_idx').on(t.projectId, t.createdAt)],
);

/** An A/B experiment: weighted variants (prompt version, model, parameters), lifecycle and decision. */
export const experiments = pgTable(
  'experiments',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    status: text('status').notNull().default('draft'),
    promptName: text('prompt_name'),
    unit: text('unit').notNull().default('user'),
    variants: jsonb('variants').notNull(),
    settings: jsonb('settings').notNull().default(sql`'{}'::jsonb`),
    winner: text('winner'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    startedAt: ts('started_at'),
    endedAt: ts('ended_at'),
  },
  (t) => [index('experiments_project_idx').on(t.projectId, t.createdAt)],
);

// --- router ---

/**
 * The router's supply catalog: per project × model × task type (`*` = all types), decayed sums of
 * what traces and evaluations showed. Updated by SQL increments (each statement decays the old sums
 * by the time since `updated_at`), so every API process converges on the same figures.
 */
export const routerCatalog = pgTable(
  'router_catalog',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    model: text('model').notNull(),
    taskType: text('task_type').notNull(),
    calls: doublePrecision('calls').notNull().default(0),
    errors: doublePrecision('errors').notNull().default(0),
    latW: doublePrecision('lat_w').notNull().default(0),
    latLog: doublePrecision('lat_log').notNull().default(0),
    latLog2: doublePrecision('lat_log2').notNull().default(0),
    ttftW: doublePrecision('ttft_w').notNull().default(0),
    ttftLog: doublePrecision('ttft_log').notNull().default(0),
    ttftLog2: doublePrecision('ttft_log2').notNull().default(0),
    tpotW: doublePrecision('tpot_w').notNull().default(0),
    tpotSum: doublePrecision('tpot_sum').notNull().default(0),
    outW: doublePrecision('out_w').notNull().default(0),
    outSum: doublePrecision('out_sum').notNull().default(0),
    qAlpha: doublePrecision('q_alpha').notNull().default(0),
    qBeta: doublePrecision('q_beta').notNull().default(0),
    qCount: bigint('q_count', { mode: 'number' }).notNull().default(0),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ name: 'router_catalog_pk', columns: [t.projectId, t.model, t.taskType] }), index('router_catalog_updated_idx').on(t.updatedAt)],
);

/** Per-project router settings (default policy, quality floor, PII-allowed models, exploration cap). */
export const routerSettings = pgTable('router_settings', {
  projectId: text('project_id')
    .primaryKey()
    .references(() => projects.id, { onDelete: 'cascade' }),
  config: jsonb('config').notNull(),
  updatedAt: updatedAt(),
});

// --- rag ---
// Retrieval collections. Vector columns and their HNSW indexes (pgvector) are created at runtime
// when the extension is there (src/storage/repos/rag.ts); this migration holds only portable SQL.

/** A named set of documents of a project, with its embedder and search settings. */
export const ragCollections = pgTable(
  'rag_collections',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    settings: jsonb('settings').notNull().default(sql`'{}'::jsonb`),
    chunkCount: bigint('chunk_count', { mode: 'number' }).notNull().default(0),
    totalLength: doublePrecision('total_length').notNull().default(0),
    /** Bumped by every write to the collection: in-memory indexes built at an older revision are stale. */
    revision: bigint('revision', { mode: 'number' }).notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('rag_collections_project_name_idx').on(t.projectId, t.name)],
);

/** A source document; re-sending the same id with the same content hash changes nothing. */
export const ragDocuments = pgTable(
  'rag_documents',
  {
    collectionId: text('collection_id')
      .notNull()
      .references(() => ragCollections.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    title: text('title'),
    source: text('source'),
    metadata: jsonb('metadata').notNull().default(sql`'{}'::jsonb`),
    contentHash: text('content_hash').notNull(),
    chunkCount: integer('chunk_count').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ name: 'rag_documents_pk', columns: [t.collectionId, t.id] })],
);

/** A chunk of a document: its text, its BM25 length and its embedding (real[]); BM25's index is built from these rows in memory (src/rag/lexical.ts). */
export const ragChunks = pgTable(
  'rag_chunks',
  {
    collectionId: text('collection_id')
      .notNull()
      .references(() => ragCollections.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    documentId: text('document_id').notNull(),
    position: integer('position').notNull(),
    text: text('text').notNull(),
    title: text('title'),
    source: text('source'),
    metadata: jsonb('metadata').notNull().default(sql`'{}'::jsonb`),
    tokenCount: integer('token_count').notNull(),
    length: doublePrecision('length').notNull(),
    /** Which embedder tier produced `embedding`: vectors of different tiers are never compared. */
    embedder: text('embedder'),
    embedding: real('embedding').array(),
  },
  (t) => [
    primaryKey({ name: 'rag_chunks_pk', columns: [t.collectionId, t.id] }),
    index('rag_chunks_document_idx').on(t.collectionId, t.documentId),
    index('rag_chunks_metadata_idx').using('gin', t.metadata),
  ],
);

/** Embeddings by content hash, per project and embedder, so re-ingestion does not pay twice. */
export const ragEmbeddingCache = pgTable(
  'rag_embedding_cache',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    embedder: text('embedder').notNull(),
    contentHash: text('content_hash').notNull(),
    embedding: real('embedding').array().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ name: 'rag_embedding_cache_pk', columns: [t.projectId, t.embedder, t.contentHash] })],
);
