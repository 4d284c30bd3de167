// The one pricing function: every path that records usage (REST, batch, OTLP, Langfuse import,
// gateway, judge) prices it here, so one call costs the same however it reached Aether.
// Conventions and name normalisation: docs/pricing.md.
import { canonicalName, datedSnapshot, exactSpellings, latestFamily } from './names.js';
import { allRows, canonicalNamesStartingWith, exactRow, keyForCanonical, type ModelPrice } from './table.js';

export type { ModelPrice };
export { canonicalName };
export { fromAnthropicUsage, fromOpenAIUsage } from './usage.js';

/**
 * Token usage of one call, in one convention (OpenAI's and OpenTelemetry GenAI's): `input` counts
 * every prompt token, including `cached_read`, `cached_write` and `audio_in`; `output` counts every
 * completion token, including `reasoning` and `audio_out`. Formats that count otherwise (Anthropic's
 * `input_tokens` leaves cache reads and writes out) are converted first (usage.ts), so no token is
 * charged twice.
 */
export interface TokenUsage {
  input: number;
  output: number;
  cached_read?: number | undefined;
  cached_write?: number | undefined;
  reasoning?: number | undefined;
  audio_in?: number | undefined;
  audio_out?: number | undefined;
}

export type CostSource = 'client' | 'computed' | 'unpriced';
export type PriceResult = { cost_usd: number; source: 'computed'; priced_as: string } | { source: 'unpriced' };

/** Per-project prices keyed by model name; they win over the bundled table. */
export type PriceOverrides = Record<string, ModelPrice>;

const memo = new Map<string, string | null>();

function tableKey(model: string, provider: string | undefined): string | undefined {
  const k = `${provider ?? ''}\u0000${model}`;
  const hit = memo.get(k);
  if (hit !== undefined) return hit ?? undefined;
  const found = lookup(model, provider);
  if (memo.size > 10_000) memo.clear();
  memo.set(k, found ?? null);
  return found;
}

function newestSnapshot(family: string): { key: string; rank: number } | undefined {
  let newest: { name: string; date: number } | undefined;
  for (const c of canonicalNamesStartingWith(`${family}-`)) {
    const d = datedSnapshot(c);
    if (d?.family === family && (!newest || d.date > newest.date)) newest = { name: c, date: d.date };
  }
  return newest ? keyForCanonical(newest.name) : undefined;
}

function lookup(model: string, provider: string | undefined): string | undefined {
  for (const s of exactSpellings(model, provider)) if (exactRow(s)) return s;
  const canon = canonicalName(model);
  // `-latest` is an alias of the newest dated snapshot of its family.
  const family = latestFamily(canon);
  if (family) return (newestSnapshot(family) ?? keyForCanonical(canon) ?? keyForCanonical(family))?.key;
  const direct = keyForCanonical(canon);
  const snap = datedSnapshot(canon);
  if (snap) return (direct ?? keyForCanonical(snap.family))?.key;
  // An undated name (`claude-sonnet-4`) priced only by a reseller row: its newest first-party snapshot is better.
  if (direct && direct.rank <= 2) return direct.key;
  const newest = newestSnapshot(canon);
  return (newest && newest.rank <= 2 ? newest : direct)?.key;
}

/** The price of a model (overrides first, then the bundled table), and the name it was priced as. */
export function resolvePrice(model: string, provider?: string, overrides: PriceOverrides = {}): { price: ModelPrice; priced_as: string } | undefined {
  for (const s of [...exactSpellings(model, provider), canonicalName(model)]) {
    const o = Object.hasOwn(overrides, s) ? overrides[s] : undefined;
    if (o) return { price: o, priced_as: s };
  }
  const key = tableKey(model, provider);
  const price = key ? exactRow(key) : undefined;
  return key && price ? { price, priced_as: key } : undefined;
}

/** Cost of one call's usage at a price, in USD (rounded to 1e-10 so sums stay stable). */
export function costAt(p: ModelPrice, u: TokenUsage): number {
  const input = Math.max(0, u.input);
  const output = Math.max(0, u.output);
  const read = Math.min(Math.max(0, u.cached_read ?? 0), input);
  const write = Math.min(Math.max(0, u.cached_write ?? 0), input - read);
  const audioIn = Math.min(Math.max(0, u.audio_in ?? 0), input - read - write);
  const reasoning = Math.min(Math.max(0, u.reasoning ?? 0), output);
  const audioOut = Math.min(Math.max(0, u.audio_out ?? 0), output - reasoning);
  const cost =
    (input - read - write - audioIn) * p.input +
    read * (p.cachedInput ?? p.input) +
    write * (p.cacheWrite ?? p.input) +
    audioIn * (p.audioInput ?? p.input) +
    (output - reasoning - audioOut) * p.output +
    reasoning * (p.reasoning ?? p.output) +
    audioOut * (p.audioOutput ?? p.output);
  return Math.round(cost * 1e10) / 1e10;
}

/** Price one call: `computed` with its cost, or `unpriced` when no price is known for the model. */
export function priceUsage(call: { model: string; provider?: string | undefined; usage: TokenUsage }, overrides: PriceOverrides = {}): PriceResult {
  const r = resolvePrice(call.model, call.provider, overrides);
  return r ? { cost_usd: costAt(r.price, call.usage), source: 'computed', priced_as: r.priced_as } : { source: 'unpriced' };
}

/** Cost of the first model in `models` that has a price, or null (for callers that only need the number). */
export function costOf(models: Array<string | undefined>, usage: TokenUsage, overrides: PriceOverrides = {}, provider?: string): number | null {
  for (const m of models) {
    if (!m) continue;
    const r = priceUsage({ model: m, provider, usage }, overrides);
    if (r.source === 'computed') return r.cost_usd;
  }
  return null;
}

/** Models the table prices for one provider (its `litellm_provider`), named as that provider knows them. */
export function pricedModels(provider: string): string[] {
  const prefix = `${provider}/`;
  return Object.entries(allRows())
    .filter(([, r]) => r.p === provider)
    .map(([name]) => (name.startsWith(prefix) ? name.slice(prefix.length) : name));
}
