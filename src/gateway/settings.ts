import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AetherError } from '../core/errors.js';
import { fieldIssues } from '../core/validate.js';
import { PROVIDER_NAMES } from './providers/index.js';

const model = z.string().min(1).max(256);
const limits = z.strictObject({
  requests_per_minute: z.number().int().min(0).default(0).describe('0 = unlimited'),
  tokens_per_minute: z.number().int().min(0).default(0).describe('0 = unlimited'),
});
const price = z.strictObject({
  input_per_mtok: z.number().nonnegative(),
  output_per_mtok: z.number().nonnegative(),
  cached_input_per_mtok: z.number().nonnegative().optional(),
});

/** The gateway settings file (`AETHER_GATEWAY_CONFIG`, JSON or YAML). Every section is optional. */
export const gatewaySettingsSchema = z.strictObject({
  /** Endpoint for bare model names no provider claims (e.g. `llama3` → `ollama/llama3`). */
  default_provider: z.string().optional(),
  aliases: z.record(z.string(), model).default({}).describe('name → provider/model'),
  models: z.array(model).default([]).describe('models GET /v1/models lists besides aliases and fallbacks'),
  fallbacks: z.record(z.string(), z.array(model).max(10)).default({}).describe('model → models tried in order when it fails'),
  endpoints: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'endpoint names are lower-case letters, digits, _ and -'),
      z.strictObject({ provider: z.enum(PROVIDER_NAMES), base_url: z.url().optional(), api_key: z.string().min(1).optional(), headers: z.record(z.string(), z.string()).default({}) }),
    )
    .default({})
    .describe('extra endpoints, e.g. {"ollama": {"provider": "openai-compatible", "base_url": "http://127.0.0.1:11434/v1"}}'),
  timeout_ms: z.number().int().min(100).default(60_000).describe('per attempt: until the answer (streams: the first chunk)'),
  stream_idle_timeout_ms: z.number().int().min(100).default(60_000).describe('longest gap between two streamed chunks'),
  retry: z
    .strictObject({
      max_retries: z.number().int().min(0).max(10).default(2),
      base_delay_ms: z.number().int().min(0).default(250),
      max_delay_ms: z.number().int().min(0).default(8_000),
      max_retry_after_ms: z.number().int().min(0).default(30_000).describe('a longer Retry-After moves on to the next fallback'),
    })
    .default({ max_retries: 2, base_delay_ms: 250, max_delay_ms: 8_000, max_retry_after_ms: 30_000 }),
  breaker: z
    .strictObject({
      enabled: z.boolean().default(true),
      window_ms: z.number().int().min(1_000).default(30_000),
      min_requests: z.number().int().min(1).default(10),
      failure_rate: z.number().gt(0).max(1).default(0.5),
      open_ms: z.number().int().min(100).default(30_000),
    })
    .default({ enabled: true, window_ms: 30_000, min_requests: 10, failure_rate: 0.5, open_ms: 30_000 }),
  cache: z
    .strictObject({
      enabled: z.boolean().default(false),
      ttl_s: z.number().int().min(1).default(300),
      max_entries: z.number().int().min(1).default(5_000),
      max_entry_bytes: z.number().int().min(1_024).default(1_048_576),
    })
    .default({ enabled: false, ttl_s: 300, max_entries: 5_000, max_entry_bytes: 1_048_576 }),
  rate_limits: limits
    .extend({ projects: z.record(z.string(), limits).default({}).describe('project id or slug → limits for each of its keys') })
    .default({ requests_per_minute: 0, tokens_per_minute: 0, projects: {} }),
  budget: z
    .strictObject({
      daily_usd: z.number().positive().optional().describe('per project and UTC day'),
      projects: z.record(z.string(), z.number().positive()).default({}),
      on_exceeded: z.enum(['reject', 'downgrade']).default('reject'),
      downgrade_model: model.optional(),
      refresh_ms: z.number().int().min(50).max(60_000).default(1_000).describe('how long a stored budget reading is used before it is read again'),
    })
    .default({ projects: {}, on_exceeded: 'reject', refresh_ms: 1_000 })
    .describe('a daily cap per project, read as a daily project budget (block, or downgrade) of the one budgets model'),
  pricing: z.record(z.string(), price).default({}).describe('model → USD per million tokens, overriding the bundled table'),
  project_pricing: z.record(z.string(), z.record(z.string(), price)).default({}),
  tracing: z
    .strictObject({
      enabled: z.boolean().default(true),
      capture_messages: z.boolean().default(false).describe('store the full request messages and reply on the llm span'),
      max_pending: z.number().int().min(1).default(10_000).describe('traces waiting to be written before new ones are dropped'),
      batch_size: z.number().int().min(1).max(1_000).default(500).describe('traces written in one statement'),
      flush_ms: z.number().int().min(1).max(60_000).default(100).describe('longest a trace waits to be written'),
    })
    .default({ enabled: true, capture_messages: false, max_pending: 10_000, batch_size: 500, flush_ms: 100 }),
});

export type GatewaySettings = z.output<typeof gatewaySettingsSchema>;
export type PriceOverride = z.output<typeof price>;

/** Validate raw settings; the error names each bad field. */
export function parseGatewaySettings(raw: unknown, source = 'gateway settings'): GatewaySettings {
  const r = gatewaySettingsSchema.safeParse(raw ?? {});
  if (!r.success) {
    const why = fieldIssues(r.error).map((i) => `${i.field}: ${i.message}`).join('; ');
    throw new AetherError(500, 'config_error', `${source} is invalid — ${why}`, { expose: true });
  }
  return r.data;
}

/** Read and validate the settings file (JSON, or YAML by extension); defaults when no path. */
export function loadGatewaySettings(path: string | undefined): GatewaySettings {
  if (!path) return parseGatewaySettings({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AetherError(500, 'config_error', `AETHER_GATEWAY_CONFIG: cannot read ${path}: ${(e as Error).message}`, { expose: true });
  }
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new AetherError(500, 'config_error', `AETHER_GATEWAY_CONFIG: ${path} does not parse: ${(e as Error).message}`, { expose: true });
  }
  return parseGatewaySettings(raw, `AETHER_GATEWAY_CONFIG (${path})`);
}
