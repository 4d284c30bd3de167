import { openAIWire } from '../wire/openai.js';

/** OpenAI's API (`openai/gpt-4o-mini`); bare `gpt-…`, `o1…`, `text-embedding-…` names resolve here. */
export const openai = openAIWire({
  description: 'OpenAI chat completions and embeddings',
  defaultBaseUrl: 'https://api.openai.com/v1',
  requiresKey: true,
  includeUsage: true,
  modelPrefixes: ['gpt-', 'o1', 'o3', 'o4', 'chatgpt-', 'text-embedding-'],
});
