// The wire format of POST /api/v1/traces (the server validates strictly: unknown fields are errors)
// and the options of the client. Written out here rather than imported so the package stands alone.

/** What a span does; the server rejects other values. */
export type SpanKind =
  | 'llm'
  | 'retrieval'
  | 'embedding'
  | 'tool'
  | 'chain'
  | 'agent'
  | 'reranker'
  | 'guardrail'
  | 'evaluator'
  | 'other';

export type TraceStatus = 'success' | 'error';

/** A retrieved passage, as the evaluators read it. */
export interface ContextBody {
  text: string;
  source?: string;
  score?: number;
  metadata?: Record<string, unknown>;
}

/** One span on the wire; children nest in `spans`. */
export interface SpanBody {
  id?: string;
  parent_id?: string;
  name: string;
  kind?: SpanKind;
  start_time: string | number;
  end_time?: string | number;
  status?: TraceStatus;
  error?: string;
  model?: string;
  input_tokens?: number;
  output_tokens?: number;
  usage_details?: UsageDetailsBody;
  cost_usd?: number;
  input?: unknown;
  output?: unknown;
  attributes?: Record<string, unknown>;
  spans?: SpanBody[];
}

/** Parts of input_tokens / output_tokens the server prices apart (never added to the totals). */
export interface UsageDetailsBody {
  cached_read?: number;
  cached_write?: number;
  reasoning?: number;
}

/** One trace on the wire: the body of POST /api/v1/traces and an item of /batch. */
export interface TraceBody {
  id?: string;
  project_id?: string;
  timestamp?: string | number;
  query: string;
  response?: string | null;
  contexts?: ContextBody[];
  reference?: string;
  model?: string;
  provider?: string;
  input_tokens?: number;
  output_tokens?: number;
  token_count?: number;
  usage_details?: UsageDetailsBody;
  latency_ms?: number;
  cost_usd?: number;
  user_id?: string;
  session_id?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
  status?: TraceStatus;
  error?: string | null;
  spans?: SpanBody[];
}

/** The subset of a fetch Response the transport reads, so any fetch implementation fits. */
export interface FetchResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The subset of `fetch` the transport calls. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<FetchResponseLike>;

/** Options of `new AetherClient(...)`. */
export interface AetherClientOptions {
  /** A project API key, `ae_…`. */
  apiKey: string;
  /** Server root; default `http://127.0.0.1:8000`. */
  baseUrl?: string;
  /** Sent as `project_id` on every trace; the server rejects it if it is not the key's project. */
  projectId?: string;
  /** Traces per request (max 1000); a full batch is sent without waiting for the timer. */
  batchSize?: number;
  /** How often queued traces are sent. */
  flushIntervalMs?: number;
  /** Traces held in memory at most; beyond it the oldest are dropped and counted. */
  maxQueue?: number;
  /** Retries of one batch after a network error, 408, 429 or 5xx. */
  maxRetries?: number;
  /** Share of traces kept, 0..1, decided from the trace id. */
  sampleRate?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Receives every delivery failure; the SDK never throws into the application. */
  onError?: (error: AetherError) => void;
  /** A fetch implementation (default: the global one). */
  fetch?: FetchLike;
  /** Flush the queue when a Node process is about to exit on an empty event loop; default true. */
  flushOnExit?: boolean;
  /** First retry delay; doubles per attempt with full jitter (default 250 ms, capped at 30 s). */
  retryBaseMs?: number;
}

/** Counters of what happened to traces since the client was created. */
export interface ClientStats {
  /** Waiting in memory to be sent. */
  queued: number;
  /** Accepted by the server (including ids it already had). */
  sent: number;
  /** Pushed out of a full queue (the oldest go first). */
  dropped: number;
  /** Rejected by the server, or given up on after all retries. */
  failed: number;
}

/** A delivery failure reported to `onError`; `count` traces were affected. */
export class AetherError extends Error {
  constructor(
    message: string,
    readonly count: number,
    readonly status?: number,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'AetherError';
  }
}

/** Model usage of one call; trace-level when set on the root span. */
export interface Usage {
  /** Every prompt token, cached ones included (OpenAI's prompt_tokens). */
  inputTokens?: number;
  /** Every completion token, reasoning included. */
  outputTokens?: number;
  /** Of inputTokens: read from / written to the provider's cache. Of outputTokens: reasoning. */
  cachedReadTokens?: number;
  cachedWriteTokens?: number;
  reasoningTokens?: number;
  costUsd?: number;
  model?: string;
  provider?: string;
}

/** Fields a caller may attach to a whole trace. */
export interface TraceFields {
  userId?: string;
  sessionId?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
  projectId?: string;
  reference?: string;
}
