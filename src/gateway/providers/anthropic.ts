import { AnthropicChunker } from '../anthropic/stream-in.js';
import { toAnthropicRequest } from '../anthropic/request.js';
import { toOpenAICompletion } from '../anthropic/response.js';
import type { AnthropicEvent, AnthropicResponse } from '../anthropic/types.js';
import type { CallContext, ChunkEvent, Provider } from '../contract.js';
import { parseSse } from '../sse.js';
import { joinUrl, parseJson, readText, streamFailure, throwIfFailed } from '../wire/common.js';

const API_VERSION = '2023-06-01';

function headers(ctx: CallContext, stream: boolean): Record<string, string> {
  return {
    accept: stream ? 'text/event-stream' : 'application/json',
    'anthropic-version': API_VERSION,
    ...ctx.target.headers,
    ...(ctx.target.apiKey ? { 'x-api-key': ctx.target.apiKey } : {}),
  };
}

async function* chunks(body: AsyncIterable<Buffer>, ctx: CallContext): AsyncGenerator<ChunkEvent> {
  const chunker = new AnthropicChunker(ctx.target.model, ctx.target.label);
  try {
    for await (const ev of parseSse(body)) {
      for (const chunk of chunker.push(parseJson<AnthropicEvent>(ev.data, ctx))) yield { chunk };
    }
  } catch (e) {
    throw streamFailure(e, ctx);
  }
}

/**
 * Anthropic's Messages API (`anthropic/claude-sonnet-4-5`, or bare `claude-…`), translated to and
 * from the OpenAI chat shape: system prompt, tools and tool results, stop reasons, usage, streams.
 */
export const anthropic: Provider = {
  description: 'Anthropic Messages, translated to and from OpenAI chat completions',
  defaultBaseUrl: 'https://api.anthropic.com',
  requiresKey: true,
  modelPrefixes: ['claude-'],
  // Aliases Anthropic serves that the price table spells otherwise (priced through name normalisation).
  listedModels: ['claude-3-5-haiku-latest', 'claude-3-5-haiku-20241022', 'claude-3-7-sonnet-latest', 'claude-sonnet-4-0', 'claude-opus-4-0'],

  async chat(req, ctx) {
    const body = JSON.stringify(toAnthropicRequest(req, ctx.target.model));
    const res = await ctx.http.post(joinUrl(ctx.target.baseUrl, '/v1/messages'), headers(ctx, false), body, ctx.signal, ctx.target.label);
    await throwIfFailed(res, ctx);
    return { completion: toOpenAICompletion(parseJson<AnthropicResponse>(await readText(res, ctx), ctx)) };
  },

  async stream(req, ctx) {
    const body = JSON.stringify({ ...toAnthropicRequest(req, ctx.target.model), stream: true });
    const res = await ctx.http.post(joinUrl(ctx.target.baseUrl, '/v1/messages'), headers(ctx, true), body, ctx.signal, ctx.target.label);
    await throwIfFailed(res, ctx);
    return chunks(res.body, ctx);
  },
};
