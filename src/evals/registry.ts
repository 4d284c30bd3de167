import type { Metric } from './contract.js';
import { answerRelevancy } from './metrics/answer-relevancy.js';
import { contextPrecision, contextRecall } from './metrics/context.js';
import { faithfulness } from './metrics/faithfulness.js';
import { hallucination } from './metrics/hallucination.js';
import { pii } from './metrics/pii.js';
import { tokenOverlap } from './metrics/token-overlap.js';
import { toxicity } from './metrics/toxicity.js';

/** The built-in metrics. Adding one: a file in metrics/, a line here, its test (docs/evaluations.md). */
export const builtinMetrics = {
  faithfulness,
  hallucination,
  token_overlap: tokenOverlap,
  answer_relevancy: answerRelevancy,
  context_precision: contextPrecision,
  context_recall: contextRecall,
  pii,
  toxicity,
} satisfies Record<string, Metric>;

export type BuiltinMetricName = keyof typeof builtinMetrics;

/** A registry: built-ins plus metrics loaded from modules at start-up (`AETHER_CUSTOM_METRICS`). */
export type MetricRegistry = ReadonlyMap<string, Metric>;

/** Check that a loaded module export satisfies the Metric contract. */
export function isMetric(x: unknown): x is Metric {
  const m = x as Partial<Metric> | null;
  return !!m && typeof m.name === 'string' && /^[a-z][a-z0-9_]{0,62}$/.test(m.name) && typeof m.evaluate === 'function';
}

export function createRegistry(extra: Metric[] = []): MetricRegistry {
  const map = new Map<string, Metric>(Object.entries(builtinMetrics));
  for (const m of extra) {
    if (map.has(m.name)) throw new Error(`metric "${m.name}" is already registered`);
    map.set(m.name, m);
  }
  return map;
}
