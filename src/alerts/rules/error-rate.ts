import { rateRule } from '../rate.js';

/** The share of failed traces in the window is, with confidence, above the threshold. */
export const errorRate = rateRule({
  type: 'error_rate',
  description: 'Share of traces with status error over window_minutes; fires when its Wilson lower bound is above error_rate_threshold',
  on: ['traces'],
  enabled: (c) => c.error_rate_alerts_enabled,
  threshold: (c) => c.error_rate_threshold,
  read: ({ stats, projectId }, from, to) => stats.errorRate(projectId, from, to),
  label: 'Error rate',
  explain: (s) => `${s.k} of ${s.n} traces failed`,
  link: '/traces?status=error',
});
