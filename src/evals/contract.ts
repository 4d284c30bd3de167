import type { Context, EvaluationConfig } from '../core/index.js';

/** What a metric sees of a trace. */
export interface EvalTrace {
  id: string;
  projectId: string;
  query: string;
  response: string | null;
  contexts: Context[];
  reference: string | null;
  metadata: Record<string, unknown>;
}

export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One judge call's outcome. */
export interface JudgeReply {
  text: string;
  usage: TokenUsage;
  /** null when the model has no known price. */
  cost_usd: number | null;
}

/** One chat call of the platform's own (the judge's), for one project's credentials and breakers. */
export interface LlmChatCall {
  projectId: string;
  /** `provider/model` as the gateway resolves it. */
  model: string;
  messages: ChatMessage[];
  json: boolean;
  maxTokens: number;
  temperature: number;
}

export interface LlmCallOptions {
  /** Why the platform calls (`judge`): the trace is marked with it. */
  purpose: string;
  timeoutMs: number;
  maxRetries: number;
}

/**
 * The one way out to an LLM, given to the judge by the composition root (the gateway's internal
 * API): providers, credentials, retries, breakers, pricing and tracing are the gateway's.
 * Failures reject with a JudgeError.
 */
export interface LlmPort {
  chat(call: LlmChatCall, opts: LlmCallOptions): Promise<JudgeReply>;
  embed(call: { projectId: string; model: string; input: string[] }, opts: LlmCallOptions): Promise<{ vectors: number[][]; usage: TokenUsage; cost_usd: number | null }>;
}

/** An LLM used as a judge (judge/client.ts, over an LlmPort). */
export interface Judge {
  /** `provider/model`, recorded as the evaluator. */
  readonly model: string;
  /** The same judge calling on behalf of one project (its credentials, breakers and traces). */
  forProject?(projectId: string): Judge;
  complete(messages: ChatMessage[], opts: { json: boolean; maxTokens?: number }): Promise<JudgeReply>;
  /** Embeddings for answer relevancy, when the provider offers them. */
  embed?(texts: string[]): Promise<{ vectors: number[][]; usage: TokenUsage; cost_usd: number | null }>;
}

export interface MetricDeps {
  /** Present when a judge is configured and the project does not force local evaluation. */
  judge?: Judge | undefined;
  config: EvaluationConfig;
}

export interface MetricResult {
  /** 0..1, or null when the metric cannot judge this trace (with the reason). Never NaN. */
  score: number | null;
  label?: string | null;
  reason: string;
  details?: Record<string, unknown>;
  cost_usd?: number;
  tokens?: number;
  /** `local` or `judge:<model>`. */
  evaluator: string;
  /** Version of the variant that produced it (local and judge variants version separately). */
  version: string;
}

export interface Metric {
  readonly name: string;
  readonly description: string;
  /** True when a higher score is better (faithfulness); false for risk scores (toxicity, pii). */
  readonly higherIsBetter: boolean;
  readonly requires: { contexts?: boolean; reference?: boolean; judge?: boolean };
  evaluate(trace: EvalTrace, deps: MetricDeps): Promise<MetricResult>;
  /** Metrics whose results this one is computed from, instead of from the trace. */
  readonly derivedFrom?: string[];
  /** Compute from the results of `derivedFrom` (called instead of evaluate). */
  derive?(results: ReadonlyMap<string, MetricResult>, deps: MetricDeps): MetricResult;
}

/** A metric result for a trace the metric cannot judge. */
export function notApplicable(reason: string, evaluator = 'local', version = '1'): MetricResult {
  return { score: null, label: 'not_applicable', reason, evaluator, version };
}

/** Clamp to [0,1]; NaN and infinities become null. */
export function unitScore(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  return Math.min(1, Math.max(0, x));
}
