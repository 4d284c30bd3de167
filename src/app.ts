import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './core/config.js';
import { silentLogger, type Logger } from './core/logger.js';
import { createIngest, type Ingest } from './ingest/index.js';
import { openStore, type Store } from './storage/index.js';
import { buildServer } from './server/app.js';
import { createKeyAuth, type KeyAuth } from './server/auth.js';
import { createMetrics } from './server/metrics.js';

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface Credentials {
  project_id: string;
  api_key: string;
}

/** Open the configured store (PostgreSQL when DATABASE_URL is set, else embedded PGlite). */
export function openConfiguredStore(config: Config, opts: { migrate?: boolean } = {}): Promise<Store> {
  return openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
    migrate: opts.migrate ?? true,
  });
}

/** The master key from config, or one generated into the data dir (mode 0600) on first use. */
export function resolveMasterKey(config: Config, logger: Logger): string {
  if (config.masterKey) return config.masterKey;
  const file = join(resolve(config.dataDir), 'master.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(resolve(config.dataDir), { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, key + '\n', { mode: 0o600 });
  if (config.databaseUrl) {
    logger.warn({ file }, 'AETHER_MASTER_KEY is not set: generated one in the data dir; set it explicitly when several hosts share the database');
  }
  return key;
}

/**
 * First start of an empty store: create an organization, the `default` project and a key, and
 * write them to `credentials.json` (mode 0600). Returns them, or undefined when the store had data.
 */
export async function bootstrapDefaults(store: Store, dataDir: string): Promise<Credentials | undefined> {
  const orgs = await store.organizations.list();
  if (orgs.length > 0) return undefined;
  const org = await store.organizations.create({ name: 'Default', slug: 'default' });
  const project = await store.projects.create({ orgId: org.id, name: 'default', slug: 'default' });
  const { key } = await store.apiKeys.create({ projectId: project.id, name: 'default' });
  const creds: Credentials = { project_id: project.id, api_key: key };
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'credentials.json');
  writeFileSync(file, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return creds;
}

export interface Aether {
  config: Config;
  store: Store;
  ingest: Ingest;
  auth: KeyAuth;
  server: FastifyInstance;
  /** Stop accepting requests, finish in-flight writes, close the store. */
  close(): Promise<void>;
}

export interface CreateOptions {
  /** Use this store instead of opening the configured one (tests). It is closed with the app. */
  store?: Store;
  logger?: false | { level: string };
  log?: Logger;
  keyCacheMs?: number;
}

/** Composition root: builds every module from config and wires them together. */
export async function createAether(config: Config, opts: CreateOptions = {}): Promise<Aether> {
  const log = opts.log ?? silentLogger;
  const store = opts.store ?? (await openConfiguredStore(config));
  resolveMasterKey(config, log);
  const metrics = createMetrics();
  const ingest = createIngest(store.traces, {
    onCommitted: (items) => {
      metrics.tracesIngested.inc(items.length);
      const spans = items.reduce((n, i) => n + i.spans.length, 0);
      if (spans) metrics.spansIngested.inc(spans);
    },
  });
  const auth = createKeyAuth(store, { logger: log, cacheMs: opts.keyCacheMs });
  const server = await buildServer(
    { config, store, ingest, auth, metrics, version: VERSION },
    { logger: opts.logger ?? { level: config.logLevel } },
  );
  let closing: Promise<void> | undefined;
  return {
    config,
    store,
    ingest,
    auth,
    server,
    close() {
      closing ??= (async () => {
        await server.close();
        await ingest.writer.flushed();
        await auth.close();
        await store.close();
      })();
      return closing;
    },
  };
}
