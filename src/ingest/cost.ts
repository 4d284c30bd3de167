// Where a trace's cost comes from when the client sends none: the one pricing function
// (src/core/pricing), with the project's own prices first. Rules in docs/pricing.md.
import { priceUsage, type CostSource, type PriceOverrides, type TokenUsage } from '../core/pricing/index.js';
import type { SpanInput, TraceInput, UsageDetails } from '../core/schemas/trace.js';
import type { NewSpan } from '../storage/index.js';

const usageOf = (input: number | undefined, output: number | undefined, d: UsageDetails | undefined): TokenUsage => ({ input: input ?? 0, output: output ?? 0, ...d });

/** A span's cost when it reports tokens and a model but no cost; null when it cannot be priced. */
export function spanCost(s: SpanInput, prices: PriceOverrides): number | null {
  if (s.cost_usd !== undefined) return s.cost_usd;
  if (!s.model || (s.input_tokens === undefined && s.output_tokens === undefined)) return null;
  const r = priceUsage({ model: s.model, usage: usageOf(s.input_tokens, s.output_tokens, s.usage_details) }, prices);
  return r.source === 'computed' ? r.cost_usd : null;
}

/**
 * The trace's cost and its source. A cost sent with the trace is the client's. Otherwise, when LLM
 * spans report usage the cost is the sum over the spans the totals count (an LLM span wrapping another
 * LLM span that reports usage is the same call; src/ingest/otlp/usage.ts, and the store when later
 * spans arrive), and without such spans it is priced from the trace's model and tokens.
 * `computedSpans`: ids of spans whose cost was computed here rather than sent.
 */
export function traceCost(input: TraceInput, spans: NewSpan[], computedSpans: Set<string>, prices: PriceOverrides): { cost_usd: number | null; cost_source: CostSource | null } {
  if (input.cost_usd !== undefined) return { cost_usd: input.cost_usd, cost_source: input.cost_source ?? 'client' };
  const reports = (s: NewSpan) => s.input_tokens !== null || s.output_tokens !== null || s.cost_usd !== null;
  const wrapped = new Set(spans.filter((s) => s.kind === 'llm' && s.parent_id && reports(s)).map((s) => s.parent_id));
  const counted = spans.filter((s) => s.kind === 'llm' && reports(s) && !wrapped.has(s.id));
  if (counted.length) {
    if (counted.some((s) => s.cost_usd === null)) return { cost_usd: null, cost_source: 'unpriced' };
    const sum = counted.reduce((n, s) => n + s.cost_usd!, 0);
    return { cost_usd: Math.round(sum * 1e10) / 1e10, cost_source: counted.some((s) => computedSpans.has(s.id)) ? 'computed' : 'client' };
  }
  if (input.input_tokens === undefined && input.output_tokens === undefined && input.token_count === undefined) return { cost_usd: null, cost_source: null };
  if (!input.model) return { cost_usd: null, cost_source: 'unpriced' };
  const r = priceUsage({ model: input.model, provider: input.provider, usage: usageOf(input.input_tokens, input.output_tokens, input.usage_details) }, prices);
  return r.source === 'computed' ? { cost_usd: r.cost_usd, cost_source: 'computed' } : { cost_usd: null, cost_source: 'unpriced' };
}
