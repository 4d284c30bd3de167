// Streams relayed chunk by chunk as they arrive. The relay accumulates what passed (for the trace
// and the cache), counts tokens when the upstream sent no usage, turns a mid-stream failure into a
// well-formed error event, and aborts the upstream when the client stops reading.
import { ChunkAccumulator } from './assemble.js';
import type { ChunkEvent } from './contract.js';
import { cacheSet, complete, type Core, type RequestCtx } from './core.js';
import { asAetherError, UpstreamError } from './errors.js';
import type { ExecResult } from './execute.js';
import type { Streamer } from './formats.js';
import type { Admission } from './pipeline/rate-limit.js';
import { countCompletionTokens, countPromptTokens } from './tokens.js';
import type { TraceFacts } from './tracing.js';
import type { ChatRequest, Usage } from './types.js';

export interface OpenStream {
  it: AsyncIterator<ChunkEvent>;
  first: IteratorResult<ChunkEvent>;
}

function usageOf(acc: ChunkAccumulator, req: ChatRequest, facts: TraceFacts): Usage {
  if (acc.usage) return acc.usage;
  facts.usageEstimated = true;
  const prompt = countPromptTokens(req);
  const completion = countCompletionTokens(acc.completion());
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** The SSE frames of one streamed reply; its bookkeeping runs when it ends, however it ends. */
export async function* relay(
  core: Core,
  ctx: RequestCtx,
  req: ChatRequest,
  run: ExecResult<OpenStream>,
  streamer: Streamer,
  facts: TraceFacts,
  admission: Admission | undefined,
  cacheKey: string | undefined,
): AsyncGenerator<string> {
  const { it } = run.value;
  let r = run.value.first;
  const acc = new ChunkAccumulator();
  const idleMs = core.settings.stream_idle_timeout_ms;
  let state: 'streaming' | 'done' | 'failed' = 'streaming';
  let usage: Usage | undefined;
  try {
    while (!r.done) {
      acc.add(r.value.chunk);
      if (facts.ttftMs === undefined && acc.contentChunks > 0) facts.ttftMs = performance.now() - ctx.t0;
      const out = streamer.chunk(r.value);
      // A slow reader is not a silent upstream: the idle deadline runs only while we wait upstream.
      run.deadline.disarm();
      if (out) yield out;
      run.deadline.arm(idleMs, `${run.target.label}: the next chunk`);
      r = await it.next();
    }
    state = 'done';
    run.report(true);
    usage = usageOf(acc, req, facts);
    yield streamer.end(usage, acc.usage !== undefined);
  } catch (e) {
    state = 'failed';
    const err = asAetherError(e);
    facts.error = err.message;
    // The stream's end is the request's outcome for the breaker (its first chunk was not yet one).
    if (e instanceof UpstreamError && e.code !== 'client_closed') run.report(false);
    if (!ctx.signal.aborted) yield streamer.error(err);
  } finally {
    run.deadline.dispose();
    if (state === 'streaming') {
      // The consumer stopped reading (client gone): stop the upstream too.
      run.deadline.abort(new Error('client closed'));
      it.return?.().catch(() => undefined);
      facts.error ??= 'client disconnected before the stream ended';
    }
    usage ??= usageOf(acc, req, facts);
    const completion = acc.completion();
    completion.usage = usage;
    facts.endpoint = run.target.endpoint.name;
    facts.model = run.target.model;
    facts.response = acc.text || acc.refusal || null;
    facts.finishReason = acc.finish;
    facts.inputTokens = usage.prompt_tokens;
    facts.outputTokens = usage.completion_tokens;
    Object.assign(facts, core.pricer.price(ctx.project, run.target, acc.model || undefined, usage));
    if (state === 'done' && cacheKey) cacheSet(core, cacheKey, { completion, label: run.target.label, endpoint: run.target.endpoint.name, model: run.target.model, costUsd: facts.costUsd });
    complete(core, ctx, facts, admission, usage.total_tokens);
  }
}
