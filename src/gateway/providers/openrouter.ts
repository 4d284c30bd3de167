import { openAIWire } from '../wire/openai.js';

/**
 * OpenRouter (`openrouter/anthropic/claude-3.5-sonnet`). It always sends usage in the last chunk
 * (include_usage is deprecated there) and reports what the call cost in `usage.cost`; its
 * `: OPENROUTER PROCESSING` keep-alives are SSE comments, which the parser skips.
 */
export const openrouter = openAIWire({
  description: 'OpenRouter: many providers behind one OpenAI-compatible API; cost from usage.cost',
  defaultBaseUrl: 'https://openrouter.ai/api/v1',
  requiresKey: true,
  includeUsage: false,
  headers: { 'x-title': 'Aether' },
  reportedCost: (usage) => (typeof usage.cost === 'number' && Number.isFinite(usage.cost) ? usage.cost : undefined),
});
