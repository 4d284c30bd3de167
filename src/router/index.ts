// The model router: a supply catalog learned from traces and evaluations, a workload profile read
// from the request, and a controller that picks a model by policy. `route()` is synchronous and
// in-memory; `prepare()` makes sure a project's snapshot is loaded first.
import { errors } from '../core/errors.js';
import type { Store } from '../storage/index.js';
import { catalogModel, createCatalog, type Catalog, type ModelStats, type QualityObservation } from './catalog.js';
import { bareModel, control, statsFor, type Candidate, type Prediction } from './controller.js';
import { NO_EVIDENCE } from './knn.js';
import { isPolicy, parseAutoModel, policies, POLICY_NAMES, type PolicyName } from './policies.js';
import { parseSloHeaders, preloadTokenizer, profileRequest, promptOf, TASK_VOTERS, type ChatBody, type Profile } from './profile.js';
import { DEFAULT_SETTINGS, routerSettingsSchema, type RouterSettings } from './settings.js';

export { paretoFrontier, sampleBeta, type Candidate, type Prediction } from './controller.js';
export { parseAutoModel, policies, POLICY_NAMES, isPolicy, type PolicyName } from './policies.js';
export { parseSloHeaders, profileRequest, TASK_TYPES, type Profile, type TaskType, type ChatBody } from './profile.js';
export { routerSettingsSchema, type RouterSettings } from './settings.js';
export { priceOf, pricedCandidates } from './pool.js';
export { PromptIndex, termVector } from './knn.js';
export type { ModelStats } from './catalog.js';

/** Trace metadata key under which a routed call records its decision: `{ policy, model, task_type }`. */
export const ROUTE_METADATA_KEY = 'aether.route';

/** Metrics whose 0..1 scores count as quality by default (higher is better). */
export const DEFAULT_QUALITY_METRICS = ['feedback', 'correctness', 'quality', 'faithfulness'];

export interface RouteRequest {
  projectId: string;
  body: ChatBody;
  headers: Record<string, string | string[] | undefined>;
  candidates: readonly Candidate[];
  /** The policy named by the model (`auto:<policy>`); the header and then the project default come next. */
  policy?: PolicyName | undefined;
  /** Thompson sampling within the exploration cap (default true; dry runs usually pass false). */
  explore?: boolean | undefined;
  /** Extra settings for this request only (e.g. a quality gap in a sweep). */
  overrides?: Partial<Pick<RouterSettings, 'min_quality' | 'quality_gap' | 'quality_per_usd' | 'max_cost_usd' | 'max_latency_ms'>> | undefined;
  rnd?: () => number;
}

export interface RouteDecision {
  model: string | null;
  policy: PolicyName;
  task_type: string;
  explored: boolean;
  profile: Pick<Profile, 'taskType' | 'inputTokens' | 'neededContext' | 'needs' | 'slo' | 'pii'> & { neighbours: number };
  candidates: Prediction[];
  frontier: string[];
  why: string;
}

export interface RouterOptions {
  halfLifeSeconds?: number;
  qualityMetrics?: string[];
  maxPromptsPerProject?: number;
  /** How often the snapshot is refreshed from the table (ms). */
  refreshMs?: number;
  /** Neighbours consulted per request. */
  neighbours?: number;
  /** Neighbour weight = similarity^power. */
  neighbourPower?: number;
}

export interface RouterDeps {
  store: Pick<Store, 'router' | 'traces' | 'evaluations'>;
  options?: RouterOptions;
  onError?: (e: unknown) => void;
}

interface TraceLike {
  project_id: string;
  id: string;
  model?: string | null | undefined;
  provider?: string | null | undefined;
  query: string;
  latency_ms?: number | null | undefined;
  status?: string | undefined;
  output_tokens?: number | null | undefined;
  metadata?: Record<string, unknown> | null | undefined;
}

const routeLabel = (m: Record<string, unknown> | null | undefined): string | null => {
  const r = m?.[ROUTE_METADATA_KEY];
  if (r && typeof r === 'object' && typeof (r as { task_type?: unknown }).task_type === 'string') return (r as { task_type: string }).task_type;
  return typeof m?.task_type === 'string' ? m.task_type : null;
};

// The UTC day, worked out again only when the clock passes midnight (route() asks every request).
let today = { day: '', until: 0 };
const utcDay = () => {
  const now = Date.now();
  if (now >= today.until || now < today.until - 86_400_000) {
    const day = new Date(now).toISOString().slice(0, 10);
    today = { day, until: Date.parse(`${day}T00:00:00Z`) + 86_400_000 };
  }
  return today.day;
};

