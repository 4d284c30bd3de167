import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './core/config.js';
import { silentLogger, type Logger } from './core/logger.js';
import { createIngest, createPriceBook, startRetention, type Ingest } from './ingest/index.js';
import {
  createEvaluationSettings,
  createEvaluator,
  createJudge,
  createRegistry,
  isMetric,
  startEvaluationWorker,
  type EvaluationSettings,
  type Evaluator,
  type Judge,
  type LlmPort,
  type Metric,
  type MetricRegistry,
} from './evals/index.js';
import type { Consumer, Queue } from './queue/index.js';
import { createAlertEngine, createAlertSettings, createDeliverer, type AlertEngine, type AlertSettings, type Deliverer } from './alerts/index.js';
import { secretBox } from './core/secrets.js';
import { createAnalytics, createBudgetBook, createCosts } from './analytics/index.js';
import { postgresQueue } from './queue/postgres.js';
import { redisQueue } from './queue/redis.js';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import { openStore, type Store } from './storage/index.js';
import { buildServer } from './server/app.js';
import { createKeyAuth, type KeyAuth } from './server/auth.js';
import { createSessions } from './server/session/index.js';
import { createMetrics } from './server/metrics.js';
import { Redis } from 'ioredis';
import { budgetCheck, createGateway, loadGatewaySettings, type BudgetCheck, type Gateway, type ModelResolver } from './gateway/index.js';
import { gatewayLlm } from './judge-port.js';
import { promptModelResolver } from './prompt-port.js';
import { routerModelResolver } from './router-port.js';
import { createMonitors, type Monitors } from './monitors/index.js';

export { gatewayLlm };
import { createExperiments, createPromptResolver, createPrompts, promptNoticeSource, type Experiments, type Prompts } from './prompts/index.js';
import { createChangeBus } from './storage/index.js';
import { createRouter, type Router } from './router/index.js';
import { createRag, llmReranker, type ProjectRef, type Rag } from './rag/index.js';
import type { Worker } from 'node:worker_threads';
import { spawnModuleThread } from './core/threads.js';
import type { FromWorkerThread, ToWorkerThread, WorkerThreadInput } from './worker-thread.js';

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export interface Credentials {
  project_id: string;
  api_key: string;
}

