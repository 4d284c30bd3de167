// Cost of a call: what the upstream reports (OpenRouter), else the bundled price table with the
// operator's overrides (global, then per project) in USD per million tokens.
import { costOf, type ModelPrice, type Usage as PricedUsage } from '../core/pricing/index.js';
import type { Target } from './models.js';
import type { PriceOverride } from './settings.js';
import type { Usage } from './types.js';

/** OpenAI usage in the pricing module's terms (cache writes are billed apart from input). */
export function pricedUsage(u: Usage): PricedUsage {
  const write = u.prompt_tokens_details?.cache_write_tokens ?? 0;
  return {
    input_tokens: Math.max(0, u.prompt_tokens - write),
    output_tokens: u.completion_tokens,
    cached_input_tokens: u.prompt_tokens_details?.cached_tokens ?? 0,
    cache_write_tokens: write,
    reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

const perToken = (p: PriceOverride): ModelPrice => ({
  provider: 'override',
  input: p.input_per_mtok / 1e6,
  output: p.output_per_mtok / 1e6,
  ...(p.cached_input_per_mtok !== undefined ? { cachedInput: p.cached_input_per_mtok / 1e6 } : {}),
});

// Null-prototype tables: a model named `constructor` must find no price, not Object's constructor.
const convert = (m: Record<string, PriceOverride>): Record<string, ModelPrice> => Object.assign(Object.create(null) as Record<string, ModelPrice>, Object.fromEntries(Object.entries(m).map(([k, v]) => [k, perToken(v)])));

/** Prices a call for a project; overrides are converted once. */
export function createPricer(global: Record<string, PriceOverride>, perProject: Record<string, Record<string, PriceOverride>>) {
  const base = convert(global);
  const projects = new Map(Object.entries(perProject).map(([p, m]) => [p, Object.assign(Object.create(null) as Record<string, ModelPrice>, base, convert(m))]));
  return {
    /** USD for one call, or null when no price is known. `model` is what the upstream says it ran. */
    cost(project: { id: string; slug: string }, target: Target, model: string | undefined, usage: Usage): number | null {
      const reported = target.endpoint.provider.reportedCost?.(usage);
      if (reported !== undefined) return reported;
      const overrides = projects.get(project.id) ?? projects.get(project.slug) ?? base;
      const u = pricedUsage(usage);
      // The bundled table is a plain object: a name like `toString` can meet a prototype member
      // there and price as NaN, which counts as no price.
      const finite = (c: number | null) => (c !== null && Number.isFinite(c) ? c : null);
      return finite(costOf(target.label, u, overrides)) ?? (model ? finite(costOf(model, u, overrides)) : null);
    },
  };
}

export type Pricer = ReturnType<typeof createPricer>;
