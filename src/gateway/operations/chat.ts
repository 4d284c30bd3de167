// The chat operation (`/v1/chat/completions` and `/v1/messages`): a JSON answer or a relayed
// stream, in the reply format of the route; the format's hooks are the only difference.
import { completionChunks } from '../assemble.js';
import type { CacheEntry } from '../core.js';
import { runChain } from '../execute.js';
import { execOptions, resultHeaders, type ChatCall, type Flow, type Operation } from '../flow.js';
import { relay, type OpenStream } from '../relay.js';
import { countCompletionTokens, countPromptTokens, quickPromptEstimate } from '../tokens.js';
import { textOf, type ChatRequest } from '../types.js';

function lastUserText(req: ChatRequest): string {
  for (let i = req.messages.length - 1; i >= 0; i--) if (req.messages[i]!.role === 'user') return textOf(req.messages[i]!.content);
  return '';
}

function fromCache(flow: Flow<ChatCall>, raw: Record<string, unknown>): void {
  const entry = raw as unknown as CacheEntry;
  const { facts, req } = flow;
  const { body, format } = flow.call;
  const c = entry.completion;
  Object.assign(facts, { endpoint: entry.endpoint, model: entry.model, costUsd: 0, response: textOf(c.choices[0]?.message.content) || null });
  Object.assign(facts, { finishReason: c.choices[0]?.finish_reason, inputTokens: c.usage?.prompt_tokens, outputTokens: c.usage?.completion_tokens, ttftMs: performance.now() - req.t0 });
  resultHeaders(flow, entry.label, entry.endpoint);
  if (body.stream !== true) {
    flow.reply = { kind: 'json', status: 200, headers: req.headers, body: format.json({ completion: c }, c) };
    return;
  }
  const streamer = format.streamer({ id: c.id, model: c.model, inputTokens: c.usage?.prompt_tokens ?? 0, includeUsage: body.stream_options?.include_usage === true });
  const frames = (async function* () {
    for (const chunk of completionChunks(c)) {
      const out = streamer.chunk({ chunk });
      if (out) yield out;
    }
    yield streamer.end(c.usage ?? undefined, true);
  })();
  flow.reply = { kind: 'stream', status: 200, headers: req.headers, frames };
}

async function stream(flow: Flow<ChatCall>): Promise<void> {
  const { body, format } = flow.call;
  const run = await runChain<OpenStream>(
    flow.core.exec,
    flow.chain,
    { ...execOptions(flow, 'the first chunk'), deferOutcome: true },
    async (p, c) => {
      const it = (await p.stream(body, c))[Symbol.asyncIterator]();
      return { it, first: await it.next() };
    },
    flow.facts.attempts,
  );
  resultHeaders(flow, run.target.label, run.target.endpoint.name);
  const first = run.value.first;
  const streamer = format.streamer({
    id: first.done ? flow.req.traceId : first.value.chunk.id,
    model: body.model,
    inputTokens: format.streamInputTokens(body),
    includeUsage: body.stream_options?.include_usage === true,
  });
  let ended!: () => void;
  flow.pending = new Promise<void>((r) => (ended = r));
  flow.reply = { kind: 'stream', status: 200, headers: flow.req.headers, frames: relay(flow, run, streamer, ended) };
}

async function json(flow: Flow<ChatCall>): Promise<void> {
  const { body, format } = flow.call;
  const run = await runChain(flow.core.exec, flow.chain, execOptions(flow, 'the answer'), (p, c) => p.chat(body, c), flow.facts.attempts);
  run.deadline.dispose();
  const completion = run.value.completion;
  let usage = completion.usage;
  const usageEstimated = !usage;
  if (!usage) {
    const prompt = countPromptTokens(body);
    const out = countCompletionTokens(completion);
    usage = { prompt_tokens: prompt, completion_tokens: out, total_tokens: prompt + out };
  }
  const message = completion.choices[0]?.message;
  flow.facts.ttftMs = performance.now() - flow.req.t0;
  flow.outcome = {
    target: run.target,
    upstreamModel: completion.model,
    usage,
    usageEstimated,
    response: typeof message?.content === 'string' ? message.content : null,
    finishReason: completion.choices[0]?.finish_reason,
    output: message,
    cacheable: { completion: { ...completion, usage } },
  };
  flow.reply = { kind: 'json', status: 200, headers: flow.req.headers, body: format.json(run.value, completion) };
}

/** Chat completions, streamed or not. */
export const chatOperation: Operation<ChatCall> = {
  kind: 'chat',
  query: (call) => lastUserText(call.body),
  streamed: (call) => call.body.stream === true,
  input: (call) => call.body.messages,
  estimate: (call) => quickPromptEstimate(call.body),
  fromCache,
  execute: (flow) => (flow.call.body.stream === true ? stream(flow) : json(flow)),
};
