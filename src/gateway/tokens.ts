// Token counts when the upstream reports none (a stream cut short, a server without usage): the
// bundled o200k_base tokenizer (pure JS, loaded in the background at start-up). Until it has loaded,
// and for non-OpenAI models, the count is an estimate; traces mark it as such.
import type { ChatCompletion, ChatRequest } from './types.js';
import { textOf } from './types.js';
import { countTokens, preloadTokenizer } from '../core/tokens.js';

export { countTokens, preloadTokenizer };

// OpenAI's chat format adds about three tokens per message and three to prime the reply.
const PER_MESSAGE = 3;

/** Prompt tokens of a chat request: message texts, tool calls and tool definitions. */
export function countPromptTokens(req: ChatRequest): number {
  let n = PER_MESSAGE;
  for (const m of req.messages) {
    n += PER_MESSAGE + countTokens(textOf(m.content));
    for (const tc of m.tool_calls ?? []) n += countTokens(tc.function.name) + countTokens(tc.function.arguments);
  }
  if (req.tools?.length) n += countTokens(JSON.stringify(req.tools));
  return n;
}

/** Completion tokens of the first choice: text and tool-call arguments. */
export function countCompletionTokens(c: ChatCompletion): number {
  const m = c.choices[0]?.message;
  if (!m) return 0;
  let n = countTokens(textOf(m.content));
  for (const tc of m.tool_calls ?? []) n += countTokens(tc.function.name) + countTokens(tc.function.arguments);
  return n;
}

/** A cheap upper-bound guess (characters / 3) for rate-limit admission, before any tokenizer work. */
export function quickPromptEstimate(req: ChatRequest): number {
  let chars = 0;
  for (const m of req.messages) chars += typeof m.content === 'string' ? m.content.length : textOf(m.content).length;
  return Math.ceil(chars / 3) + (req.max_completion_tokens ?? req.max_tokens ?? 0);
}
