import { severityOf, type AlertRule } from '../contract.js';

/** p95 latency over the window exceeds the threshold (exact percentile over the window's traces). */
export const latencyP95: AlertRule = {
  type: 'latency_p95',
  description: 'p95 of trace latency over window_minutes above latency_p95_threshold_ms',
  on: ['traces'],
  enabled: (c) => c.latency_alerts_enabled,
  async evaluate({ projectId, config, now, stats, link }) {
    const s = await stats.latencyP95(projectId, new Date(now.getTime() - config.window_minutes * 60_000));
    if (s.n < config.min_samples || s.value === null || s.value <= config.latency_p95_threshold_ms) return { firing: [], settles: true };
    return {
      settles: true,
      firing: [
        {
          key: 'latency_p95',
          severity: severityOf(config, 'latency_p95', 'warning'),
          title: `p95 latency ${Math.round(s.value)} ms over the last ${config.window_minutes} min`,
          message: `p95 latency of ${s.n} traces is ${Math.round(s.value)} ms, above the threshold of ${config.latency_p95_threshold_ms} ms.`,
          details: { value: s.value, threshold: config.latency_p95_threshold_ms, samples: s.n, window_minutes: config.window_minutes, link: link('/traces?sort=-latency_ms') },
        },
      ],
    };
  },
};
