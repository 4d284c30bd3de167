// The gateway's composition: endpoints from config, state stores (memory or Redis), limits, budget,
// cache, pricing and tracing wired into the operations the HTTP edge calls.
import { errors } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { parseOrThrow } from '../core/validate.js';
import type { ProviderCredentialsRepo } from '../storage/index.js';
import { createPricer, type StoredPrices } from './accounting.js';
import type { Core, GatewayReply, RequestCtx } from './core.js';
import { createCredentials, type Sealer } from './credentials.js';
import type { ModelResolver } from './flow.js';
import { anthropicFormat, openAIFormat, type ReplyFormat } from './formats.js';
import { createInternal, type ProjectLookup } from './internal.js';
import { one, requestOptions, type HeaderBag } from './headers.js';
import { createHttpClient, type HttpClient } from './http.js';
import { listModels } from './listing.js';
import { createResolver, type Endpoint } from './models.js';
import { memoryBreakerStore, type BreakerState } from './pipeline/breaker.js';
import { gatewayConfigBudget } from '../core/budgets.js';
import { budgetCheck, type BudgetCheck } from './pipeline/budget.js';
import { memoryCacheStore } from './pipeline/cache.js';
import { createRateLimiter, memoryBucketStore } from './pipeline/rate-limit.js';
import { chatOperation } from './operations/chat.js';
import { embeddingsOperation } from './operations/embeddings.js';
import { PROVIDER_NAMES, providers, type ProviderName } from './providers/index.js';
import { createPipeline } from './run.js';
import { checkDepth, own } from './safety.js';
import { credentialInputSchema, embeddingsRequestSchema } from './schemas.js';
import type { GatewaySettings } from './settings.js';
import { redisBreakerStore, redisBucketStore, redisCacheStore, type RedisLike } from './state/redis.js';
import { preloadTokenizer } from './tokens.js';
import { createTraceRecorder, type TraceSink } from './tracing.js';
import type { EmbeddingsRequest } from './types.js';

/** Server-wide credentials per provider of the table (from the environment); each is one built-in endpoint. */
export type ProviderEnv = Partial<Record<ProviderName, { baseUrl?: string | undefined; apiKey?: string | undefined }>>;

export interface GatewayDeps {
  settings: GatewaySettings;
  env: ProviderEnv;
  credentials: { repo: ProviderCredentialsRepo; sealer: Sealer };
  /** Where traces go (the ingest service's ingestBatch); none: no tracing. */
  traceSink?: TraceSink;
  /** The project's stored prices (a synchronous cache read); they win over the settings' and the table's. */
  storedPrices?: StoredPrices;
  /** Budget hook; default: the per-project daily cap of `settings.budget`, counted in this process only. */
  budget?: BudgetCheck;
  /** Shared state for breakers, rate limits and cache; default: this process's memory. */
  redis?: RedisLike;
  http?: HttpClient;
  /** Resolvers run before aliases (a prompt resolver, a router): one entry each. */
  resolvers?: ModelResolver[];
  /** A project by id, for the platform's own calls (`internal`), which name only the project id. */
  projects?: ProjectLookup;
  logger: Logger;
  now?: () => number;
}

/** One breaker as a project sees it. */
export interface BreakerView {
  label: string;
  endpoint: string;
  model: string;
  /** True for the project's own breaker (it calls with its own key or base URL). */
  ownCredentials: boolean;
  state: BreakerState;
  calls: number;
  failures: number;
  openUntil: number | undefined;
}

/** Who is calling: the authenticated key and its project. */
export interface GatewayPrincipal {
  keyId: string;
  project: { id: string; slug: string };
}

function endpointsOf(s: GatewaySettings, env: ProviderEnv): Map<string, Endpoint> {
  const eps = new Map<string, Endpoint>();
  const add = (name: string, providerName: Endpoint['providerName'], baseUrl: string | undefined, apiKey: string | undefined, headers: Record<string, string> = {}) =>
    eps.set(name, { name, providerName, provider: providers[providerName], baseUrl, apiKey, headers });
  // Every provider of the table with a default URL (or credentials from the environment) is an endpoint of its own name.
  for (const name of PROVIDER_NAMES) {
    const e = env[name];
    if (e || providers[name].defaultBaseUrl !== undefined) add(name, name, e?.baseUrl, e?.apiKey);
  }
  for (const [name, e] of Object.entries(s.endpoints)) {
    const builtin = eps.get(name);
    const same = builtin?.providerName === e.provider;
    add(name, e.provider, e.base_url ?? (same ? builtin.baseUrl : undefined), e.api_key ?? (same ? builtin.apiKey : undefined), e.headers);
  }
  return eps;
}

