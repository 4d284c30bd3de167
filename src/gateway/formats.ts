// What the client sees: OpenAI chat completions (/v1/chat/completions) or Anthropic messages
// (/v1/messages), as JSON bodies and as SSE streams, errors included.
import type { AetherError } from '../core/errors.js';
import { parseOrThrow } from '../core/validate.js';
import { fromAnthropicRequest } from './anthropic/request.js';
import { toAnthropicMessage } from './anthropic/response.js';
import { AnthropicEventWriter } from './anthropic/stream-out.js';
import type { ChatResult, ChunkEvent } from './contract.js';
import { anthropicErrorBody, openAIErrorBody } from './errors.js';
import { chatRequestSchema, messagesRequestSchema, plainChatRequest } from './schemas.js';
import { sseFrame } from './sse.js';
import { countPromptTokens } from './tokens.js';
import type { AnthropicRequest } from './anthropic/types.js';
import type { ChatCompletion, ChatRequest, Usage } from './types.js';

/** Writes one streamed reply. */
export interface Streamer {
  chunk(ev: ChunkEvent): string;
  /** The closing frames, given the final usage (counted when the upstream sent none). */
  end(usage: Usage | undefined, upstreamSentUsage: boolean): string;
  error(e: AetherError): string;
}

export interface ReplyFormat {
  name: 'openai' | 'anthropic';
  /** The request body as the gateway's canonical (OpenAI) chat request; a 400 when malformed. */
  parse(body: unknown): ChatRequest;
  /** Prompt tokens the stream's opening frame announces (0 where the format announces none). */
  streamInputTokens(req: ChatRequest): number;
  /** The JSON body of a non-streamed reply. */
  json(result: ChatResult, completion: ChatCompletion): string;
  streamer(s: { id: string; model: string; inputTokens: number; includeUsage: boolean }): Streamer;
}

export const openAIFormat: ReplyFormat = {
  name: 'openai',
  parse: (body) => (plainChatRequest(body) ?? parseOrThrow(chatRequestSchema, body)) as ChatRequest,
  streamInputTokens: () => 0,
  // The upstream's own bytes when it spoke OpenAI: no re-serialization on the hot path.
  json: (result, completion) => result.raw ?? JSON.stringify(completion),
  streamer: ({ includeUsage }) => {
    let last: ChunkEvent | undefined;
    return {
      chunk(ev) {
        last = ev;
        // The usage-only chunk goes to clients that asked for it (the gateway always asks upstream).
        if (!includeUsage && ev.chunk.choices.length === 0 && ev.chunk.usage) return '';
        return sseFrame(ev.raw ?? JSON.stringify(ev.chunk));
      },
      end(usage, upstreamSentUsage) {
        let out = '';
        if (includeUsage && !upstreamSentUsage && usage && last) {
          const c = last.chunk;
          out += sseFrame(JSON.stringify({ id: c.id, object: 'chat.completion.chunk', created: c.created, model: c.model, choices: [], usage }));
        }
        return out + sseFrame('[DONE]');
      },
      error: (e) => sseFrame(JSON.stringify(openAIErrorBody(e))),
    };
  },
};

export const anthropicFormat: ReplyFormat = {
  name: 'anthropic',
  parse: (body) => fromAnthropicRequest(parseOrThrow(messagesRequestSchema, body) as AnthropicRequest),
  streamInputTokens: (req) => countPromptTokens(req),
  json: (_result, completion) => JSON.stringify(toAnthropicMessage(completion)),
  streamer: ({ id, model, inputTokens }) => {
    const w = new AnthropicEventWriter(id.startsWith('msg_') ? id : `msg_${id}`, model, inputTokens);
    return {
      chunk: (ev) => w.chunk(ev.chunk),
      end(usage) {
        if (usage) w.setUsage(usage);
        return w.end();
      },
      error: (e) => sseFrame(JSON.stringify(anthropicErrorBody(e)), 'error'),
    };
  },
};
