// Public surface of @aether/sdk.
export { AetherClient, type TraceOptions, type TraceSpanOptions } from './client.js';
export { Span } from './span.js';
export { instrumentOpenAI, type InstrumentOpenAIOptions } from './openai.js';
export { newTraceId, sampled } from './ids.js';
export {
  AetherError,
  type AetherClientOptions,
  type ClientStats,
  type ContextBody,
  type FetchLike,
  type FetchResponseLike,
  type SpanBody,
  type SpanKind,
  type TraceBody,
  type TraceFields,
  type TraceStatus,
  type Usage,
} from './types.js';
export {
  PromptClient,
  Prompt,
  PromptFetchError,
  compilePrompt,
  verifyWebhook,
  type GetPromptOptions,
  type PromptClientOptions,
  type PromptContent,
  type PromptMessage,
  type PromptRecord,
  type PromptSource,
  type PromptVariable,
} from './prompts.js';
export { RagClient, type RagClientOptions, type RagCollection, type RagDocument, type RagSearchOptions, type RagSearchResult, type RagFetch } from './rag.js';
