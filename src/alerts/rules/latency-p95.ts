import { severityOf, type AlertRule, type Firing } from '../contract.js';
import { verdict } from '../stats.js';

/**
 * p95 latency over the window exceeds the threshold (exact percentile over the window's traces).
 * The p95 is rounded to a whole millisecond once; title, message and details.value all show it.
 */
export const latencyP95: AlertRule = {
  type: 'latency_p95',
  description: 'p95 of trace latency over window_minutes above latency_p95_threshold_ms',
  on: ['traces'],
  enabled: (c) => c.latency_alerts_enabled,
  async evaluate({ projectId, config, now, stats, link, open }) {
    const s = await stats.latencyP95(projectId, new Date(now.getTime() - config.window_minutes * 60_000), now);
    const value = s.value === null ? null : Math.round(s.value);
    const threshold = config.latency_p95_threshold_ms;
    const v = verdict({ evidence: s.value ?? 0, value, threshold, hysteresis: config.resolve_hysteresis, isOpen: open.has('latency_p95'), enough: s.n >= config.min_samples });
    const reading: Firing = {
      key: 'latency_p95',
      severity: severityOf(config, 'latency_p95', 'warning'),
      title: `p95 latency ${value ?? 0} ms over the last ${config.window_minutes} min`,
      message: `p95 latency of ${s.n} traces is ${value ?? 0} ms (threshold ${threshold} ms).`,
      details: { value, threshold, samples: s.n, window_minutes: config.window_minutes, link: link('/traces?sort=-latency_ms') },
    };
    return v === 'clear' ? { firing: [], settles: true, readings: [reading] } : { firing: [reading], settles: true };
  },
};
