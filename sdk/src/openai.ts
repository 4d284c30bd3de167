// Instruments an `openai` client instance by duck typing (`client.chat.completions.create`), so the
// SDK has no dependency on the openai package and works with any client of the same shape.
import type { AetherClient } from './client.js';
import { observe } from './observe.js';
import type { Span } from './span.js';
import type { TraceFields } from './types.js';
import { toText } from './wire.js';

/** Options of `instrumentOpenAI`. */
export interface InstrumentOpenAIOptions extends TraceFields {
  /** The client traces are recorded with. */
  aether: AetherClient;
  /** Stored as the trace's provider; default `openai`. */
  provider?: string;
  /** Name of the trace's root span; default `openai.chat.completions.create`. */
  name?: string;
  /**
   * Ask streams for a final usage chunk (`stream_options.include_usage`) when the call did not set
   * stream_options. Off by default: that extra chunk has no choices, which breaks code reading
   * `chunk.choices[0]` unguarded.
   */
  streamUsage?: boolean;
}

type Params = Record<string, unknown>;
type CreateFn = (this: unknown, ...args: unknown[]) => unknown;
const MARK = Symbol.for('aether.instrumented');

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text of a message's content: a string, or the text parts of a multi-part content array. */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const parts = content.filter((p): p is { text: string } => isRecord(p) && typeof p.text === 'string').map((p) => p.text);
  return parts.length ? parts.join('\n') : undefined;
}

/** The query of a chat call: its last user message. */
function lastUserMessage(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m: unknown = messages[i];
    if (isRecord(m) && m.role === 'user') return contentText(m.content) ?? toText(m.content);
  }
  return '';
}

const REQUEST_ATTRS = ['temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'seed', 'n', 'stream'] as const;

function requestAttributes(p: Params): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of REQUEST_ATTRS) if (p[k] !== undefined && p[k] !== null) out[`request.${k}`] = p[k];
  return out;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** OpenAI usage: prompt_tokens already holds the cached tokens, completion_tokens the reasoning ones. */
function usageOf(u: Record<string, unknown> | undefined) {
  const p = isRecord(u?.prompt_tokens_details) ? u.prompt_tokens_details : undefined;
  const c = isRecord(u?.completion_tokens_details) ? u.completion_tokens_details : undefined;
  return { inputTokens: num(u?.prompt_tokens), outputTokens: num(u?.completion_tokens), cachedReadTokens: num(p?.cached_tokens), reasoningTokens: num(c?.reasoning_tokens) };
}

/** Record a non-streaming chat completion. */
function recordCompletion(span: Span, c: unknown): void {
  if (!isRecord(c)) return span.end();
  const choice = Array.isArray(c.choices) && isRecord(c.choices[0]) ? c.choices[0] : undefined;
  const message = isRecord(choice?.message) ? choice.message : undefined;
  const text = contentText(message?.content) ?? str(message?.refusal);
  // A tool-calling answer has no text; its calls are what the model said.
  span.setResponse(text ?? (message?.tool_calls ? toText(message.tool_calls) : ''));
  const usage = isRecord(c.usage) ? c.usage : undefined;
  span.setUsage({ model: str(c.model), ...usageOf(usage) });
  if (choice?.finish_reason) span.setAttributes({ 'response.finish_reason': choice.finish_reason });
  span.end();
}

/** Fold one streamed tool-call fragment into the calls assembled so far. */
function addToolDelta(tools: Array<{ id?: string; name: string; arguments: string }>, tc: unknown): void {
  if (!isRecord(tc)) return;
  const i = typeof tc.index === 'number' ? tc.index : tools.length;
  const fn = isRecord(tc.function) ? tc.function : {};
  const t = (tools[i] ??= { name: '', arguments: '' });
  if (typeof tc.id === 'string') t.id = tc.id;
  if (typeof fn.name === 'string') t.name += fn.name;
  if (typeof fn.arguments === 'string') t.arguments += fn.arguments;
}

