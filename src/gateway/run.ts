// The one pipeline every gateway operation runs through, composed once:
// trace → rate limit → budget → resolve → cache → account → execute.
import type { Core, RequestCtx } from './core.js';
import type { Call, Flow, InternalMark, ModelResolver, Operation } from './flow.js';
import { compose, type Step } from './pipeline/compose.js';
import { accountStep, executeStep } from './steps/account.js';
import { budgetStep, rateLimitStep } from './steps/admit.js';
import { cacheStep } from './steps/cache.js';
import { aliasResolver, resolveStep } from './steps/resolve.js';
import { traceStep } from './steps/trace.js';
import type { TraceFacts } from './tracing.js';

/** Trace facts before anything happened. */
function initialFacts<C extends Call>(core: Core, req: RequestCtx, op: Operation<C>, call: C, internal: InternalMark | undefined): TraceFacts {
  return {
    id: req.traceId,
    start: req.start,
    latencyMs: 0,
    ttftMs: undefined,
    operation: op.kind,
    route: req.route,
    requestedModel: call.body.model,
    endpoint: undefined,
    model: undefined,
    query: op.query(call),
    response: null,
    inputTokens: undefined,
    outputTokens: undefined,
    usageEstimated: false,
    costUsd: null,
    error: undefined,
    cache: core.cache ? (req.options.cacheBypass ? 'bypass' : 'miss') : 'off',
    stream: op.streamed(call),
    finishReason: undefined,
    attempts: [],
    options: req.options,
    keyId: req.keyId,
    budget: undefined,
    ...(core.settings.tracing.capture_messages && op.input(call) !== undefined ? { input: op.input(call) } : {}),
    ...(internal ? { internal } : {}),
  };
}

/** Compose the pipeline; `resolvers` run before the built-in alias resolver. */
export function createPipeline(core: Core, resolvers: readonly ModelResolver[] = []) {
  const steps: Step<Flow>[] = [traceStep, rateLimitStep, budgetStep, resolveStep([...resolvers, aliasResolver(core.resolver)]), cacheStep, accountStep, executeStep];
  const pipeline = compose(steps);
  /** Run one request; resolves with its flow (reply set), rejects with the error to answer. */
  return async function run<C extends Call>(req: RequestCtx, op: Operation<C>, call: C, internal?: InternalMark): Promise<Flow<C>> {
    const flow: Flow<C> = { core, req, op, call, facts: initialFacts(core, req, op, call, internal), internal, model: call.body.model, fallbacks: req.options.fallbacks, chain: [] };
    await pipeline(flow);
    return flow;
  };
}

export type Pipeline = ReturnType<typeof createPipeline>;
