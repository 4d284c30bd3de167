import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { errors } from '../core/errors.js';
import * as schema from './schema.js';
import { startEmbedded, type EmbeddedEndpoint } from './pglite/host.js';
import { appliedMigrations, expectedMigrations, runMigrations } from './migrate.js';
import { apiKeysRepo, organizationsRepo, projectsRepo, type Db } from './repos/admin.js';
import { tracesRepo } from './repos/traces.js';
import { routerRepo } from './repos/router.js';
import { evaluationConfigsRepo, evaluationsRepo } from './repos/evaluations.js';
import { providerCredentialsRepo } from './repos/providers.js';
import { alertsRepo } from './repos/alerts.js';
import { costInsightsRepo, statsRepo } from './repos/stats.js';
import { budgetsRepo } from './repos/budgets.js';
import { rollupsRepo } from './repos/rollups.js';
import { modelPricesRepo } from './repos/prices.js';
import { retentionRepo } from './repos/retention.js';
import { sessionsRepo, setupTokensRepo, usersRepo } from './repos/users.js';
import { monitorsRepo } from './repos/monitors.js';
import { promptsRepo } from './repos/prompts.js';
import { experimentsRepo } from './repos/experiments.js';
import { ragRepo } from './repos/rag.js';

export type { Db, Organization, Project, ApiKeyRecord } from './repos/admin.js';
export type { NewTrace, NewSpan, NewEvalJob, TracesRepo } from './repos/traces.js';
export type { NewEvaluation } from './repos/evaluations.js';
export type { ProviderCredentialRecord, ProviderCredentialsRepo } from './repos/providers.js';
export type { AlertsRepo, Delivery, DeliveryRecord, FireAlert } from './repos/alerts.js';
export type { RateStats, StatsRepo, WindowStats } from './repos/stats.js';
export type { Budget, BudgetInput } from './repos/budgets.js';
export type { ModelPricesRepo, StoredPrice, UnpricedModel } from './repos/prices.js';
export type { RollupsRepo, TraceRollupRow, EvalRollupRow, Segment } from './repos/rollups.js';
export type { User, Role, SessionRecord, UsersRepo, SessionsRepo, SetupTokensRepo } from './repos/users.js';
export { ROLES } from './repos/users.js';
export type { PromptsRepo, PromptVersionRecord, PromptSummary, NewPromptVersion, PromptChangeNotice, PromptEventRecord, VersionRef } from './repos/prompts.js';
export { createChangeBus, type ChangeBus } from './notify.js';
export type { ExperimentsRepo, ExperimentRecord, VariantStats } from './repos/experiments.js';
export type { CatalogDelta, CatalogRow, QualityOutcome, RouterRepo } from './repos/router.js';
export { schema };
export { spansRepo, type SpansRepo, type TracePatch } from './repos/spans.js';
export { langfuseRepo, type LangfuseRepo, type LangfuseKeyRecord, type SpanPageFilter, type TracePageFilter } from './repos/langfuse.js';
export type { MonitorsRepo, MonitorRecord, MonitorRun, MonitorStatus, NewMonitorResult, RunOutcome, TraceKey } from './repos/monitors.js';
export type { RagRepo, RagCollection, RagDocumentRow, RagDocumentWrite, RagChunkWrite, RagChunk, ScoredId, RagIndexRow, RagRevision } from './repos/rag.js';

// Return int8 (counts, sums) as JS numbers: every count Aether stores fits in 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
// int4[] (latency histograms): a plain split is several times faster than the generic array parser,
// which stays in charge of anything with NULLs or quoting.
const INT4_ARRAY = 1007 as Parameters<typeof pg.types.getTypeParser>[0];
const parseIntArray = pg.types.getTypeParser(INT4_ARRAY);
pg.types.setTypeParser(INT4_ARRAY, (v: string) => (/^\{[-\d,]*\}$/.test(v) ? (v.length === 2 ? [] : v.slice(1, -1).split(',').map(Number)) : parseIntArray(v)));

export type StoreKind = 'pglite' | 'postgres';

export interface StoreOptions {
  /** PostgreSQL URL; when absent the embedded PGlite store in `dataDir` is used. */
  databaseUrl?: string | undefined;
  dataDir: string;
  poolMax?: number;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
  /**
   * Embedded store only: connect to this socket (the store another thread of this process runs)
   * instead of starting or attaching to the data dir's.
   */
  socket?: EmbeddedSocket | undefined;
  /**
   * Embedded store only: `background` connects to the socket whose statements wait while
   * foreground ones (ingestion, the API) are queued: for scoring, alert rules and retention.
   */
  priority?: 'foreground' | 'background';
}