/** Wrap a stream's async iterator so the trace ends when the caller finishes, breaks or fails. */
function recordStream(span: Span, stream: Record<PropertyKey, unknown>, startedAt: number): void {
  const orig = stream[Symbol.asyncIterator];
  if (typeof orig !== 'function') return span.end();
  let text = '';
  const tools: Array<{ id?: string; name: string; arguments: string }> = [];
  let firstAt: number | undefined;
  let finished = false;
  const finish = (error?: unknown): void => {
    if (finished) return;
    finished = true;
    // A tool-calling answer has no text; its calls are what the model said.
    span.setResponse(text || (tools.length ? toText(tools) : ''));
    if (firstAt !== undefined) span.setAttributes({ 'response.time_to_first_token_ms': firstAt - startedAt });
    if (error !== undefined) span.setError(error);
    span.end();
  };
  const onChunk = (chunk: unknown): void => {
    if (!isRecord(chunk)) return;
    firstAt ??= Date.now();
    const choice = Array.isArray(chunk.choices) && isRecord(chunk.choices[0]) ? chunk.choices[0] : undefined;
    const delta = isRecord(choice?.delta) ? choice.delta : undefined;
    const piece = str(delta?.content) ?? str(delta?.refusal);
    if (piece) text += piece;
    if (Array.isArray(delta?.tool_calls)) for (const tc of delta.tool_calls) addToolDelta(tools, tc);
    if (choice?.finish_reason) span.setAttributes({ 'response.finish_reason': choice.finish_reason });
    const usage = isRecord(chunk.usage) ? chunk.usage : undefined;
    span.setUsage({ model: str(chunk.model), ...(usage ? usageOf(usage) : {}) });
  };
  Object.defineProperty(stream, Symbol.asyncIterator, {
    configurable: true,
    writable: true,
    value: function (this: unknown): AsyncIterator<unknown> {
      const it = (orig as () => AsyncIterator<unknown>).call(this);
      const wrapped: AsyncIterator<unknown> & AsyncIterable<unknown> = {
        async next(...a: [] | [unknown]) {
          try {
            const r = await it.next(...a);
            if (r.done) finish();
            else onChunk(r.value);
            return r;
          } catch (e) {
            finish(e);
            throw e;
          }
        },
        async return(v?: unknown) {
          finish();
          return it.return ? it.return(v) : { done: true, value: v };
        },
        async throw(e?: unknown) {
          finish(e);
          if (it.throw) return it.throw(e);
          throw e;
        },
        [Symbol.asyncIterator]() {
          return wrapped;
        },
      };
      return wrapped;
    },
  });
}

/**
 * Record every `client.chat.completions.create` call of an openai client as a trace: model, messages
 * (query = last user message), response text, token usage, latency and errors; streams are recorded
 * when they end. Returns the same client. Instrumenting twice has no further effect.
 */
export function instrumentOpenAI<T extends object>(client: T, options: InstrumentOpenAIOptions): T {
  const chat = (client as { chat?: unknown }).chat;
  const completions = isRecord(chat) ? chat.completions : undefined;
  if (!isRecord(completions) || typeof completions.create !== 'function' || Reflect.get(completions, MARK)) return client;
  const orig = completions.create as CreateFn;
  const { aether, provider = 'openai', name = 'openai.chat.completions.create', streamUsage = false, ...fields } = options;

  const create = function (this: unknown, ...args: unknown[]): unknown {
    let span: Span | undefined;
    const params: Params = isRecord(args[0]) ? args[0] : {};
    const streaming = params.stream === true;
    try {
      span = aether.startTrace({ ...fields, name, kind: 'llm', query: lastUserMessage(params.messages) });
      span.setInput(params.messages);
      span.setUsage({ model: str(params.model), provider });
      span.setAttributes(requestAttributes(params));
      if (streaming && streamUsage && params.stream_options === undefined) {
        args = [{ ...params, stream_options: { include_usage: true } }, ...args.slice(1)];
      }
    } catch {
      span = undefined; // tracing must never stop the call
    }
    const startedAt = Date.now();
    let result: unknown;
    try {
      result = orig.apply(this, args);
    } catch (e) {
      span?.setError(e);
      span?.end();
      throw e;
    }
    if (!span) return result;
    const s = span;
    return observe(
      result,
      (v) => {
        if (streaming && isRecord(v)) recordStream(s, v, startedAt);
        else recordCompletion(s, v);
      },
      (e) => {
        s.setError(e);
        s.end();
      },
    );
  };
  Object.defineProperty(completions, 'create', { configurable: true, writable: true, value: create });
  Object.defineProperty(completions, MARK, { value: true });
  return client;
}
