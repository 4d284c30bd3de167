import { z } from 'zod';
import { AetherError } from './errors.js';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no'])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

/** Every setting, with the environment variable it comes from. CLI flags override the environment. */
export const configSchema = z.object({
  AETHER_PORT: port.default(8000),
  AETHER_HOST: z.string().min(1).default('127.0.0.1'),
  AETHER_DATA_DIR: z.string().min(1).default('./.aether'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  AETHER_MASTER_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes); generate one with `openssl rand -hex 32`')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AETHER_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
  AETHER_MAX_BATCH_BODY_BYTES: z.coerce.number().int().min(1024).default(32 * 1024 * 1024),
  AETHER_TRUST_PROXY: bool.default(false),
  AETHER_WORKER: bool.default(true),
  AETHER_WORKER_THREAD: bool.default(true).describe("serve: run the evaluation worker on its own thread with its own store connection (false: on the API's event loop)"),
  AETHER_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(64),
  AETHER_QUEUE_VISIBILITY_MS: z.coerce.number().int().min(1000).default(60_000),
  AETHER_QUEUE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
  AETHER_QUEUE_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(200),
  AETHER_QUEUE_BACKOFF_MS: z.coerce.number().int().min(10).max(600_000).default(2_000),
  AETHER_JUDGE_MODEL: z
    .string()
    .regex(/^[a-z0-9_-]+\/.+$/i, 'must be provider/model, e.g. openai/gpt-4o-mini or anthropic/claude-3-5-haiku-latest')
    .optional(),
  AETHER_RAG_RERANK_MODEL: z
    .string()
    .regex(/^[a-z0-9_-]+\/.+$/i, 'must be provider/model, e.g. openai/gpt-4o-mini')
    .optional(),
  AETHER_JUDGE_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  AETHER_JUDGE_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  OPENAI_BASE_URL: z.url().default('https://api.openai.com/v1'),
  OPENAI_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.url().default('https://api.anthropic.com'),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  AETHER_CUSTOM_METRICS: z.string().optional().describe('comma-separated module paths, each exporting a Metric'),
  AETHER_PUBLIC_URL: z.url().optional(),
  AETHER_ALERT_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  AETHER_ALERT_DEBOUNCE_MS: z.coerce.number().int().min(0).default(200),
  AETHER_ALERT_POLL_MS: z.coerce.number().int().min(10).default(500),
  AETHER_MONITOR_TICK_MS: z.coerce.number().int().min(0).default(30_000).describe('how often the monitor scheduler looks for due monitors; 0 turns it off in this process'),
  AETHER_ALERT_RETRY_BASE_MS: z.coerce.number().int().min(10).default(5_000),
  AETHER_ALERT_MAX_AGE_MS: z.coerce.number().int().min(1000).default(86_400_000),
  AETHER_ALERT_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  OPENROUTER_BASE_URL: z.url().default('https://openrouter.ai/api/v1'),
  OPENROUTER_API_KEY: z.string().min(1).optional(),
  AETHER_GATEWAY_CONFIG: z.string().min(1).optional().describe('path of a JSON or YAML file with gateway settings (aliases, fallbacks, cache, rate limits, budgets)'),
  AETHER_WEB_DIR: z.string().min(1).optional().describe('built dashboard to serve at / (default: web/dist of the package)'),
  AETHER_SESSION_TTL_DAYS: z.coerce.number().min(0.001).max(365).default(14).describe('dashboard sessions expire after this long unused'),
  AETHER_LOGIN_MAX_FAILURES: z.coerce.number().int().min(1).max(10_000).default(10).describe('failed sign-ins per email and IP per minute before 429'),
  AETHER_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(0).describe("delete traces older than this many days (0: keep everything); a project's own retention wins"),
  AETHER_RETENTION_INTERVAL_MS: z.coerce.number().int().min(1000).default(3_600_000).describe('how often the worker applies retention'),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  redisUrl: string | undefined;
  masterKey: string | undefined;
  logLevel: RawConfig['LOG_LEVEL'];
  maxBodyBytes: number;
  maxBatchBodyBytes: number;
  trustProxy: boolean;
  /** `thread`: `serve` runs the worker on a thread of its own (the CLI honours it; tests embed it inline). */
  worker: { enabled: boolean; concurrency: number; thread: boolean };
  queue: { visibilityMs: number; maxAttempts: number; pollMs: number; backoffMs: number };
  /** The default re-rank model of retrieval searches that ask for `rerank` (AETHER_RAG_RERANK_MODEL). */
  ragRerankModel: string | undefined;
  judge: {
    model: string | undefined;
    concurrency: number;
    timeoutMs: number;
    openaiBaseUrl: string;
    openaiApiKey: string | undefined;
    anthropicBaseUrl: string;
    anthropicApiKey: string | undefined;
  };
  customMetricModules: string[];
  /** Base URL for links in notifications. */
  publicUrl: string;
  alerts: { intervalMs: number; debounceMs: number; pollMs: number; retryBaseMs: number; maxAgeMs: number; timeoutMs: number };
  monitors: { tickMs: number };
  gateway: { configFile: string | undefined; openrouterBaseUrl: string; openrouterApiKey: string | undefined };
  /** Built dashboard folder override; undefined = the package's web/dist. */
  webDir: string | undefined;
  auth: { sessionTtlDays: number; loginMaxFailures: number };
  /** Default retention in days (undefined: keep everything) and how often it is applied. */
  retention: { days: number | undefined; intervalMs: number };
}

/** Flags from the command line, named as the env variable they override. */
export type ConfigOverrides = Partial<Record<keyof RawConfig, string | number | boolean | undefined>>;

/** Parse configuration once, at the entry point. Throws an AetherError naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined>, overrides: ConfigOverrides = {}): Config {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const fromFlag = overrides[key as keyof RawConfig];
    const fromEnv = env[key];
    const v = fromFlag ?? (fromEnv === '' ? undefined : fromEnv);
    if (v !== undefined) input[key] = v;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${String(i.path[0] ?? '?')}: ${i.message}`);
    throw new AetherError(500, 'config_error', `Invalid configuration — ${lines.join('; ')}`, { expose: true });
  }
  const c = parsed.data;
  return {
    port: c.AETHER_PORT,
    host: c.AETHER_HOST,
    dataDir: c.AETHER_DATA_DIR,
    databaseUrl: c.DATABASE_URL,
    databasePoolMax: c.DATABASE_POOL_MAX,
    redisUrl: c.REDIS_URL,
    masterKey: c.AETHER_MASTER_KEY,
    logLevel: c.LOG_LEVEL,
    maxBodyBytes: c.AETHER_MAX_BODY_BYTES,
    maxBatchBodyBytes: c.AETHER_MAX_BATCH_BODY_BYTES,
    trustProxy: c.AETHER_TRUST_PROXY,
    worker: { enabled: c.AETHER_WORKER, concurrency: c.AETHER_WORKER_CONCURRENCY, thread: c.AETHER_WORKER_THREAD },
    queue: { visibilityMs: c.AETHER_QUEUE_VISIBILITY_MS, maxAttempts: c.AETHER_QUEUE_MAX_ATTEMPTS, pollMs: c.AETHER_QUEUE_POLL_MS, backoffMs: c.AETHER_QUEUE_BACKOFF_MS },
    ragRerankModel: c.AETHER_RAG_RERANK_MODEL,
    judge: {
      model: c.AETHER_JUDGE_MODEL,
      concurrency: c.AETHER_JUDGE_CONCURRENCY,
      timeoutMs: c.AETHER_JUDGE_TIMEOUT_MS,
      openaiBaseUrl: c.OPENAI_BASE_URL,
      openaiApiKey: c.OPENAI_API_KEY,
      anthropicBaseUrl: c.ANTHROPIC_BASE_URL,
      anthropicApiKey: c.ANTHROPIC_API_KEY,
    },
    customMetricModules: (c.AETHER_CUSTOM_METRICS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    publicUrl: c.AETHER_PUBLIC_URL ?? `http://${c.AETHER_HOST.includes(':') ? `[${c.AETHER_HOST}]` : c.AETHER_HOST}:${c.AETHER_PORT}`,
    monitors: { tickMs: c.AETHER_MONITOR_TICK_MS },
    alerts: {
      intervalMs: c.AETHER_ALERT_INTERVAL_MS,
      debounceMs: c.AETHER_ALERT_DEBOUNCE_MS,
      pollMs: c.AETHER_ALERT_POLL_MS,
      retryBaseMs: c.AETHER_ALERT_RETRY_BASE_MS,
      maxAgeMs: c.AETHER_ALERT_MAX_AGE_MS,
      timeoutMs: c.AETHER_ALERT_TIMEOUT_MS,
    },
    gateway: { configFile: c.AETHER_GATEWAY_CONFIG, openrouterBaseUrl: c.OPENROUTER_BASE_URL, openrouterApiKey: c.OPENROUTER_API_KEY },
    webDir: c.AETHER_WEB_DIR,
    auth: { sessionTtlDays: c.AETHER_SESSION_TTL_DAYS, loginMaxFailures: c.AETHER_LOGIN_MAX_FAILURES },
    retention: { days: c.AETHER_RETENTION_DAYS > 0 ? c.AETHER_RETENTION_DAYS : undefined, intervalMs: c.AETHER_RETENTION_INTERVAL_MS },
  };
}
