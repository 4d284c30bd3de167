import { fmtPct, severityOf, type AlertRule } from '../contract.js';

/** The share of failed traces over the window exceeds the threshold. */
export const errorRate: AlertRule = {
  type: 'error_rate',
  description: 'Share of traces with status error over window_minutes above error_rate_threshold',
  on: ['traces'],
  enabled: (c) => c.error_rate_alerts_enabled,
  async evaluate({ projectId, config, now, stats, link }) {
    const s = await stats.errorRate(projectId, new Date(now.getTime() - config.window_minutes * 60_000));
    const rate = s.value ?? 0;
    if (s.n < config.min_samples || rate <= config.error_rate_threshold) return { firing: [], settles: true };
    return {
      settles: true,
      firing: [
        {
          key: 'error_rate',
          severity: severityOf(config, 'error_rate', 'critical'),
          title: `Error rate ${fmtPct(rate)} over the last ${config.window_minutes} min`,
          message: `${Math.round(rate * s.n)} of ${s.n} traces failed (threshold ${fmtPct(config.error_rate_threshold)}).`,
          details: { value: rate, threshold: config.error_rate_threshold, samples: s.n, window_minutes: config.window_minutes, link: link('/traces?status=error') },
        },
      ],
    };
  },
};
