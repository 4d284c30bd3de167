// The provider contract. A provider is one object in providers/<name>.ts; the pipeline only ever
// calls these members, so special behaviour is an optional hook here, never a name check there.
import type { HttpClient } from './http.js';
import type { ChatChunk, ChatCompletion, ChatRequest, EmbeddingsRequest, EmbeddingsResponse, Usage } from './types.js';

/** Where and as whom one call goes: an endpoint's URL and the credentials in force for the project. */
export interface CallTarget {
  /** `openai/gpt-4o-mini`: endpoint name and model, for messages and traces. */
  label: string;
  baseUrl: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
  /** The model name as the upstream knows it. */
  model: string;
  /** True when the project's own key or base URL is in force (its breaker is then its own). */
  ownCredentials?: boolean;
}

export interface CallContext {
  target: CallTarget;
  http: HttpClient;
  /** Aborts on timeout or when the client goes away. */
  signal: AbortSignal;
}

export interface ChatResult {
  completion: ChatCompletion;
  /** The upstream body, when it is already the OpenAI shape and can be relayed byte for byte. */
  raw?: string;
}

export interface ChunkEvent {
  chunk: ChatChunk;
  /** The chunk's JSON as received, when it can be relayed unchanged. */
  raw?: string;
}

export interface Provider {
  /** One line for docs and `GET /v1/models`. */
  description: string;
  /** Base URL when neither config nor project credentials give one (undefined: must be configured). */
  defaultBaseUrl: string | undefined;
  /** False for servers that take no key (local vLLM/Ollama, the mock). */
  requiresKey: boolean;
  /** A chat completion. Throws UpstreamError. */
  chat(req: ChatRequest, ctx: CallContext): Promise<ChatResult>;
  /**
   * A streamed chat completion as OpenAI-shaped chunks. Resolves once the upstream accepted the
   * request (so failures before the first byte can still be retried); errors mid-stream are thrown
   * by the iterator as UpstreamError.
   */
  stream(req: ChatRequest, ctx: CallContext): Promise<AsyncIterable<ChunkEvent>>;
  /** Embeddings, when the provider has them. */
  embeddings?(req: EmbeddingsRequest, ctx: CallContext): Promise<EmbeddingsResponse>;
  /** Models it always serves that no price table lists (the mock's `echo`), for `GET /v1/models`. */
  listedModels?: readonly string[];
  /** Bare model names this provider serves (`claude-…`), for requests that name no provider. */
  modelPrefixes?: readonly string[];
  /** The cost the upstream itself reports (OpenRouter's `usage.cost`); wins over the price table. */
  reportedCost?(usage: Usage): number | undefined;
}
