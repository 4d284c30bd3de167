// Streams ⇄ whole completions: the relay accumulates chunks into the completion it traces and
// caches, and a cached completion is replayed to a streaming client as chunks.
import type { ChatChunk, ChatCompletion, ToolCall, Usage } from './types.js';

/** Accumulates streamed chunks (first choice) into a chat completion. */
export class ChunkAccumulator {
  id = '';
  model = '';
  created = 0;
  text = '';
  refusal = '';
  finish: string | null = null;
  usage: Usage | undefined;
  /** Chunks that carried content or a tool call: the first marks time to first token. */
  contentChunks = 0;
  private tools: ToolCall[] = [];

  add(c: ChatChunk): void {
    if (!this.id) {
      this.id = c.id;
      this.model = c.model;
      this.created = c.created;
    }
    if (c.usage) this.usage = c.usage;
    for (const ch of c.choices) {
      if (ch.index !== 0) continue;
      const d = ch.delta;
      if (d.content) this.text += d.content;
      if (d.refusal) this.refusal += d.refusal;
      if (d.content || d.refusal || d.tool_calls?.length) this.contentChunks++;
      for (const tc of d.tool_calls ?? []) {
        const t = (this.tools[tc.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (tc.id) t.id = tc.id;
        if (tc.function?.name) t.function.name += tc.function.name;
        if (tc.function?.arguments) t.function.arguments += tc.function.arguments;
      }
      if (ch.finish_reason) this.finish = ch.finish_reason;
    }
  }

  completion(): ChatCompletion {
    const tools = this.tools.filter(Boolean);
    return {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: this.text || (tools.length || this.refusal ? null : ''),
            refusal: this.refusal || null,
            ...(tools.length ? { tool_calls: tools } : {}),
          },
          finish_reason: this.finish,
          logprobs: null,
        },
      ],
      usage: this.usage ?? null,
    };
  }
}

/** A completion as the chunks a stream of it would have carried (for cache hits on streams). */
export function completionChunks(c: ChatCompletion): ChatChunk[] {
  const base = { id: c.id, object: 'chat.completion.chunk' as const, created: c.created, model: c.model };
  const out: ChatChunk[] = [];
  for (const ch of c.choices) {
    const m = ch.message;
    const delta: ChatChunk['choices'][number]['delta'] = { role: 'assistant', content: typeof m.content === 'string' ? m.content : null };
    if (m.refusal) delta.refusal = m.refusal;
    if (m.tool_calls?.length) delta.tool_calls = m.tool_calls.map((t, index) => ({ index, id: t.id, type: 'function', function: { ...t.function } }));
    out.push({ ...base, choices: [{ index: ch.index, delta, finish_reason: null }] });
    out.push({ ...base, choices: [{ index: ch.index, delta: {}, finish_reason: ch.finish_reason }] });
  }
  if (c.usage) out.push({ ...base, choices: [], usage: c.usage });
  return out;
}