/** Build the router over the store; call `start()` to refresh the snapshot in the background. */
export function createRouter(deps: RouterDeps) {
  const o = deps.options ?? {};
  const catalog: Catalog = createCatalog(deps.store.router, {
    halfLifeSeconds: o.halfLifeSeconds ?? 3 * 86_400,
    qualityMetrics: o.qualityMetrics ?? DEFAULT_QUALITY_METRICS,
    maxPrompts: o.maxPromptsPerProject ?? 20_000,
  });
  const k = o.neighbours ?? 256;
  const settings = new Map<string, RouterSettings>();
  const spend = new Map<string, { day: string; usd: number }>();
  const onError = deps.onError ?? (() => {});
  let timer: NodeJS.Timeout | undefined;
  void preloadTokenizer();

  async function loadSettings(projectId: string): Promise<RouterSettings> {
    const raw = await deps.store.router.getSettings(projectId);
    const s = raw === undefined ? DEFAULT_SETTINGS : routerSettingsSchema.parse(raw);
    settings.set(projectId, s);
    return s;
  }

  const qualityOf = (rows: Array<{ metric: string; score: number | null }>) => rows.filter((r): r is { metric: string; score: number } => r.score !== null && catalog.options.qualityMetrics.includes(r.metric));

  async function scoreTraces(projectId: string, scores: Array<{ traceId: string; metric: string; score: number }>): Promise<void> {
    if (scores.length === 0) return;
    const traces = await deps.store.traces.getMany([...new Set(scores.map((s) => s.traceId))].map((id) => ({ projectId, id })));
    const byId = new Map(traces.map((t) => [t.id, t]));
    const obs: QualityObservation[] = [];
    for (const s of scores) {
      const t = byId.get(s.traceId);
      if (!t?.model) continue;
      obs.push({ projectId, traceId: t.id, model: catalogModel(t)!, prompt: t.query, taskLabel: routeLabel(t.metadata), metric: s.metric, score: s.score });
    }
    await catalog.observeQuality(obs);
  }

  let evalQueue: Array<{ projectId: string; traceId: string; metric: string; score: number }> = [];
  let evalTimer: NodeJS.Timeout | undefined;
  async function flushEvaluations(): Promise<void> {
    if (evalTimer) clearTimeout(evalTimer);
    evalTimer = undefined;
    const batch = evalQueue;
    evalQueue = [];
    const byProject = new Map<string, typeof batch>();
    for (const e of batch) (byProject.get(e.projectId) ?? byProject.set(e.projectId, []).get(e.projectId)!).push(e);
    for (const [projectId, scores] of byProject) await scoreTraces(projectId, scores);
  }

  return {
    catalog,
    /** Load a project's snapshot and settings (once; the background refresh keeps them current). */
    async prepare(projectId: string): Promise<void> {
      await catalog.ensure(projectId);
      if (!settings.has(projectId)) await loadSettings(projectId);
    },

    /** Decide a model for a request (synchronous, in memory). */
    route(req: RouteRequest): RouteDecision {
      let slo;
      try {
        slo = parseSloHeaders(req.headers);
      } catch {
        throw errors.validation([{ field: 'headers', message: 'x-aether-max-latency-ms and x-aether-max-cost-usd must be positive numbers, x-aether-min-quality a number from 0 to 1' }]);
      }
      const base = settings.get(req.projectId) ?? DEFAULT_SETTINGS;
      const s: RouterSettings = req.overrides ? { ...base, ...req.overrides } : base;
      let policy: PolicyName = req.policy ?? s.default_policy;
      if (!req.policy && slo.route) {
        const named = slo.route.startsWith('auto:') ? slo.route.slice(5) : slo.route;
        if (!isPolicy(named)) throw errors.validation([{ field: 'x-aether-route', message: `unknown policy "${slo.route}"; known: ${POLICY_NAMES.join(', ')}` }]);
        policy = named;
      }
      const index = catalog.index(req.projectId);
      const prompt = promptOf(req.body);
      // One search per decision: its neighbours give every candidate's evidence and the task-type votes.
      const hits = prompt ? index.search(prompt, k, false) : undefined;
      const found = hits?.n ?? 0;
      const evidence = hits && found ? index.evidence(hits, o.neighbourPower ?? 0.5) : NO_EVIDENCE;
      const profile = profileRequest(req.body, slo, hits && found ? index.best(hits, TASK_VOTERS) : []);
      const day = utcDay();
      const spent = spend.get(req.projectId);
      const spentToday = spent?.day === day ? spent.usd : 0;
      const explore = (req.explore ?? true) && s.exploration.enabled && spentToday < s.exploration.daily_cap_usd;
      const r = control({ profile, candidates: req.candidates, models: catalog.models(req.projectId), evidence, settings: s, policy, explore, drift: (m, task) => {
          const d = index.driftEstimate(m, task);
          const name = d.mean || d.low ? null : bareModel(m);
          return name === null ? d : index.driftEstimate(name, task);
        }, rnd: req.rnd });
      if (r.explored && r.model) {
        const extra = Math.max(0, (r.candidates.find((c) => c.model === r.model)?.cost_usd ?? 0) - r.exploit.cost_usd);
        spend.set(req.projectId, { day, usd: spentToday + extra });
      }
      const { taskType, inputTokens, neededContext, needs, pii } = profile;
      return {
        model: r.model,
        policy: r.policy,
        task_type: profile.taskType,
        explored: r.explored,
        profile: { taskType, inputTokens, neededContext, needs, slo, pii, neighbours: found },
        candidates: r.candidates,
        frontier: r.frontier,
        why: r.why,
      };
    },

    /** Finished calls from committed traces (latency, errors, TTFT). */
    async observeTraces(traces: TraceLike[]): Promise<void> {
      const calls = traces
        .filter((t) => t.model)
        .map((t) => {
          const ttft = t.metadata?.ttft_ms;
          return {
            projectId: t.project_id,
            model: catalogModel(t)!,
            prompt: t.query,
            taskLabel: routeLabel(t.metadata),
            latencyMs: t.latency_ms ?? null,
            error: t.status === 'error',
            ttftMs: typeof ttft === 'number' ? ttft : null,
            outputTokens: t.output_tokens ?? null,
          };
        });
      if (calls.length) await catalog.observeCalls(calls);
    },

    /**
     * Evaluation results of one trace (the worker's hook): quality metrics update the catalog. They
     * are gathered for a moment and looked up together (one trace read per batch, not per trace).
     */
    observeEvaluations(projectId: string, traceId: string, rows: Array<{ metric: string; score: number | null }>): Promise<void> {
      for (const r of qualityOf(rows)) evalQueue.push({ projectId, traceId, metric: r.metric, score: r.score });
      if (evalQueue.length && !evalTimer) {
        evalTimer = setTimeout(() => void flushEvaluations().catch(onError), 250);
        evalTimer.unref();
      }
      return Promise.resolve();
    },

    /** A user's 0..1 score of a trace: stored as a `feedback` evaluation and learned at once. */
    async feedback(projectId: string, traceId: string, f: { score: number; comment?: string | undefined }): Promise<{ trace_id: string; model: string | null; score: number }> {
      const t = await deps.store.traces.get(projectId, traceId, { spans: false });
      if (!t) throw errors.notFound(`No trace "${traceId}" in this project`);
      await deps.store.evaluations.upsert([
        { project_id: projectId, trace_id: traceId, metric: 'feedback', metric_version: '1', evaluator: 'user', score: f.score, label: f.score >= 0.5 ? 'positive' : 'negative', reason: f.comment ?? null, details: {}, cost_usd: 0, tokens: 0 },
      ]);
      if (t.model && catalog.options.qualityMetrics.includes('feedback')) {
        // The prompt index learns at once; the catalog row goes out with the next batched write, which
        // the caller need not wait for (up to 250 ms: waiting made every feedback call that slow).
        // The stored evaluation is the durable record the index is rebuilt from after a restart.
        catalog.observeQuality([{ projectId, traceId, model: catalogModel(t)!, prompt: t.query, taskLabel: routeLabel(t.metadata), metric: 'feedback', score: f.score }]).catch(onError);
      }
      return { trace_id: traceId, model: t.model ?? null, score: f.score };
    },

    async getSettings(projectId: string): Promise<RouterSettings> {
      return loadSettings(projectId);
    },
    /**
     * The settings a route decision uses: the in-memory copy (loaded by `prepare`, refreshed every
     * second, replaced at once by `putSettings`), so the hot path never reads the store.
     */
    settingsOf(projectId: string): RouterSettings {
      return settings.get(projectId) ?? DEFAULT_SETTINGS;
    },
    async putSettings(projectId: string, body: unknown): Promise<RouterSettings> {
      const parsed = routerSettingsSchema.safeParse(body ?? {});
      if (!parsed.success) throw errors.validation(parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message })));
      await deps.store.router.putSettings(projectId, parsed.data);
      settings.set(projectId, parsed.data);
      return parsed.data;
    },

    /** The project's catalog as the API shows it: model → task type → figures. */
    view(projectId: string, filter?: string[]): Array<{ model: string; task_type: string } & ModelStats> {
      const models = catalog.models(projectId);
      const out: Array<{ model: string; task_type: string } & ModelStats> = [];
      const names = filter ?? [...models.keys()];
      for (const m of names) for (const [task, st] of statsFor(models, m) ?? []) out.push({ model: m, task_type: task, ...st });
      return out;
    },

    /** Refresh the snapshot every `refreshMs` (default 1 s) until `close()`. */
    start(): void {
      timer ??= setInterval(() => {
        catalog.refresh().catch(onError);
        for (const p of settings.keys()) loadSettings(p).catch(onError);
      }, o.refreshMs ?? 1000);
      timer.unref();
    },
    refresh: () => catalog.refresh(),
    /** Stop refreshing and store what is still queued. */
    async close(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      await flushEvaluations().catch(onError);
      await catalog.flush().catch(onError);
    },
    policies,
    parseAutoModel,
  };
}

export type Router = ReturnType<typeof createRouter>;
