// OpenAI chat.completion.chunk objects → Anthropic streaming events, for clients of /v1/messages:
// message_start, one content block per text run or tool call, message_delta, message_stop.
import { sseFrame } from '../sse.js';
import type { ChatChunk, Usage } from '../types.js';
import { stopOf, usageToAnthropic } from './response.js';

const frame = (type: string, body: Record<string, unknown>) => sseFrame(JSON.stringify({ type, ...body }), type);

/** Writes one Anthropic message stream from OpenAI chunks. */
export class AnthropicEventWriter {
  private started = false;
  private block = -1;
  private open: 'text' | 'tool' | undefined;
  private openTool = -1;
  private finish: string | null = null;
  private usage: Usage | null | undefined;

  constructor(
    private readonly id: string,
    private readonly model: string,
    /** Input tokens known (or estimated) before the first chunk; the final count is sent at the end. */
    private readonly inputTokens: number,
  ) {}

  private start(): string {
    this.started = true;
    const message = { id: this.id, type: 'message', role: 'assistant', model: this.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: this.inputTokens, output_tokens: 0 } };
    return frame('message_start', { message });
  }

  private close(): string {
    if (!this.open) return '';
    this.open = undefined;
    return frame('content_block_stop', { index: this.block });
  }

  private openBlock(kind: 'text' | 'tool', contentBlock: Record<string, unknown>): string {
    const out = this.close();
    this.block++;
    this.open = kind;
    return out + frame('content_block_start', { index: this.block, content_block: contentBlock });
  }

  /** The events one chunk becomes. */
  chunk(c: ChatChunk): string {
    let out = this.started ? '' : this.start();
    if (c.usage) this.usage = c.usage;
    const ch = c.choices.find((x) => x.index === 0);
    if (!ch) return out;
    const text = ch.delta.content || ch.delta.refusal;
    if (text) {
      if (this.open !== 'text') out += this.openBlock('text', { type: 'text', text: '' });
      out += frame('content_block_delta', { index: this.block, delta: { type: 'text_delta', text } });
    }
    for (const tc of ch.delta.tool_calls ?? []) {
      if (tc.id || this.open !== 'tool' || tc.index !== this.openTool) {
        out += this.openBlock('tool', { type: 'tool_use', id: tc.id ?? `toolu_${tc.index}`, name: tc.function?.name ?? '', input: {} });
        this.openTool = tc.index;
      }
      if (tc.function?.arguments) out += frame('content_block_delta', { index: this.block, delta: { type: 'input_json_delta', partial_json: tc.function.arguments } });
    }
    if (ch.finish_reason) this.finish = ch.finish_reason;
    return out;
  }

  /** Close the message: the stop reason and final usage, then message_stop. */
  end(): string {
    let out = this.started ? '' : this.start();
    out += this.close();
    const u = usageToAnthropic(this.usage);
    out += frame('message_delta', { delta: { stop_reason: stopOf(this.finish) ?? 'end_turn', stop_sequence: null }, usage: u });
    return out + frame('message_stop', {});
  }

  /** Final usage when the upstream sent none (counted by the gateway). */
  setUsage(u: Usage): void {
    this.usage ??= u;
  }
}
