// The models `auto` chooses among: the project's routing pool (router settings `models`), else every
// priced model the project can reach through the gateway; each priced from the one price table.
import { resolvePrice, type ModelPrice } from '../core/index.js';
import type { Candidate } from './controller.js';

/** USD per token of a model (`endpoint/model` also tries `model` at that provider), or null. */
export function priceOf(model: string, overrides: Record<string, ModelPrice>): { input: number; output: number } | null {
  const slash = model.indexOf('/');
  const r = resolvePrice(model, undefined, overrides) ?? (slash > 0 ? resolvePrice(model.slice(slash + 1), model.slice(0, slash), overrides) : undefined);
  return r ? { input: r.price.input, output: r.price.output } : null;
}

// Per price overrides object and pool array, the candidates priced from them: both are replaced,
// not changed, when prices or settings change, so a routed request does not price its pool again.
const priced = new WeakMap<object, WeakMap<object, readonly Candidate[]>>();

/**
 * Priced candidates from model names; unpriced ones are left out (their cost cannot be predicted).
 * The answer is shared between calls with the same pool and overrides objects (it is frozen).
 */
export function pricedCandidates(models: Iterable<string>, overrides: Record<string, ModelPrice>): readonly Candidate[] {
  const hit = priced.get(overrides)?.get(models);
  if (hit) return hit;
  const out: Candidate[] = [];
  for (const model of models) {
    const p = priceOf(model, overrides);
    if (p) out.push({ model, inputPerToken: p.input, outputPerToken: p.output });
  }
  const frozen = Object.freeze(out);
  let byPool = priced.get(overrides);
  if (!byPool) priced.set(overrides, (byPool = new WeakMap()));
  byPool.set(models, frozen);
  return frozen;
}
