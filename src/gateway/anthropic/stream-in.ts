// Anthropic streaming events → OpenAI chat.completion.chunk objects, as an OpenAI client expects
// them: a role chunk, content and tool-call deltas, a finish chunk, then a usage-only chunk.
import { UpstreamError } from '../errors.js';
import type { ChatChunk, ChunkDelta } from '../types.js';
import { finishOf, usageFromAnthropic } from './response.js';
import type { AnthropicEvent, AnthropicUsage } from './types.js';

/** Translates one Anthropic message stream; feed it events in order. */
export class AnthropicChunker {
  private id = '';
  private created = Math.floor(Date.now() / 1000);
  private usage: Partial<AnthropicUsage> = {};
  /** Anthropic content-block index → OpenAI tool_calls index. */
  private tools = new Map<number, number>();

  constructor(
    private model: string,
    private readonly label: string,
  ) {}

  private chunk(delta: ChunkDelta, finish: string | null = null): ChatChunk {
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [{ index: 0, delta, finish_reason: finish }] };
  }

  private mergeUsage(u: Partial<AnthropicUsage> | undefined): void {
    if (!u) return;
    // Counters in message_delta are cumulative totals: overwrite those present, keep the rest.
    for (const [k, v] of Object.entries(u)) if (typeof v === 'number') this.usage[k] = v;
  }

  /** The chunks one event becomes (often none). Throws UpstreamError for an `error` event. */
  push(ev: AnthropicEvent): ChatChunk[] {
    switch (ev.type) {
      case 'message_start':
        this.id = ev.message?.id ?? this.id;
        this.model = ev.message?.model ?? this.model;
        this.mergeUsage(ev.message?.usage);
        return [this.chunk({ role: 'assistant', content: '' })];
      case 'content_block_start': {
        const b = ev.content_block;
        if (b?.type === 'tool_use') {
          const index = this.tools.size;
          this.tools.set(ev.index ?? 0, index);
          return [this.chunk({ tool_calls: [{ index, id: b.id ?? '', type: 'function', function: { name: b.name ?? '', arguments: '' } }] })];
        }
        return b?.type === 'text' && b.text ? [this.chunk({ content: b.text })] : [];
      }
      case 'content_block_delta': {
        const d = ev.delta;
        if (d?.type === 'text_delta' && d.text) return [this.chunk({ content: d.text })];
        if (d?.type === 'input_json_delta' && d.partial_json) {
          const index = this.tools.get(ev.index ?? 0) ?? 0;
          return [this.chunk({ tool_calls: [{ index, function: { arguments: d.partial_json } }] })];
        }
        return []; // thinking and signature deltas have no OpenAI equivalent
      }
      case 'message_delta':
        this.mergeUsage(ev.usage);
        return [this.chunk({}, finishOf(ev.delta?.stop_reason) ?? 'stop')];
      case 'message_stop':
        return [{ id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage: usageFromAnthropic(this.usage) }];
      case 'error':
        throw new UpstreamError(`${this.label} failed mid-stream: ${ev.error?.message ?? 'unknown error'} (${ev.error?.type ?? 'error'})`, {
          kind: 'stream',
          status: ev.error?.type === 'overloaded_error' ? 503 : 502,
          retryable: true,
          code: 'upstream_stream_error',
        });
      default:
        return []; // ping, content_block_stop
    }
  }
}
