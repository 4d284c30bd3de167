// The OpenAI chat-completions wire, shared by every provider that speaks it (OpenAI, OpenRouter,
// vLLM, Ollama, Groq…). Each such provider is this factory called with its own options.
import type { CallContext, ChunkEvent, Provider } from '../contract.js';
import { UpstreamError } from '../errors.js';
import { parseSse } from '../sse.js';
import type { ChatChunk, ChatCompletion, ChatRequest, EmbeddingsResponse, Usage } from '../types.js';
import { joinUrl, parseJson, readText, streamFailure, throwIfFailed } from './common.js';

export interface OpenAIWireOptions {
  description: string;
  defaultBaseUrl: string | undefined;
  requiresKey: boolean;
  /** Ask for `stream_options.include_usage` (servers that always send usage do not need it). */
  includeUsage: boolean;
  headers?: Record<string, string>;
  modelPrefixes?: readonly string[];
  reportedCost?: (usage: Usage) => number | undefined;
}

function headers(ctx: CallContext, extra: Record<string, string> | undefined): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json', ...extra, ...ctx.target.headers };
  if (ctx.target.apiKey) h.authorization = `Bearer ${ctx.target.apiKey}`;
  return h;
}

async function* chunks(body: AsyncIterable<Buffer>, ctx: CallContext): AsyncGenerator<ChunkEvent> {
  try {
    for await (const ev of parseSse(body)) {
      if (ev.data === '[DONE]') return;
      const chunk = parseJson<ChatChunk>(ev.data, ctx);
      if (chunk.error) {
        const e = chunk.error;
        throw new UpstreamError(`${ctx.target.label} failed mid-stream: ${e.message ?? 'unknown error'}${e.code ? ` (${e.code})` : ''}`, {
          kind: 'stream',
          status: 502,
          retryable: true,
          code: 'upstream_stream_error',
        });
      }
      yield { chunk, raw: ev.data };
    }
  } catch (e) {
    throw streamFailure(e, ctx);
  }
}

/** A provider speaking the OpenAI wire at its base URL. */
export function openAIWire(o: OpenAIWireOptions): Provider {
  const provider: Provider = {
    description: o.description,
    defaultBaseUrl: o.defaultBaseUrl,
    requiresKey: o.requiresKey,
    modelPrefixes: o.modelPrefixes,
    reportedCost: o.reportedCost,

    async chat(req: ChatRequest, ctx: CallContext) {
      const { stream: _s, stream_options: _o, ...rest } = req;
      const body = JSON.stringify({ ...rest, model: ctx.target.model });
      const res = await ctx.http.post(joinUrl(ctx.target.baseUrl, '/chat/completions'), headers(ctx, o.headers), body, ctx.signal, ctx.target.label);
      await throwIfFailed(res, ctx);
      const raw = await readText(res, ctx);
      return { completion: parseJson<ChatCompletion>(raw, ctx), raw };
    },

    async stream(req: ChatRequest, ctx: CallContext) {
      const streamOptions = o.includeUsage ? { stream_options: { ...(req.stream_options ?? {}), include_usage: true } } : {};
      const body = JSON.stringify({ ...req, model: ctx.target.model, stream: true, ...streamOptions });
      const h = { ...headers(ctx, o.headers), accept: 'text/event-stream' };
      const res = await ctx.http.post(joinUrl(ctx.target.baseUrl, '/chat/completions'), h, body, ctx.signal, ctx.target.label);
      await throwIfFailed(res, ctx);
      return chunks(res.body, ctx);
    },

    async embeddings(req, ctx) {
      const body = JSON.stringify({ ...req, model: ctx.target.model });
      const res = await ctx.http.post(joinUrl(ctx.target.baseUrl, '/embeddings'), headers(ctx, o.headers), body, ctx.signal, ctx.target.label);
      await throwIfFailed(res, ctx);
      return parseJson<EmbeddingsResponse>(await readText(res, ctx), ctx);
    },
  };
  return provider;
}
