// Streams relayed chunk by chunk as they arrive. The relay accumulates what passed (the outcome,
// for the trace and the cache), counts tokens when the upstream sent no usage, turns a mid-stream
// failure into a well-formed error event, and aborts the upstream when the client stops reading.
import { ChunkAccumulator } from './assemble.js';
import type { ChunkEvent } from './contract.js';
import { asAetherError, UpstreamError } from './errors.js';
import type { ExecResult } from './execute.js';
import type { ChatCall, Flow } from './flow.js';
import type { Streamer } from './formats.js';
import { countCompletionTokens, countPromptTokens } from './tokens.js';
import type { ChatRequest, Usage } from './types.js';

export interface OpenStream {
  it: AsyncIterator<ChunkEvent>;
  first: IteratorResult<ChunkEvent>;
}

function counted(acc: ChunkAccumulator, req: ChatRequest): Usage {
  const prompt = countPromptTokens(req);
  const completion = countCompletionTokens(acc.completion());
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** The SSE frames of one streamed reply; `ended` is called when it ends, however it ends. */
export async function* relay(flow: Flow<ChatCall>, run: ExecResult<OpenStream>, streamer: Streamer, ended: () => void): AsyncGenerator<string> {
  const { it } = run.value;
  const { facts, req } = flow;
  let r = run.value.first;
  const acc = new ChunkAccumulator();
  const idleMs = flow.core.settings.stream_idle_timeout_ms;
  let state: 'streaming' | 'done' | 'failed' = 'streaming';
  try {
    while (!r.done) {
      acc.add(r.value.chunk);
      if (facts.ttftMs === undefined && acc.contentChunks > 0) facts.ttftMs = performance.now() - req.t0;
      const out = streamer.chunk(r.value);
      // A slow reader is not a silent upstream: the idle deadline runs only while we wait upstream.
      run.deadline.disarm();
      if (out) yield out;
      run.deadline.arm(idleMs, `${run.target.label}: the next chunk`);
      r = await it.next();
    }
    state = 'done';
    run.report(true);
    yield streamer.end(acc.usage ?? counted(acc, flow.call.body), acc.usage !== undefined);
  } catch (e) {
    state = 'failed';
    const err = asAetherError(e);
    facts.error = err.message;
    // The stream's end is the request's outcome for the breaker (its first chunk was not yet one).
    if (e instanceof UpstreamError && e.code !== 'client_closed') run.report(false);
    if (!req.signal.aborted) yield streamer.error(err);
  } finally {
    run.deadline.dispose();
    if (state === 'streaming') {
      // The consumer stopped reading (client gone): stop the upstream too.
      run.deadline.abort(new Error('client closed'));
      it.return?.().catch(() => undefined);
      facts.error ??= 'client disconnected before the stream ended';
    }
    const usage = acc.usage ?? counted(acc, flow.call.body);
    const completion = acc.completion();
    completion.usage = usage;
    flow.outcome = {
      target: run.target,
      upstreamModel: acc.model || undefined,
      usage,
      usageEstimated: acc.usage === undefined,
      response: acc.text || acc.refusal || null,
      finishReason: acc.finish,
      cacheable: state === 'done' ? { completion } : undefined,
    };
    ended();
  }
}
