import { fmtPct, severityOf, type AlertRule } from '../contract.js';

/** The share of hallucinated traces over the window exceeds the threshold. */
export const hallucinationRate: AlertRule = {
  type: 'hallucination_rate',
  description: 'Share of evaluated traces with faithfulness below hallucination_threshold, over window_minutes',
  on: ['evaluations'],
  enabled: (c) => c.hallucination_alerts_enabled,
  async evaluate({ projectId, config, now, stats, link }) {
    const from = new Date(now.getTime() - config.window_minutes * 60_000);
    const s = await stats.hallucinationRate(projectId, from, config.hallucination_threshold);
    const rate = s.value ?? 0;
    if (s.n < config.min_samples || rate <= config.hallucination_rate_threshold) return { firing: [], settles: true };
    return {
      settles: true,
      firing: [
        {
          key: 'hallucination_rate',
          severity: severityOf(config, 'hallucination_rate', 'critical'),
          title: `Hallucination rate ${fmtPct(rate)} over the last ${config.window_minutes} min`,
          message: `${Math.round(rate * s.n)} of ${s.n} evaluated traces scored faithfulness below ${config.hallucination_threshold} (threshold rate ${fmtPct(config.hallucination_rate_threshold)}).`,
          details: { value: rate, threshold: config.hallucination_rate_threshold, samples: s.n, window_minutes: config.window_minutes, link: link('/traces?label=hallucinated') },
        },
      ],
    };
  },
};
