import type { AlertRule } from '../contract.js';
import { costBudget } from './cost-budget.js';
import { costSpike } from './cost-spike.js';
import { errorRate } from './error-rate.js';
import { hallucinationRate } from './hallucination-rate.js';
import { hallucinationTrace } from './hallucination-trace.js';
import { latencyP95 } from './latency-p95.js';

/** The alert rules. Adding one: a file here, a line below, its test (docs/alerts.md). */
export const rules = {
  hallucination_rate: hallucinationRate,
  hallucination: hallucinationTrace,
  cost_budget: costBudget,
  cost_spike: costSpike,
  latency_p95: latencyP95,
  error_rate: errorRate,
} satisfies Record<string, AlertRule>;

export type RuleName = keyof typeof rules;
