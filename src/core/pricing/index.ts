import { readFileSync } from 'node:fs';

/** USD per token. */
export interface ModelPrice {
  provider: string;
  input: number;
  output: number;
  cachedInput?: number;
  cacheWrite?: number;
  reasoning?: number;
}

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens?: number;
  cache_write_tokens?: number;
  reasoning_tokens?: number;
}

interface Row {
  p: string;
  i: number;
  o: number;
  cr?: number;
  cw?: number;
  r?: number;
}

// Loaded on first use: the table is generated from shared/data/model_prices.json by scripts/gen-pricing.ts.
let table: Record<string, Row> | undefined;
function rows(): Record<string, Row> {
  table ??= (JSON.parse(readFileSync(new URL('./prices.json', import.meta.url), 'utf8')) as { models: Record<string, Row> }).models;
  return table;
}

/** Price of a model named bare (`gpt-4o-mini`) or with its provider (`openai/gpt-4o-mini`); overrides win. */
export function priceOf(model: string, overrides: Record<string, ModelPrice> = {}): ModelPrice | undefined {
  const candidates = [model];
  const slash = model.indexOf('/');
  if (slash > 0) candidates.push(model.slice(slash + 1));
  for (const name of candidates) {
    const o = overrides[name];
    if (o) return o;
    const r = rows()[name];
    if (r) return { provider: r.p, input: r.i, output: r.o, cachedInput: r.cr, cacheWrite: r.cw, reasoning: r.r };
  }
  return undefined;
}

/**
 * Cost in USD of one call, or null when the model has no known price. Cached input tokens are part
 * of input_tokens and are charged at the cached rate; reasoning tokens are part of output_tokens.
 */
export function costOf(model: string, usage: Usage, overrides: Record<string, ModelPrice> = {}): number | null {
  const p = priceOf(model, overrides);
  if (!p) return null;
  const cached = Math.min(usage.cached_input_tokens ?? 0, usage.input_tokens);
  const reasoning = Math.min(usage.reasoning_tokens ?? 0, usage.output_tokens);
  const cost =
    (usage.input_tokens - cached) * p.input +
    cached * (p.cachedInput ?? p.input) +
    (usage.cache_write_tokens ?? 0) * (p.cacheWrite ?? p.input) +
    (usage.output_tokens - reasoning) * p.output +
    reasoning * (p.reasoning ?? p.output);
  return Math.round(cost * 1e10) / 1e10;
}

/** Models the table prices for one provider (its `litellm_provider`), named as that provider knows them. */
export function pricedModels(provider: string): string[] {
  const prefix = `${provider}/`;
  return Object.entries(rows())
    .filter(([, r]) => r.p === provider)
    .map(([name]) => (name.startsWith(prefix) ? name.slice(prefix.length) : name));
}