/** Build the gateway from settings and collaborators. */
export function createGateway(d: GatewayDeps) {
  const s = d.settings;
  const now = d.now ?? Date.now;
  const endpoints = endpointsOf(s, d.env);
  const http = d.http ?? createHttpClient();
  const credentials = createCredentials(d.credentials.repo, d.credentials.sealer);
  let warned = 0;
  const onStoreError = (e: unknown) => {
    if (warned++ % 100 === 0) d.logger.warn({ err: e }, 'gateway state store failed; continuing without it for this request');
  };
  const limitsOf = (p: { id: string; slug: string }) => own(s.rate_limits.projects, p.id) ?? own(s.rate_limits.projects, p.slug) ?? s.rate_limits;
  const core: Core = {
    settings: s,
    resolver: createResolver(endpoints, s),
    limiter: createRateLimiter(d.redis ? redisBucketStore(d.redis) : memoryBucketStore(), limitsOf, now, onStoreError),
    budget: d.budget ?? budgetCheck({ budgets: (p) => [gatewayConfigBudget(s.budget, p)].filter((b) => b !== undefined) }, { now }),
    cache: s.cache.enabled ? { store: d.redis ? redisCacheStore(d.redis) : memoryCacheStore(s.cache.max_entries), ttlMs: s.cache.ttl_s * 1000, maxBytes: s.cache.max_entry_bytes } : undefined,
    pricer: createPricer(s.pricing, s.project_pricing, d.storedPrices),
    exec: {
      credentials,
      http,
      breaker: s.breaker.enabled
        ? {
            store: d.redis ? redisBreakerStore(d.redis) : memoryBreakerStore(),
            config: { windowMs: s.breaker.window_ms, minRequests: s.breaker.min_requests, failureRate: s.breaker.failure_rate, openMs: s.breaker.open_ms },
          }
        : undefined,
      retry: { maxRetries: s.retry.max_retries, baseDelayMs: s.retry.base_delay_ms, maxDelayMs: s.retry.max_delay_ms, maxRetryAfterMs: s.retry.max_retry_after_ms },
      now,
      onStoreError,
    },
    recorder: s.tracing.enabled && d.traceSink ? createTraceRecorder(d.traceSink, { maxPending: s.tracing.max_pending, batchSize: s.tracing.batch_size, flushMs: s.tracing.flush_ms, logger: d.logger }) : undefined,
    logger: d.logger,
  };
  void preloadTokenizer();
  const run = createPipeline(core, d.resolvers);

  function context(p: GatewayPrincipal, route: string, headers: HeaderBag, signal: AbortSignal): RequestCtx {
    const options = requestOptions(headers);
    const traceId = options.traceId ?? newId();
    return { keyId: p.keyId, project: p.project, options, raw: headers, signal, route, traceId, start: Date.now(), t0: performance.now(), headers: { 'x-aether-trace-id': traceId } };
  }

  async function chat(p: GatewayPrincipal, route: string, format: ReplyFormat, body: unknown, headers: HeaderBag, signal: AbortSignal): Promise<GatewayReply> {
    checkDepth(body);
    const req = format.parse(body);
    // Messages may be left to a named prompt (a resolver renders it); otherwise at least one is needed.
    if (req.messages.length === 0 && one(headers, 'x-aether-prompt') === undefined && (req as { prompt?: unknown }).prompt === undefined) {
      throw errors.validation([{ field: 'messages', message: 'must hold at least one message, or name a prompt (x-aether-prompt header or body field prompt)' }]);
    }
    const flow = await run(context(p, route, headers, signal), chatOperation, { operation: 'chat', body: req, format });
    return flow.reply!;
  }

  const knownProvider = (name: string): string => {
    if (!endpoints.has(name)) throw errors.notFound(`No provider "${name}"; known: ${[...endpoints.keys()].join(', ')}`);
    return name;
  };

  const configured = new Set([...Object.keys(s.aliases), ...s.models, ...Object.keys(s.fallbacks), ...Object.values(s.fallbacks).flat()]);
  const listed = async (p: GatewayPrincipal) => listModels(endpoints.values(), configured, new Set((await credentials.list(p.project.id)).map((c) => c.provider)));

  return {
    settings: s,
    /** `POST /v1/chat/completions`: an OpenAI chat request, answered as JSON or an SSE stream. */
    chat: (p: GatewayPrincipal, body: unknown, headers: HeaderBag, signal: AbortSignal) => chat(p, '/v1/chat/completions', openAIFormat, body, headers, signal),
    /** `POST /v1/messages`: an Anthropic Messages request, served through the same pipeline. */
    messages: (p: GatewayPrincipal, body: unknown, headers: HeaderBag, signal: AbortSignal) => chat(p, '/v1/messages', anthropicFormat, body, headers, signal),
    /** `POST /v1/embeddings`. */
    async embeddings(p: GatewayPrincipal, body: unknown, headers: HeaderBag, signal: AbortSignal): Promise<GatewayReply> {
      checkDepth(body);
      const req = parseOrThrow(embeddingsRequestSchema, body) as EmbeddingsRequest;
      return (await run(context(p, '/v1/embeddings', headers, signal), embeddingsOperation, { operation: 'embeddings', body: req })).reply!;
    },
    /** The platform's own LLM calls (the evaluation judge): the same pipeline, traced and marked internal. */
    internal: createInternal(core, run, d.projects),
    /** `GET /v1/models` in the OpenAI list shape: every model this project can reach. */
    async models(p: GatewayPrincipal) {
      return { object: 'list' as const, data: (await listed(p)).map((m) => ({ id: m.id, object: 'model' as const, created: 0, owned_by: m.ownedBy })) };
    },
    /** `GET /v1/models` in the Anthropic list shape. */
    async anthropicModels(p: GatewayPrincipal) {
      const data = (await listed(p)).map((m) => ({ type: 'model' as const, id: m.id, display_name: m.id, created_at: '1970-01-01T00:00:00Z' }));
      return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
    },
    /** Per-project provider credentials (secrets sealed at rest, never returned). */
    credentials: {
      put: (projectId: string, provider: string, body: unknown) => credentials.put(projectId, knownProvider(provider), parseOrThrow(credentialInputSchema, body)),
      get: (projectId: string, provider: string) => credentials.get(projectId, knownProvider(provider)),
      list: (projectId: string) => credentials.list(projectId),
      delete: (projectId: string, provider: string) => credentials.delete(projectId, knownProvider(provider)),
    },
    /**
     * The circuit breakers a project's calls go through: the shared ones (server credentials) and
     * its own (its own key or URL), never another project's own.
     */
    async breakers(projectId: string): Promise<BreakerView[]> {
      const b = core.exec.breaker;
      if (!b) return [];
      const mine = `project:${projectId}:`;
      const rows = await b.store.list(b.config, now());
      return rows
        .filter((r) => !r.key.startsWith('project:') || r.key.startsWith(mine))
        .map((r) => {
          const own = r.key.startsWith(mine);
          const label = own ? r.key.slice(mine.length) : r.key;
          const slash = label.indexOf('/');
          return { label, endpoint: label.slice(0, slash), model: label.slice(slash + 1), ownCredentials: own, state: r.state, calls: r.calls, failures: r.failures, openUntil: r.openUntil };
        })
        .sort((x, y) => x.label.localeCompare(y.label) || Number(x.ownCredentials) - Number(y.ownCredentials));
    },
    /** Traces waiting to be stored, and dropped because too many were waiting. */
    stats: () => core.recorder?.stats() ?? { pending: 0, dropped: 0 },
    /** Resolves once every trace handed over so far has been stored (or failed): call before closing the store. */
    // One turn first: the traces of answers just written are handed over on the next (steps/trace.ts).
    flushTraces: () => new Promise<void>((r) => setImmediate(r)).then(() => core.recorder?.flushed()),
    close(): void {
      http.close();
    },
  };
}

export type Gateway = ReturnType<typeof createGateway>;
