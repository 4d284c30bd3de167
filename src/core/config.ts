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
  };
}
