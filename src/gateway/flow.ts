// The typed context one request carries through the pipeline, the operation contract (chat,
// embeddings) the generic steps call, and the resolver contract that maps a model name to targets.
import type { Core, GatewayReply, RequestCtx } from './core.js';
import type { ReplyFormat } from './formats.js';
import type { HeaderBag } from './headers.js';
import type { Target } from './models.js';
import type { Admission } from './pipeline/rate-limit.js';
import type { TraceFacts } from './tracing.js';
import type { ChatRequest, EmbeddingsRequest, Usage } from './types.js';

export type ChatCall = { operation: 'chat'; body: ChatRequest; format: ReplyFormat };
export type EmbeddingsCall = { operation: 'embeddings'; body: EmbeddingsRequest };
export type Call = ChatCall | EmbeddingsCall;

/** A call the platform makes for itself (the evaluation judge): traced, marked, never evaluated. */
export interface InternalMark {
  purpose: string;
}

/** What the upstream did, once the call is over (for a stream: once it ended). */
export interface Outcome {
  target: Target;
  /** The model the upstream says it ran (priced after the target's label). */
  upstreamModel: string | undefined;
  usage: Usage;
  usageEstimated: boolean;
  response: string | null;
  finishReason?: string | null | undefined;
  output?: unknown;
  /** The answer to cache (without target and cost), when the call ended well. */
  cacheable?: Record<string, unknown> | undefined;
}

/** One request in the pipeline. Steps read and write it; `pending` is set while a stream is relayed. */
export interface Flow<C extends Call = Call> {
  readonly core: Core;
  readonly req: RequestCtx;
  readonly op: Operation<C>;
  readonly call: C;
  readonly facts: TraceFacts;
  readonly internal: InternalMark | undefined;
  /** The model name to resolve and the fallbacks asked for (the budget may change both). */
  model: string;
  fallbacks: string[] | undefined;
  chain: Target[];
  admission?: Admission;
  outcome?: Outcome;
  reply?: GatewayReply;
  pending?: Promise<void>;
}

/**
 * An operation: the part of a request that differs between chat and embeddings. The generic
 * steps call only these members (method syntax: a Operation<ChatCall> is an Operation<Call>).
 */
export interface Operation<C extends Call = Call> {
  readonly kind: C['operation'];
  /** The trace's query text. */
  query(call: C): string;
  /** Whether the reply is streamed, and the input the trace keeps when messages are captured. */
  streamed(call: C): boolean;
  input(call: C): unknown;
  /** Tokens to take from the rate limit up front (settled against the real count later). */
  estimate(call: C): number;
  /** Answer from a cached entry: sets the reply and the trace facts. */
  fromCache(flow: Flow<C>, entry: Record<string, unknown>): void;
  /** Call down `flow.chain`: sets the reply, and the outcome (at once, or when the stream ends). */
  execute(flow: Flow<C>): Promise<void>;
}

/** What a resolver sees and may change: the model, the request body, the fallbacks, the chain. */
export interface Resolution {
  readonly operation: Call['operation'];
  readonly project: { id: string; slug: string };
  /** The request's headers (a router reads its SLOs here, a prompt resolver its prompt name). */
  readonly headers: HeaderBag;
  model: string;
  body: ChatRequest | EmbeddingsRequest;
  fallbacks: string[] | undefined;
  /** Set by the resolver that fixes the targets; the alias resolver, last, sets it if none did. */
  chain?: Target[];
  /** Facts for the trace's metadata (e.g. the prompt version or the route decision). */
  metadata: Record<string, unknown>;
}

/** One entry of the resolve step: aliases today, a prompt resolver or a router tomorrow. */
export type ModelResolver = (r: Resolution) => void | Promise<void>;

/**
 * Run `fn` once the reply is complete: now for a JSON reply, when the stream ends for a stream.
 * Callbacks run in the order they were registered (inner steps first).
 */
export function whenDone(flow: Flow, fn: () => void): void {
  if (!flow.pending) return fn();
  flow.pending = flow.pending.then(fn).catch((e: unknown) => flow.core.logger.error({ err: e }, 'gateway bookkeeping failed'));
}

/** Response headers naming what served the request, how many tries it took and what it cost. */
export function resultHeaders(flow: Flow, label: string, endpoint: string): void {
  const h = flow.req.headers;
  h['x-aether-provider'] = endpoint;
  h['x-aether-model'] = label;
  h['x-aether-attempts'] = String(flow.facts.attempts.filter((a) => !a.skipped).length);
  if (flow.facts.costUsd !== null) h['x-aether-cost-usd'] = flow.facts.costUsd.toFixed(10).replace(/\.?0+$/, '') || '0';
}

/** The options of one run down the chain, from the request's headers or the settings. */
export function execOptions(flow: Flow, waitingFor: string) {
  const { req, core } = flow;
  return {
    projectId: req.project.id,
    signal: req.signal,
    timeoutMs: req.options.timeoutMs ?? core.settings.timeout_ms,
    maxRetries: req.options.maxRetries ?? core.settings.retry.max_retries,
    waitingFor,
  };
}
