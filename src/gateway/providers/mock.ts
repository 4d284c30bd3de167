import { createHash } from 'node:crypto';
import type { CallContext, ChunkEvent, Provider } from '../contract.js';
import { UpstreamError } from '../errors.js';
import { textOf, type ChatChunk, type ChatCompletion, type ChatRequest, type ToolCall } from '../types.js';

const approxTokens = (s: string) => Math.max(1, Math.ceil(s.length / 4));

/** `mock/fail…` models fail like an overloaded upstream, to show retries, fallbacks and breakers. */
function failIfAsked(ctx: CallContext): void {
  if (ctx.target.model.startsWith('fail')) {
    throw new UpstreamError(`${ctx.target.label} answered 503: mock failure`, { kind: 'http', status: 502, retryable: true, upstreamStatus: 503, code: 'upstream_error' });
  }
}

function reply(req: ChatRequest, ctx: CallContext): ChatCompletion {
  const lastUser = [...req.messages].reverse().find((m) => m.role === 'user');
  const asked = textOf(lastUser?.content);
  const tool = req.tools?.[0];
  const wantsTool = tool && req.tool_choice !== 'none' && req.messages[req.messages.length - 1]?.role !== 'tool';
  const toolCalls: ToolCall[] | undefined = wantsTool ? [{ id: 'call_mock_0', type: 'function', function: { name: tool.function.name, arguments: '{}' } }] : undefined;
  const text = toolCalls ? null : `This is a mock response to: ${asked.slice(0, 200)}`;
  const prompt = approxTokens(req.messages.map((m) => textOf(m.content)).join(' '));
  const completion = approxTokens(text ?? '{}');
  return {
    id: `chatcmpl-mock-${createHash('sha256').update(asked).digest('hex').slice(0, 12)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: ctx.target.model,
    choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null, ...(toolCalls ? { tool_calls: toolCalls } : {}) }, finish_reason: toolCalls ? 'tool_calls' : 'stop', logprobs: null }],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}

async function* chunksOf(c: ChatCompletion): AsyncGenerator<ChunkEvent> {
  const base = { id: c.id, object: 'chat.completion.chunk' as const, created: c.created, model: c.model };
  const msg = c.choices[0]!.message;
  const chunk = (delta: ChatChunk['choices'][number]['delta'], finish: string | null = null): ChunkEvent => ({ chunk: { ...base, choices: [{ index: 0, delta, finish_reason: finish }] } });
  yield chunk({ role: 'assistant', content: '' });
  for (const word of (typeof msg.content === 'string' ? msg.content : '').split(/(?<= )/)) if (word) yield chunk({ content: word });
  if (msg.tool_calls) yield chunk({ tool_calls: msg.tool_calls.map((t, index) => ({ index, ...t })) });
  yield chunk({}, c.choices[0]!.finish_reason);
  yield { chunk: { ...base, choices: [], usage: c.usage ?? null } };
}

/** A deterministic, offline provider for demos and tests (`mock/anything`); `mock/fail…` always fails. */
export const mock: Provider = {
  description: 'deterministic offline replies for demos and tests; mock/fail… always fails',
  defaultBaseUrl: 'mock://',
  requiresKey: false,
  listedModels: ['echo', 'fail'],
  reportedCost: () => 0, // it runs nothing, so it costs nothing
  async chat(req, ctx) {
    failIfAsked(ctx);
    return { completion: reply(req, ctx) };
  },
  async stream(req, ctx) {
    failIfAsked(ctx);
    return chunksOf(reply(req, ctx));
  },
  async embeddings(req, ctx) {
    failIfAsked(ctx);
    const inputs = (Array.isArray(req.input) ? req.input : [req.input]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
    const dims = req.dimensions ?? 8;
    const vector = (s: string) => {
      const h = createHash('sha256').update(s).digest();
      return Array.from({ length: dims }, (_, i) => Math.round(((h[i % h.length]! / 255) * 2 - 1) * 1e6) / 1e6);
    };
    const tokens = inputs.reduce((n, s) => n + approxTokens(s), 0);
    return { object: 'list', data: inputs.map((s, index) => ({ object: 'embedding', index, embedding: vector(s) })), model: ctx.target.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  },
};
