import { rateRule } from '../rate.js';

/** The share of hallucinated traces in the window is, with confidence, above the threshold. */
export const hallucinationRate = rateRule({
  type: 'hallucination_rate',
  description: 'Share of evaluated traces (by trace time) with faithfulness below hallucination_threshold over window_minutes; fires when its Wilson lower bound is above hallucination_rate_threshold',
  on: ['evaluations'],
  enabled: (c) => c.hallucination_alerts_enabled,
  threshold: (c) => c.hallucination_rate_threshold,
  read: ({ stats, projectId, config }, from, to) => stats.hallucinationRate(projectId, from, to, config.hallucination_threshold),
  label: 'Hallucination rate',
  explain: (s, c) => `${s.k} of ${s.n} evaluated traces scored faithfulness below ${c.hallucination_threshold}`,
  link: '/traces?label=hallucinated',
});
