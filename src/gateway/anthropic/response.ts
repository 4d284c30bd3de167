// Anthropic Messages responses ⇄ OpenAI chat completions: content blocks, tool calls, stop
// reasons and usage (cache reads and writes included).
import type { ChatCompletion, ToolCall, Usage } from '../types.js';
import type { AnthropicBlock, AnthropicResponse, AnthropicUsage } from './types.js';

const STOP_TO_FINISH: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

const FINISH_TO_STOP: Record<string, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

/** Anthropic stop_reason → OpenAI finish_reason. */
export const finishOf = (stop: string | null | undefined): string | null => (stop ? (STOP_TO_FINISH[stop] ?? 'stop') : null);

/** OpenAI finish_reason → Anthropic stop_reason. */
export const stopOf = (finish: string | null | undefined): string | null => (finish ? (FINISH_TO_STOP[finish] ?? 'end_turn') : null);

/**
 * Anthropic usage as OpenAI usage. Anthropic's input_tokens excludes cache reads and writes;
 * OpenAI's prompt_tokens includes cached tokens, so they are added back.
 */
export function usageFromAnthropic(u: Partial<AnthropicUsage>): Usage {
  const read = u.cache_read_input_tokens ?? 0;
  const write = u.cache_creation_input_tokens ?? 0;
  const prompt = (u.input_tokens ?? 0) + read + write;
  const completion = u.output_tokens ?? 0;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (read || write) usage.prompt_tokens_details = { cached_tokens: read, ...(write ? { cache_write_tokens: write } : {}) };
  return usage;
}

/** OpenAI usage as Anthropic usage (the inverse of usageFromAnthropic). */
export function usageToAnthropic(u: Usage | null | undefined): AnthropicUsage {
  const read = u?.prompt_tokens_details?.cached_tokens ?? 0;
  const write = u?.prompt_tokens_details?.cache_write_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (u?.prompt_tokens ?? 0) - read - write),
    output_tokens: u?.completion_tokens ?? 0,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
  };
}

/** An Anthropic message as an OpenAI chat completion. */
export function toOpenAICompletion(r: AnthropicResponse): ChatCompletion {
  const text = r.content.filter((b) => b.type === 'text').map((b) => b.text ?? '').join('');
  const toolCalls: ToolCall[] = r.content
    .filter((b) => b.type === 'tool_use')
    .map((b) => ({ id: b.id ?? '', type: 'function', function: { name: b.name ?? '', arguments: JSON.stringify(b.input ?? {}) } }));
  return {
    id: r.id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: r.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text || (toolCalls.length ? null : ''), refusal: null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) },
        finish_reason: finishOf(r.stop_reason),
        logprobs: null,
      },
    ],
    usage: usageFromAnthropic(r.usage),
  };
}

function parseInput(s: string): unknown {
  try {
    return s ? JSON.parse(s) : {};
  } catch {
    return {};
  }
}

/** An OpenAI chat completion as an Anthropic message (first choice). */
export function toAnthropicMessage(c: ChatCompletion): AnthropicResponse {
  const choice = c.choices[0];
  const content: AnthropicBlock[] = [];
  const text = typeof choice?.message.content === 'string' ? choice.message.content : '';
  if (text) content.push({ type: 'text', text });
  for (const tc of choice?.message.tool_calls ?? []) content.push({ type: 'tool_use', id: tc.id, name: tc.function.name, input: parseInput(tc.function.arguments) });
  return {
    id: c.id.startsWith('msg_') ? c.id : `msg_${c.id}`,
    type: 'message',
    role: 'assistant',
    model: c.model,
    content,
    stop_reason: stopOf(choice?.finish_reason) ?? 'end_turn',
    stop_sequence: null,
    usage: usageToAnthropic(c.usage),
  };
}