/** Open the configured store (PostgreSQL when DATABASE_URL is set, else embedded PGlite). */
export function openConfiguredStore(config: Config, opts: { migrate?: boolean; priority?: 'foreground' | 'background' } = {}): Promise<Store> {
  return openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
    migrate: opts.migrate ?? true,
    priority: opts.priority,
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

/** Load metrics from operator-configured module paths (each exports a Metric as default or named). */
export async function loadCustomMetrics(paths: string[]): Promise<Metric[]> {
  const out: Metric[] = [];
  for (const p of paths) {
    const mod = (await import(pathToFileURL(resolve(p)).href)) as Record<string, unknown>;
    const found = Object.values(mod).filter(isMetric);
    if (found.length === 0) throw new Error(`AETHER_CUSTOM_METRICS: ${p} exports no metric (an object with name and evaluate())`);
    out.push(...found);
  }
  return out;
}

/** The evaluation pieces every process needs (server or worker). */
export interface EvalStack {
  queue: Queue;
  registry: MetricRegistry;
  judge: Judge | undefined;
  settings: EvaluationSettings;
  evaluator: Evaluator;
}

/**
 * The evaluation stack. The judge calls out through `llm` (the gateway's internal API), so it has
 * the gateway's providers, project credentials, breakers, pricing and tracing; without one (or a
 * judge model) evaluation is local.
 */
export async function createEvalStack(config: Config, store: Store, log: Logger, llm?: LlmPort): Promise<EvalStack> {
  const onError = (e: unknown) => log.warn({ err: e }, 'queue error');
  const queue = config.redisUrl ? redisQueue(store.pool, config.redisUrl, config.queue, onError) : postgresQueue(store.pool, config.queue, onError);
  const registry = createRegistry(await loadCustomMetrics(config.customMetricModules));
  const j = config.judge;
  const judge =
    j.model && llm
      ? createJudge({
          model: j.model,
          llm,
          concurrency: j.concurrency,
          timeoutMs: j.timeoutMs,
          maxTries: 3,
          // As before the judge went through the gateway: embeddings from OpenAI unless the judge is Anthropic's.
          embeddingModel: j.model.startsWith('anthropic/') ? undefined : 'openai/text-embedding-3-small',
        })
      : undefined;
  const settings = createEvaluationSettings(store, registry);
  const evaluator = createEvaluator({ registry, judge, logger: log });
  return { queue, registry, judge, settings, evaluator };
}

/**
 * For a process without the API (`aether worker`): a gateway of its own for the judge's calls,
 * tracing them through an ingest that never samples (its traces are internal anyway).
 */
export async function createWorkerLlm(config: Config, store: Store, log: Logger): Promise<{ llm: LlmPort | undefined; close(): Promise<void> }> {
  if (!config.judge.model) return { llm: undefined, close: async () => {} };
  const ingest = createIngest(store.traces, { prices: createPriceBook(store.modelPrices) });
  const gw = await createGatewayStack(config, store, ingest, log);
  return {
    llm: gatewayLlm(() => gw.gateway),
    async close() {
      await gw.close();
      await ingest.writer.flushed();
    },
  };
}

/** Alert settings, engine and notification sender; every process runs them (work is claimed, never doubled). */
export interface AlertStack {
  settings: AlertSettings;
  engine: AlertEngine;
  deliverer: Deliverer;
  close(): Promise<void>;
}

export function createAlertStack(config: Config, store: Store, log: Logger): AlertStack {
  const settings = createAlertSettings(store, secretBox(resolveMasterKey(config, log)));
  // The cost_budget rule watches every budget: the table's and the gateway settings' (read as budgets).
  const budgets = createBudgetBook(store, loadGatewaySettings(config.gateway.configFile).budget);
  const engine = createAlertEngine({ store, settings, logger: log, publicUrl: config.publicUrl, debounceMs: config.alerts.debounceMs, budgets: (projectId) => budgets({ id: projectId }) });
  const deliverer = createDeliverer({
    store,
    settings,
    logger: log,
    publicUrl: config.publicUrl,
    retryBaseMs: config.alerts.retryBaseMs,
    maxAgeMs: config.alerts.maxAgeMs,
    timeoutMs: config.alerts.timeoutMs,
    notices: promptNoticeSource(store.prompts),
  });
  engine.start(config.alerts.intervalMs);
  deliverer.start(config.alerts.pollMs);
  return {
    settings,
    engine,
    deliverer,
    async close() {
      await engine.stop();
      await deliverer.stop();
    },
  };
}

/** Start an evaluation worker on an eval stack; finished evaluations feed the alert engine. */
/**
 * The router of a process that scores but never routes (the worker, its thread): it writes what it
 * learns to the catalog and keeps no prompt index; the API processes build theirs from the store.
 */
const learningRouter = (store: Store): Router => createRouter({ store, options: { maxPromptsPerProject: 0 } });

export function startWorker(config: Config, store: Store, stack: EvalStack, alerts: AlertStack, log: Logger, yieldTo?: () => Promise<void>, router: Router = learningRouter(store)): Consumer {
  return startEvaluationWorker(
    {
      store,
      yieldTo,
      queue: stack.queue,
      evaluator: stack.evaluator,
      settings: stack.settings,
      logger: log,
      onEvaluated: (projectId, traceId, rows) => {
        router.observeEvaluations(projectId, traceId, rows).catch((e: unknown) => log.warn({ err: e }, 'router: could not learn from an evaluation'));
        const f = rows.find((r) => r.metric === 'faithfulness');
        if (!f) return;
        alerts.engine.notify(projectId, { kind: 'evaluations', traces: [{ traceId, faithfulness: f.score, hallucinated: rows.some((r) => r.metric === 'hallucination' && r.score === 1) }] });
      },
    },
    { concurrency: config.worker.concurrency, workerId: `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}` },
  );
}

/** Retention, applied by whichever process runs the evaluation worker (traces older than a project's retention go). */
export function startRetentionLoop(config: Config, store: Store, log: Logger, yieldTo?: () => Promise<void>): { stop(): Promise<void> } {
  return startRetention(store, {
    defaultDays: config.retention.days,
    intervalMs: config.retention.intervalMs,
    yieldTo,
    onPass: (r) => {
      for (const x of r) if (x.traces) log.info(x, 'retention: deleted traces older than the project keeps');
    },
    onError: (e) => log.warn({ err: e }, 'retention pass failed; retrying at the next interval'),
  });
}

/** Online monitors and their scheduler; every process runs it (a lease gives each due monitor one runner). */
export function createMonitorStack(config: Config, store: Store, evals: EvalStack, alerts: AlertStack, log: Logger, tickMs = config.monitors.tickMs): Monitors {
  const monitors = createMonitors({
    store,
    evaluator: evals.evaluator,
    registry: evals.registry,
    alertSettings: alerts.settings,
    logger: log,
    env: process.env,
    publicUrl: config.publicUrl,
    owner: `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
  });
  if (tickMs > 0) monitors.start(tickMs);
  return monitors;
}

/**
 * The LLM gateway: settings from AETHER_GATEWAY_CONFIG, provider keys from the environment and per
 * project (sealed with the master key), breaker/rate-limit/cache state in Redis when REDIS_URL is
 * set; every call it serves is traced through ingest.
 */
export async function createGatewayStack(config: Config, store: Store, ingest: Ingest, log: Logger, resolvers: ModelResolver[] = []): Promise<{ gateway: Gateway; budget: BudgetCheck; close(): Promise<void> }> {
  const settings = loadGatewaySettings(config.gateway.configFile);
  const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, commandTimeout: 500 }) : undefined;
  redis?.on('error', (e: unknown) => log.debug({ err: e }, 'gateway redis connection error'));
  await redis?.connect().catch((e: unknown) => log.warn({ err: e }, 'gateway: Redis unreachable; breakers, limits and cache fail open until it is back'));
  const j = config.judge;
  const costs = createCosts(store);
  // One budgets model, shared across processes: stored spend (the dashboard's rollups), re-read each second.
  const budget = budgetCheck(
    { budgets: createBudgetBook(store, settings.budget), spent: (projectId, b, from, to) => costs.spent(projectId, b, from, to) },
    { ttlMs: settings.budget.refresh_ms, onError: (e) => log.warn({ err: e }, 'gateway: could not read budget spend; using the last reading') },
  );
  const gateway = createGateway({
    settings,
    env: {
      openai: { baseUrl: j.openaiBaseUrl, apiKey: j.openaiApiKey },
      anthropic: { baseUrl: j.anthropicBaseUrl, apiKey: j.anthropicApiKey },
      openrouter: { baseUrl: config.gateway.openrouterBaseUrl, apiKey: config.gateway.openrouterApiKey },
    },
    projects: (id) => store.projects.get(id),
    credentials: { repo: store.providerCredentials, sealer: secretBox(resolveMasterKey(config, log)) },
    traceSink: (project, traces) => ingest.ingestBatch(project, { traces }),
    storedPrices: (projectId) => ingest.prices.peek(projectId),
    budget,
    resolvers,
    redis,
    logger: log,
  });
  return {
    gateway,
    budget,
    async close() {
      await gateway.flushTraces();
      gateway.close();
      redis?.disconnect();
    },
  };
}

/**
 * The retrieval toolkit: embeddings go out through the gateway (its breakers, credentials, retries
 * and tracing), searches are traced through ingest.
 */
export function createRagStack(store: Store, ingest: Ingest, gateway: Gateway, rerankModel?: string): Rag {
  return createRag({
    repo: store.rag,
    gatewayEmbed: gatewayEmbeddings(gateway),
    trace: (project, body) => ingest.ingestOne(project, body),
    rerank: llmReranker(async (project, model, prompt, signal) => {
      const r = await gateway.internal.chat({ projectId: project.id, model, messages: [{ role: 'user', content: prompt }], temperature: 0, response_format: { type: 'json_object' } }, { purpose: 'rerank', signal });
      return r.text;
    }),
    rerankModel,
  });
}

/** Embeddings for a project through the gateway's public `/v1/embeddings` operation. */
export function gatewayEmbeddings(gateway: Gateway) {
  return async (project: ProjectRef, model: string, texts: string[], signal?: AbortSignal): Promise<number[][]> => {
    const reply = await gateway.embeddings({ keyId: `rag:${project.id}`, project }, { model, input: texts }, {}, signal ?? new AbortController().signal);
    if (reply.kind !== 'json' || reply.status !== 200) throw new Error(`gateway embeddings answered ${reply.status}${reply.kind === 'json' ? `: ${reply.body.slice(0, 300)}` : ''}`);
    const body = JSON.parse(reply.body) as { data?: Array<{ index: number; embedding: number[] }> };
    return (body.data ?? []).sort((a, b) => a.index - b.index).map((d) => d.embedding);
  };
}

export interface Aether {
  config: Config;
  store: Store;
  ingest: Ingest;
  auth: KeyAuth;
  evals: EvalStack;
  alerts: AlertStack;
  monitors: Monitors;
  /** The in-process evaluation worker, or the thread running it (`workerThread`). */
  worker: Consumer | WorkerThread | undefined;
  server: FastifyInstance;
  /** The LLM gateway (the demo calls it in-process). */
  gateway: Gateway;
  prompts: Prompts;
  experiments: Experiments;
  /** The model router (catalog snapshot, profile, policies). */
  router: Router;
  rag: Rag;
  /** Stop accepting requests, finish in-flight writes, close the store. */
  close(): Promise<void>;
}

export interface CreateOptions {
  /** Use this store instead of opening the configured one (tests). It is closed with the app. */
  store?: Store;
  logger?: false | { level: string };
  log?: Logger;
  keyCacheMs?: number;
  /** Run the evaluation worker (when enabled) on a thread of its own instead of this event loop. */
  workerThread?: boolean;
}

/** The evaluation worker on its own thread (see worker-thread.ts); restarted if it dies. */
export interface WorkerThread {
  nudge(): void;
  stop(): Promise<void>;
}

export async function startWorkerThread(config: Config, store: Store, log: Logger): Promise<WorkerThread> {
  const url = new URL(import.meta.url.endsWith('.ts') ? './worker-thread.ts' : './worker-thread.js', import.meta.url);
  const input: WorkerThreadInput = { config, socket: store.endpoint };
  let stopped = false;
  let thread: Worker;
  let nudgePending = false;
  const spawn = () =>
    new Promise<void>((ready, fail) => {
      const t = spawnModuleThread(url, input);
      thread = t;
      t.on('message', (m: FromWorkerThread) => {
        if (m.type === 'ready') ready();
        else if (m.type === 'error') fail(new Error(`evaluation worker thread failed to start: ${m.message}`));
      });
      t.once('error', (e) => {
        log.error({ err: e }, 'evaluation worker thread crashed');
        fail(e);
      });
      t.once('exit', (code) => {
        if (stopped) return;
        log.error({ code }, 'evaluation worker thread exited; restarting it in 1 s');
        setTimeout(() => void spawn().catch((e: unknown) => log.error({ err: e }, 'evaluation worker thread did not restart')), 1000).unref();
      });
    });
  await spawn();
  return {
    nudge() {
      // One message per turn of the event loop however many commits land in it.
      if (nudgePending) return;
      nudgePending = true;
      setImmediate(() => {
        nudgePending = false;
        thread.postMessage('nudge' satisfies ToWorkerThread);
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const t = thread;
      await new Promise<void>((done) => {
        const timer = setTimeout(done, 10_000);
        t.on('message', (m: FromWorkerThread) => {
          if (m.type !== 'stopped') return;
          clearTimeout(timer);
          done();
        });
        t.once('exit', () => {
          clearTimeout(timer);
          done();
        });
        t.postMessage('stop' satisfies ToWorkerThread);
      });
      await t.terminate();
    },
  };
}

/** Composition root: builds every module from config and wires them together. */
export async function createAether(config: Config, opts: CreateOptions = {}): Promise<Aether> {
  const log = opts.log ?? silentLogger;
  const store = opts.store ?? (await openConfiguredStore(config));
  // With the worker on its own thread, this process's own background work (alert rules on traces,
  // notifications, monitors, the router's catalog) also takes the embedded store's background
  // socket, so only requests run at the front of the queue.
  const background = opts.workerThread === true && store.endpoint ? await openStore({ dataDir: config.dataDir, socket: store.endpoint, priority: 'background', migrate: false }) : store;
  // The judge calls through the gateway, which is built after the evaluation stack it traces into.
  const late: { gateway?: Gateway; budget?: BudgetCheck; thread?: WorkerThread } = {};
  const evals = await createEvalStack(config, store, log, gatewayLlm(() => late.gateway));
  const alerts = createAlertStack(config, background, log);
  const monitors = createMonitorStack(config, background, evals, alerts, log);
  const metrics = createMetrics(() => evals.queue.stats());
  const router = createRouter({ store: background, onError: (e) => log.warn({ err: e }, 'router: catalog refresh failed') });
  const ingest = createIngest(store.traces, {
    prices: createPriceBook(store.modelPrices),
    samplingRate: async (projectId) => {
      const c = await evals.settings.get(projectId);
      return c.enabled ? c.sampling_rate : 0;
    },
    onCommitted: (items) => {
      metrics.tracesIngested.inc(items.length);
      const spans = items.reduce((n, i) => n + i.spans.length, 0);
      if (spans) metrics.spansIngested.inc(spans);
      if (items.some((i) => i.evaluate)) {
        evals.queue.nudge();
        late.thread?.nudge();
      }
      for (const p of new Set(items.map((i) => i.trace.project_id))) alerts.engine.notify(p, { kind: 'traces' });
      router.observeTraces(items.map((i) => i.trace)).catch((e: unknown) => log.warn({ err: e }, 'router: could not learn from traces'));
    },
  });
  // In one process with the API, scoring waits (briefly) for pending ingest writes: accepting data
  // comes first, and the embedded store has a single connection.
  const ingestFirst = () => Promise.race([ingest.writer.flushed(), new Promise<void>((r) => setTimeout(r, 50))]);
  const inline = config.worker.enabled && opts.workerThread !== true;
  late.thread = config.worker.enabled && opts.workerThread === true ? await startWorkerThread(config, store, log) : undefined;
  const worker = inline ? startWorker(config, store, evals, alerts, log, ingestFirst, router) : late.thread;
  const retention = inline ? startRetentionLoop(config, store, log, ingestFirst) : undefined;
  router.start();
  const sessions = createSessions(store, { ttlMs: config.auth.sessionTtlDays * 86_400_000, cacheMs: opts.keyCacheMs, logger: log });
  const auth = createKeyAuth(store, { logger: log, cacheMs: opts.keyCacheMs, sessions });
  const promptBus = createChangeBus(store, 'aether_prompts', (e: unknown) => log.warn({ err: e }, 'prompt change listener'));
  const prompts = createPrompts({ repo: store.prompts, bus: promptBus, alertConfig: (p) => alerts.settings.get(p), nudge: () => void alerts.deliverer.runOnce().catch(() => 0), logger: log });
  const experiments = createExperiments({
    repo: store.experiments,
    checkPrompt: async (projectId, name, ref) => void (await prompts.get(projectId, name, ref)),
    promote: async (projectId, name, label, version, id) => void (await prompts.moveLabel({ projectId, id: `experiment:${id}`, role: 'owner' }, name, label, version)),
  });
  const gw = await createGatewayStack(config, store, ingest, log, [
    promptModelResolver(createPromptResolver({ prompts, experiments })),
    routerModelResolver({ router, gateway: () => late.gateway, budget: () => late.budget, prices: (id) => ingest.prices.peek(id) }),
  ]);
  late.gateway = gw.gateway;
  late.budget = gw.budget;
  const rag = createRagStack(store, ingest, gw.gateway, config.ragRerankModel);
  const server = await buildServer(
    { config, store, ingest, auth, sessions, metrics, evals, alerts, analytics: createAnalytics(store), costs: createCosts(store), gateway: gw.gateway, version: VERSION, monitors, prompts, experiments, router, rag },
    { logger: opts.logger ?? { level: config.logLevel } },
  );
  let closing: Promise<void> | undefined;
  return {
    config,
    store,
    ingest,
    auth,
    evals,
    alerts,
    monitors,
    worker,
    server,
    gateway: gw.gateway,
    prompts,
    experiments,
    router,
    rag,
    close() {
      closing ??= (async () => {
        await server.close();
        await gw.close();
        await ingest.writer.flushed();
        await worker?.stop();
        await retention?.stop();
        await monitors.stop();
        await router.close();
        await alerts.close();
        await evals.queue.close();
        await auth.close();
        sessions.close();
        await promptBus.close();
        if (background !== store) await background.close();
        await store.close();
      })();
      return closing;
    },
  };
}
