// The recorded provider streams in shared/specs (OpenAI from openai-python's live snapshots,
// Anthropic from anthropic-sdk-typescript), split into their SSE records so a mock upstream can
// replay them byte for byte, and assembled into the non-streamed bodies the same answers would be.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SPECS = process.env.AETHER_SHARED_DIR ? `${process.env.AETHER_SHARED_DIR.replace(/\/$/, '')}/specs/` : fileURLToPath(new URL('../../../../shared/specs/', import.meta.url));

/** The SSE records of a recorded stream, each with its terminating blank line. */
export function records(relPath: string): string[] {
  const text = readFileSync(SPECS + relPath, 'utf8');
  return text
    .split(/\n\n/)
    .filter((r) => r.trim() !== '')
    .map((r) => `${r}\n\n`);
}

const dataOf = (record: string) =>
  record
    .split('\n')
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5).trimStart())
    .join('\n');

/** OpenAI fixtures used by the tests: a plain answer ("Foo!"), a tool call, and a longer text. */
export const OPENAI = {
  text: 'openai/fixtures/chat_stream_83b060bae42e.sse',
  tools: 'openai/fixtures/chat_stream_2018feb66ae1.sse',
  long: 'openai/fixtures/chat_stream_d61558011839.sse',
} as const;

export const ANTHROPIC = {
  text: 'anthropic/basic_response.txt',
  tools: 'anthropic/tool_use_response.txt',
  refusal: 'anthropic/stream-a-refusal.sse',
} as const;

interface Chunk {
  id: string;
  model: string;
  created: number;
  choices: Array<{ index: number; delta: { content?: string | null; tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }> }; finish_reason: string | null }>;
  usage?: Record<string, unknown> | null;
}

/** The chat.completion an OpenAI fixture stream adds up to. */
export function openAICompletion(relPath: string): Record<string, unknown> {
  const chunks = records(relPath)
    .map(dataOf)
    .filter((d) => d && d !== '[DONE]')
    .map((d) => JSON.parse(d) as Chunk);
  let text = '';
  let finish: string | null = null;
  let usage: Record<string, unknown> | null | undefined;
  const tools: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> = [];
  for (const c of chunks) {
    if (c.usage) usage = c.usage;
    for (const ch of c.choices.filter((x) => x.index === 0)) {
      text += ch.delta.content ?? '';
      for (const t of ch.delta.tool_calls ?? []) {
        const e = (tools[t.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (t.id) e.id = t.id;
        e.function.name += t.function?.name ?? '';
        e.function.arguments += t.function?.arguments ?? '';
      }
      finish = ch.finish_reason ?? finish;
    }
  }
  const first = chunks[0]!;
  return {
    id: first.id,
    object: 'chat.completion',
    created: first.created,
    model: first.model,
    choices: [{ index: 0, message: { role: 'assistant', content: tools.length ? null : text, refusal: null, ...(tools.length ? { tool_calls: tools } : {}) }, logprobs: null, finish_reason: finish }],
    usage,
  };
}

/** The text and tool calls an OpenAI fixture carries, for assertions. */
export function openAIContent(relPath: string): { text: string; toolName?: string; toolArgs?: string; usage: Record<string, number> } {
  const c = openAICompletion(relPath) as { choices: Array<{ message: { content: string | null; tool_calls?: Array<{ function: { name: string; arguments: string } }> } }>; usage: Record<string, number> };
  const m = c.choices[0]!.message;
  return { text: m.content ?? '', toolName: m.tool_calls?.[0]?.function.name, toolArgs: m.tool_calls?.[0]?.function.arguments, usage: c.usage };
}

interface AnthropicEvent {
  type: string;
  index?: number;
  message?: Record<string, unknown> & { usage?: Record<string, unknown> };
  content_block?: Record<string, unknown>;
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string; stop_sequence?: string | null };
  usage?: Record<string, unknown>;
}

/** The Messages response an Anthropic fixture stream adds up to. */
export function anthropicMessage(relPath: string): Record<string, unknown> & { content: Array<Record<string, unknown>>; usage: Record<string, number> } {
  const events = records(relPath).map((r) => JSON.parse(dataOf(r)) as AnthropicEvent);
  const start = events.find((e) => e.type === 'message_start')!.message!;
  const blocks: Array<Record<string, unknown>> = [];
  const json: string[] = [];
  let stop: Record<string, unknown> = {};
  let usage = { ...(start.usage ?? {}) };
  for (const e of events) {
    if (e.type === 'content_block_start') blocks[e.index!] = { ...e.content_block };
    if (e.type === 'content_block_delta' && e.delta?.type === 'text_delta') blocks[e.index!]!.text = `${String(blocks[e.index!]!.text ?? '')}${e.delta.text}`;
    if (e.type === 'content_block_delta' && e.delta?.type === 'input_json_delta') json[e.index!] = (json[e.index!] ?? '') + (e.delta.partial_json ?? '');
    if (e.type === 'message_delta') {
      stop = { stop_reason: e.delta?.stop_reason, stop_sequence: e.delta?.stop_sequence ?? null };
      usage = { ...usage, ...e.usage };
    }
  }
  json.forEach((j, i) => {
    if (j !== undefined && blocks[i]) blocks[i]!.input = JSON.parse(j || '{}');
  });
  return { ...start, content: blocks.filter((b) => b.type === 'text' || b.type === 'tool_use'), ...stop, usage: usage as Record<string, number> };
}