/** Where an embedded store listens (a Unix socket directory, as `pg` expects in `host`). */
export interface EmbeddedSocket {
  socketDir: string;
  port: number;
  /** The background socket's port (same directory). */
  backgroundPort: number;
}

export interface Store {
  kind: StoreKind;
  /** True when this process attached to an embedded store another local process runs. */
  attached: boolean;
  /** The embedded store's socket, for other connections from this process; undefined on PostgreSQL. */
  endpoint: EmbeddedSocket | undefined;
  db: Db;
  pool: pg.Pool;
  organizations: ReturnType<typeof organizationsRepo>;
  projects: ReturnType<typeof projectsRepo>;
  apiKeys: ReturnType<typeof apiKeysRepo>;
  traces: ReturnType<typeof tracesRepo>;
  evaluations: ReturnType<typeof evaluationsRepo>;
  evaluationConfigs: ReturnType<typeof evaluationConfigsRepo>;
  providerCredentials: ReturnType<typeof providerCredentialsRepo>;
  alerts: ReturnType<typeof alertsRepo>;
  stats: ReturnType<typeof statsRepo>;
  rollups: ReturnType<typeof rollupsRepo>;
  budgets: ReturnType<typeof budgetsRepo>;
  costInsights: ReturnType<typeof costInsightsRepo>;
  modelPrices: ReturnType<typeof modelPricesRepo>;
  retention: ReturnType<typeof retentionRepo>;
  prompts: ReturnType<typeof promptsRepo>;
  experiments: ReturnType<typeof experimentsRepo>;
  users: ReturnType<typeof usersRepo>;
  sessions: ReturnType<typeof sessionsRepo>;
  setupTokens: ReturnType<typeof setupTokensRepo>;
  monitors: ReturnType<typeof monitorsRepo>;
  router: ReturnType<typeof routerRepo>;
  /** Retrieval collections, documents, chunks and embeddings. */
  rag: ReturnType<typeof ragRepo>;
  /** Throws when the store cannot answer a trivial query. */
  ping(): Promise<void>;
  migrations(): Promise<{ applied: number; expected: number }>;
  close(): Promise<void>;
}

/** Open the store: PostgreSQL when a URL is given, otherwise embedded PGlite on a worker thread. */
export async function openStore(opts: StoreOptions): Promise<Store> {
  let embedded: EmbeddedEndpoint | undefined;
  let pool: pg.Pool;
  if (opts.databaseUrl) {
    pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolMax ?? 10 });
  } else {
    embedded = opts.socket ? { ...opts.socket, owner: false, close: async () => {} } : await startEmbedded(opts.dataDir);
    // PGlite executes one statement at a time; a single connection keeps that honest and transactions
    // safe, and measured faster than letting the socket server multiplex several.
    const port = opts.priority === 'background' ? embedded.backgroundPort : embedded.port;
    pool = new pg.Pool({ host: embedded.socketDir, port, user: 'postgres', database: 'postgres', max: 1 });
  }
  pool.on('error', () => {}); // idle-client errors surface on the next query instead of crashing the process
  try {
    await pool.query('select 1');
    if (opts.migrate !== false) await runMigrations(pool);
  } catch (e) {
    await pool.end().catch(() => {});
    await embedded?.close();
    throw errors.unavailable(`Cannot open the store: ${(e as Error).message}`, e);
  }
  const db = drizzle(pool, { schema });
  let closed = false;
  return {
    kind: opts.databaseUrl ? 'postgres' : 'pglite',
    attached: embedded ? !embedded.owner : false,
    endpoint: embedded ? { socketDir: embedded.socketDir, port: embedded.port, backgroundPort: embedded.backgroundPort } : undefined,
    db,
    pool,
    organizations: organizationsRepo(db),
    projects: projectsRepo(db),
    apiKeys: apiKeysRepo(db),
    traces: tracesRepo(pool),
    evaluations: evaluationsRepo(pool),
    evaluationConfigs: evaluationConfigsRepo(pool),
    providerCredentials: providerCredentialsRepo(pool),
    alerts: alertsRepo(pool),
    stats: statsRepo(pool),
    rollups: rollupsRepo(pool),
    budgets: budgetsRepo(pool),
    costInsights: costInsightsRepo(pool),
    modelPrices: modelPricesRepo(pool),
    retention: retentionRepo(pool),
    prompts: promptsRepo(pool),
    experiments: experimentsRepo(pool),
    users: usersRepo(db),
    sessions: sessionsRepo(db),
    setupTokens: setupTokensRepo(db),
    monitors: monitorsRepo(pool),
    router: routerRepo(pool),
    rag: ragRepo(pool),
    async ping() {
      await pool.query('select 1');
    },
    async migrations() {
      return { applied: await appliedMigrations(pool), expected: expectedMigrations() };
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end().catch(() => {});
      await embedded?.close();
    },
  };
}
