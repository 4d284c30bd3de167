import { openAIWire } from '../wire/openai.js';

/**
 * Any server speaking the OpenAI wire (vLLM, Ollama, Groq, Together, LM Studio…): configure an
 * endpoint with this provider and a base URL; the key is optional.
 */
export const openaiCompatible = openAIWire({
  description: 'any OpenAI-compatible server at a configured base URL',
  defaultBaseUrl: undefined,
  requiresKey: false,
  includeUsage: true,
});
