// One chat request through the pipeline: rate limit → model chain (aliases, fallbacks) → budget →
// cache → breakers, deadlines, retries and fallbacks → cost → reply (JSON or relayed stream) → trace.
import { completionChunks } from './assemble.js';
import { cacheGet, cacheSet, complete, failed, initialFacts, resultHeaders, type CacheEntry, type Core, type GatewayReply, type RequestCtx } from './core.js';
import { GatewayError } from './errors.js';
import { runChain } from './execute.js';
import type { ReplyFormat } from './formats.js';
import type { Target } from './models.js';
import { cacheKey } from './pipeline/cache.js';
import type { Admission } from './pipeline/rate-limit.js';
import { relay, type OpenStream } from './relay.js';
import { countCompletionTokens, countPromptTokens, quickPromptEstimate } from './tokens.js';
import type { TraceFacts } from './tracing.js';
import { textOf, type ChatCompletion, type ChatRequest } from './types.js';

function lastUserText(req: ChatRequest): string {
  for (let i = req.messages.length - 1; i >= 0; i--) if (req.messages[i]!.role === 'user') return textOf(req.messages[i]!.content);
  return '';
}

/** The targets to try, after the budget had its say (reject, or downgrade to a cheaper model). */
export async function planChain(core: Core, ctx: RequestCtx, model: string, facts: TraceFacts): Promise<Target[]> {
  const decision = await core.budget.check({ projectId: ctx.project.id, projectSlug: ctx.project.slug, model });
  if (decision.action === 'reject') throw new GatewayError(402, 'budget_exceeded', decision.message, { type: 'insufficient_quota' });
  if (decision.action === 'downgrade') {
    facts.budget = decision.message;
    ctx.headers['x-aether-budget'] = 'downgraded';
    return core.resolver.chain(decision.model);
  }
  return core.resolver.chain(model, ctx.options.fallbacks);
}

function fromCache(core: Core, ctx: RequestCtx, req: ChatRequest, format: ReplyFormat, entry: CacheEntry, facts: TraceFacts, admission: Admission | undefined): GatewayReply {
  const c = entry.completion;
  facts.cache = 'hit';
  facts.endpoint = entry.endpoint;
  facts.model = entry.model;
  facts.costUsd = 0;
  facts.response = textOf(c.choices[0]?.message.content) || null;
  facts.finishReason = c.choices[0]?.finish_reason;
  facts.inputTokens = c.usage?.prompt_tokens;
  facts.outputTokens = c.usage?.completion_tokens;
  facts.ttftMs = performance.now() - ctx.t0;
  resultHeaders(ctx, { label: entry.label, endpoint: { name: entry.endpoint } }, facts);
  ctx.headers['x-aether-cache'] = 'hit';
  complete(core, ctx, facts, admission, 0);
  if (req.stream !== true) return { kind: 'json', status: 200, headers: ctx.headers, body: format.json({ completion: c }, c) };
  const streamer = format.streamer({ id: c.id, model: c.model, inputTokens: c.usage?.prompt_tokens ?? 0, includeUsage: req.stream_options?.include_usage === true });
  const frames = (async function* () {
    for (const chunk of completionChunks(c)) {
      const out = streamer.chunk({ chunk });
      if (out) yield out;
    }
    yield streamer.end(c.usage ?? undefined, true);
  })();
  return { kind: 'stream', status: 200, headers: ctx.headers, frames };
}

/** Serve one chat request in the given reply format. */
export async function runChat(core: Core, ctx: RequestCtx, req: ChatRequest, format: ReplyFormat): Promise<GatewayReply> {
  const stream = req.stream === true;
  const facts = initialFacts(ctx, 'chat', req.model, lastUserText(req), core.cache ? (ctx.options.cacheBypass ? 'bypass' : 'miss') : 'off', stream);
  if (core.settings.tracing.capture_messages) facts.input = req.messages;
  let admission: Admission | undefined;
  try {
    admission = await core.limiter.admit(ctx.keyId, ctx.project, quickPromptEstimate(req));
    Object.assign(ctx.headers, admission.headers);
    const chain = await planChain(core, ctx, req.model, facts);
    const key = facts.cache === 'miss' ? cacheKey(ctx.project.id, 'chat', { ...req, model: chain[0]!.label }) : undefined;
    if (key) {
      const hit = await cacheGet(core, key);
      if (hit) return fromCache(core, ctx, req, format, hit, facts, admission);
    }
    if (core.cache) ctx.headers['x-aether-cache'] = facts.cache;
    const execOpts = (waitingFor: string) => ({
      projectId: ctx.project.id,
      signal: ctx.signal,
      timeoutMs: ctx.options.timeoutMs ?? core.settings.timeout_ms,
      maxRetries: ctx.options.maxRetries ?? core.settings.retry.max_retries,
      waitingFor,
    });

    if (stream) {
      const run = await runChain<OpenStream>(
        core.exec,
        chain,
        { ...execOpts('the first chunk'), deferOutcome: true },
        async (p, c) => {
          const it = (await p.stream(req, c))[Symbol.asyncIterator]();
          return { it, first: await it.next() };
        },
        facts.attempts,
      );
      resultHeaders(ctx, run.target, facts);
      const first = run.value.first;
      const inputTokens = format.name === 'anthropic' ? countPromptTokens(req) : 0;
      const streamer = format.streamer({ id: first.done ? ctx.traceId : first.value.chunk.id, model: req.model, inputTokens, includeUsage: req.stream_options?.include_usage === true });
      return { kind: 'stream', status: 200, headers: ctx.headers, frames: relay(core, ctx, req, run, streamer, facts, admission, key) };
    }

    const run = await runChain(core.exec, chain, execOpts('the answer'), (p, c) => p.chat(req, c), facts.attempts);
    run.deadline.dispose();
    const completion: ChatCompletion = run.value.completion;
    let usage = completion.usage;
    if (!usage) {
      facts.usageEstimated = true;
      const prompt = countPromptTokens(req);
      const out = countCompletionTokens(completion);
      usage = { prompt_tokens: prompt, completion_tokens: out, total_tokens: prompt + out };
    }
    const message = completion.choices[0]?.message;
    facts.endpoint = run.target.endpoint.name;
    facts.model = run.target.model;
    facts.response = typeof message?.content === 'string' ? message.content : null;
    facts.finishReason = completion.choices[0]?.finish_reason;
    facts.inputTokens = usage.prompt_tokens;
    facts.outputTokens = usage.completion_tokens;
    Object.assign(facts, core.pricer.price(ctx.project, run.target, completion.model, usage));
    facts.ttftMs = performance.now() - ctx.t0;
    if (core.settings.tracing.capture_messages) facts.output = message;
    resultHeaders(ctx, run.target, facts);
    if (key) cacheSet(core, key, { completion: { ...completion, usage }, label: run.target.label, endpoint: run.target.endpoint.name, model: run.target.model, costUsd: facts.costUsd });
    const body = format.json(run.value, completion);
    complete(core, ctx, facts, admission, usage.total_tokens);
    return { kind: 'json', status: 200, headers: ctx.headers, body };
  } catch (e) {
    throw failed(core, ctx, facts, admission, e);
  }
}
