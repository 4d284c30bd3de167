// Cost of a call: what the upstream reports (OpenRouter), else the one pricing function
// (src/core/pricing) with the project's stored prices, then the operator's overrides (per project,
// then global, in USD per million tokens), then the bundled table.
import { fromOpenAIUsage, priceUsage, type CostSource, type ModelPrice, type PriceOverrides } from '../core/pricing/index.js';
import type { Target } from './models.js';
import type { PriceOverride } from './settings.js';
import type { Usage } from './types.js';

const perToken = (p: PriceOverride): ModelPrice => ({
  provider: 'override',
  input: p.input_per_mtok / 1e6,
  output: p.output_per_mtok / 1e6,
  ...(p.cached_input_per_mtok !== undefined ? { cachedInput: p.cached_input_per_mtok / 1e6 } : {}),
});

// Null-prototype tables: a model named `constructor` must find no price, not Object's constructor.
const convert = (m: Record<string, PriceOverride>): Record<string, ModelPrice> => Object.assign(Object.create(null) as Record<string, ModelPrice>, Object.fromEntries(Object.entries(m).map(([k, v]) => [k, perToken(v)])));

/** A project's stored prices (`/api/v1/projects/{id}/prices`), read from a cache: the gateway prices synchronously. */
export type StoredPrices = (projectId: string) => PriceOverrides;

/** Prices a call for a project; overrides are converted once. */
export function createPricer(global: Record<string, PriceOverride>, perProject: Record<string, Record<string, PriceOverride>>, stored: StoredPrices = () => ({})) {
  const base = convert(global);
  const projects = new Map(Object.entries(perProject).map(([p, m]) => [p, Object.assign(Object.create(null) as Record<string, ModelPrice>, base, convert(m))]));
  const price = (project: { id: string; slug: string }, target: Target, model: string | undefined, usage: Usage): { costUsd: number | null; costSource: CostSource } => {
    const reported = target.endpoint.provider.reportedCost?.(usage);
    if (reported !== undefined) return { costUsd: reported, costSource: 'client' };
    const overrides: PriceOverrides = Object.assign(Object.create(null) as PriceOverrides, projects.get(project.id) ?? projects.get(project.slug) ?? base, stored(project.id));
    const u = fromOpenAIUsage(usage);
    for (const m of [target.label, model]) {
      if (!m) continue;
      const r = priceUsage({ model: m, provider: target.endpoint.providerName, usage: u }, overrides);
      if (r.source === 'computed') return { costUsd: r.cost_usd, costSource: 'computed' };
    }
    return { costUsd: null, costSource: 'unpriced' };
  };
  return {
    price,
    /** USD for one call, or null when no price is known. `model` is what the upstream says it ran. */
    cost: (project: { id: string; slug: string }, target: Target, model: string | undefined, usage: Usage): number | null => price(project, target, model, usage).costUsd,
  };
}

export type Pricer = ReturnType<typeof createPricer>;
