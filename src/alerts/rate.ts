import type { AlertConfig } from '../core/index.js';
import type { RateStats } from '../storage/index.js';
import { fmtPct, roundRate, severityOf, type AlertRule, type Firing, type RuleContext, type Trigger } from './contract.js';
import { verdict, wilson } from './stats.js';

/** What distinguishes one rate rule from another; the statistics are shared. */
export interface RateRuleSpec {
  type: string;
  description: string;
  on: ReadonlyArray<Trigger['kind']>;
  enabled(config: AlertConfig): boolean;
  threshold(config: AlertConfig): number;
  /** Successes (k) among samples (n) in [from, to), counted by trace time. */
  read(ctx: RuleContext, from: Date, to: Date): Promise<RateStats>;
  label: string;
  /** "6 of 6 evaluated traces …": what k and n are. */
  explain(s: RateStats, config: AlertConfig): string;
  link: string;
}

/**
 * A rate rule: fires when the lower bound of the Wilson interval (at `confidence`) is above the
 * threshold; holds while open until the rate falls to threshold × (1 − resolve_hysteresis).
 * `min_samples` is an optional extra floor for firing (default 1: the interval decides).
 */
export function rateRule(spec: RateRuleSpec): AlertRule {
  return {
    type: spec.type,
    description: spec.description,
    on: spec.on,
    enabled: spec.enabled,
    async evaluate(ctx) {
      const { config, now } = ctx;
      const s = await spec.read(ctx, new Date(now.getTime() - config.window_minutes * 60_000), now);
      const threshold = spec.threshold(config);
      const value = s.n ? roundRate(s.k / s.n) : null;
      const ci = wilson(s.k, s.n, config.confidence);
      const v = verdict({ evidence: ci.lower, value, threshold, hysteresis: config.resolve_hysteresis, isOpen: ctx.open.has(spec.type), enough: s.n >= config.min_samples });
      const shown = value ?? 0;
      const reading: Firing = {
        key: spec.type,
        severity: severityOf(config, spec.type, 'critical'),
        title: `${spec.label} ${fmtPct(shown)} over the last ${config.window_minutes} min`,
        message: `${spec.explain(s, config)}: ${fmtPct(shown)} (threshold ${fmtPct(threshold)}; ${Math.round(config.confidence * 100)}% interval ${fmtPct(ci.lower)}–${fmtPct(ci.upper)}).`,
        details: {
          value: shown, threshold, samples: s.n, count: s.k, lower_bound: roundRate(ci.lower), upper_bound: roundRate(ci.upper),
          confidence: config.confidence, window_minutes: config.window_minutes, link: ctx.link(spec.link),
        },
      };
      return v === 'clear' ? { firing: [], settles: true, readings: [reading] } : { firing: [reading], settles: true };
    },
  };
}
