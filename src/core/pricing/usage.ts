// Provider usage objects → TokenUsage (see index.ts for the convention). Each format says in its
// own way which counts include which; getting this wrong charges cached or reasoning tokens twice.
import type { TokenUsage } from './index.js';

type Num = number | null | undefined;
const n = (v: Num) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

/**
 * OpenAI chat/responses usage: `prompt_tokens` already includes `cached_tokens` and audio input;
 * `completion_tokens` already includes `reasoning_tokens` and audio output. Aether's gateway adds
 * `cache_write_tokens` (Anthropic cache creation, translated) inside `prompt_tokens` the same way.
 */
export function fromOpenAIUsage(u: {
  prompt_tokens?: Num;
  completion_tokens?: Num;
  input_tokens?: Num;
  output_tokens?: Num;
  prompt_tokens_details?: { cached_tokens?: Num; cache_write_tokens?: Num; audio_tokens?: Num } | null | undefined;
  completion_tokens_details?: { reasoning_tokens?: Num; audio_tokens?: Num } | null | undefined;
  input_tokens_details?: { cached_tokens?: Num } | null | undefined;
  output_tokens_details?: { reasoning_tokens?: Num } | null | undefined;
}): TokenUsage {
  return {
    input: n(u.prompt_tokens ?? u.input_tokens),
    output: n(u.completion_tokens ?? u.output_tokens),
    cached_read: n(u.prompt_tokens_details?.cached_tokens ?? u.input_tokens_details?.cached_tokens),
    cached_write: n(u.prompt_tokens_details?.cache_write_tokens),
    reasoning: n(u.completion_tokens_details?.reasoning_tokens ?? u.output_tokens_details?.reasoning_tokens),
    audio_in: n(u.prompt_tokens_details?.audio_tokens),
    audio_out: n(u.completion_tokens_details?.audio_tokens),
  };
}

/**
 * Anthropic Messages usage: `input_tokens` EXCLUDES `cache_read_input_tokens` and
 * `cache_creation_input_tokens`, so they are added to make the total prompt; `output_tokens`
 * includes extended-thinking tokens (billed as output).
 */
export function fromAnthropicUsage(u: { input_tokens?: Num; output_tokens?: Num; cache_read_input_tokens?: Num; cache_creation_input_tokens?: Num }): TokenUsage {
  const read = n(u.cache_read_input_tokens);
  const write = n(u.cache_creation_input_tokens);
  return { input: n(u.input_tokens) + read + write, output: n(u.output_tokens), cached_read: read, cached_write: write };
}
