// Pure functions that make the demo's traffic: RAG traces of a support assistant across models,
// users and features, shaped by a short scenario (a hallucination burst, a latency spike, a cost
// spike, an error burst) so every chart and alert has something to show. Seeded, so tests repeat.
import { CORPUS, type DemoCase } from './corpus.js';

export type Rng = () => number;

/** A small, fast seeded generator (mulberry32). */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length) % xs.length]!;
const between = (rng: Rng, lo: number, hi: number) => lo + rng() * (hi - lo);
/** Log-normal multiplier around 1: latencies have long right tails. */
const spread = (rng: Rng, sigma: number) => Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng()));

export interface DemoModel {
  name: string;
  provider: string;
  /** USD per million input / output tokens. */
  input: number;
  output: number;
  latencyMs: number;
  weight: number;
}

export const MODELS: DemoModel[] = [
  { name: 'gpt-4o-mini', provider: 'openai', input: 0.15, output: 0.6, latencyMs: 650, weight: 50 },
  { name: 'claude-3-5-haiku-latest', provider: 'anthropic', input: 0.8, output: 4, latencyMs: 750, weight: 20 },
  { name: 'gpt-4o', provider: 'openai', input: 2.5, output: 10, latencyMs: 1200, weight: 18 },
  { name: 'claude-3-5-sonnet-latest', provider: 'anthropic', input: 3, output: 15, latencyMs: 1400, weight: 12 },
];
export const USERS = ['alice', 'bilal', 'carmen', 'dmitri', 'emma', 'farid', 'grace', 'hiro', 'ines', 'jonas'];
export const FEATURES = ['support-bot', 'docs-search', 'billing-assistant'];
const ERRORS = ['upstream timeout after 30000 ms', 'provider returned 429: rate limit reached', 'context length exceeded: 131072 tokens'];

/** What the traffic looks like at a moment of the scenario. */
export interface Conditions {
  hallucinationRate: number;
  errorRate: number;
  latencyFactor: number;
  /** Long contexts on large models: the cost spike. */
  costly: boolean;
}

export const BASELINE: Conditions = { hallucinationRate: 0.1, errorRate: 0.01, latencyFactor: 1, costly: false };

/**
 * The scenario, in demo seconds from the start of live traffic. Rules on traces (latency, errors,
 * cost) fire first; the hallucination burst comes once the history's evaluations, all written in
 * the first seconds, have left the alert window and no longer dilute the rate.
 */
export const SCENARIO: Array<{ name: string; from: number; to: number; set: Partial<Conditions> }> = [
  { name: 'latency spike', from: 10, to: 35, set: { latencyFactor: 5 } },
  { name: 'error burst', from: 30, to: 50, set: { errorRate: 0.4 } },
  { name: 'cost spike', from: 45, to: 65, set: { costly: true } },
  { name: 'hallucination burst', from: 70, to: 110, set: { hallucinationRate: 0.6 } },
];
/** Demo seconds of live traffic before the slow trickle. */
export const LIVE_SECONDS = 150;

/** Conditions at a demo second (overlapping events combine). */
export function conditionsAt(second: number): Conditions {
  return SCENARIO.filter((e) => second >= e.from && second < e.to).reduce<Conditions>((c, e) => ({ ...c, ...e.set }), BASELINE);
}

function model(rng: Rng, costly: boolean): DemoModel {
  const pool = costly ? MODELS.filter((m) => m.input >= 2.5) : MODELS;
  let r = rng() * pool.reduce((s, m) => s + m.weight, 0);
  for (const m of pool) if ((r -= m.weight) < 0) return m;
  return pool[0]!;
}

/** One RAG trace body (as POST /api/v1/traces takes it) starting at `at` (epoch ms). */
export function ragTrace(rng: Rng, at: number, c: Conditions): Record<string, unknown> {
  const k: DemoCase = pick(rng, CORPUS);
  const m = model(rng, c.costly);
  const failed = rng() < c.errorRate;
  const hallucinated = !failed && rng() < c.hallucinationRate;
  const response = failed ? null : hallucinated ? k.hallucinated : k.faithful;
  const inputTokens = Math.round(c.costly ? between(rng, 25_000, 60_000) : between(rng, 350, 1_600));
  const outputTokens = failed ? 0 : Math.round((response ?? '').length / 4 + between(rng, 5, 60));
  const retrievalMs = Math.round(between(rng, 30, 140));
  const llmMs = Math.round(m.latencyMs * spread(rng, 0.3) * c.latencyFactor * (c.costly ? 2 : 1));
  const latency = retrievalMs + 15 + llmMs;
  const cost = failed ? 0 : (inputTokens * m.input + outputTokens * m.output) / 1e6;
  const user = pick(rng, USERS);
  const feature = k.topic === 'billing' ? 'billing-assistant' : pick(rng, FEATURES);
  const llmStart = at + retrievalMs + 15;
  return {
    timestamp: at,
    query: k.query,
    response,
    contexts: k.contexts,
    model: m.name,
    provider: m.provider,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    latency_ms: latency,
    cost_usd: Math.round(cost * 1e8) / 1e8,
    user_id: user,
    session_id: `${user}-${Math.floor(at / 900_000)}`,
    tags: [feature, rng() < 0.85 ? 'prod' : 'staging'],
    metadata: { source: 'demo', topic: k.topic, retriever: 'hybrid-bm25-vector' },
    status: failed ? 'error' : 'success',
    ...(failed ? { error: pick(rng, ERRORS) } : {}),
    spans: [
      { name: 'embed query', kind: 'embedding', start_time: at, end_time: at + 15, model: 'text-embedding-3-small', input_tokens: 12 },
      { name: 'vector search', kind: 'retrieval', start_time: at + 15, end_time: at + 15 + retrievalMs, attributes: { top_k: k.contexts.length, index: 'support-docs' } },
      {
        name: 'generate answer',
        kind: 'llm',
        start_time: llmStart,
        end_time: llmStart + llmMs,
        model: m.name,
        status: failed ? 'error' : 'success',
        input_tokens: inputTokens,
        output_tokens: outputTokens,
        cost_usd: Math.round(cost * 1e8) / 1e8,
      },
    ],
  };
}

/** `count` baseline traces spread over the `days` before `now` (ending 10 minutes ago), oldest first. */
export function history(rng: Rng, now: number, count: number, days: number): Array<Record<string, unknown>> {
  const end = now - 600_000;
  const start = end - days * 86_400_000;
  const times = Array.from({ length: count }, () => start + rng() * (end - start)).sort((a, b) => a - b);
  return times.map((t) => ragTrace(rng, Math.round(t), BASELINE));
}
