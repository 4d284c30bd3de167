import { fmtUsd, roundUsd, severityOf, type AlertRule, type Firing } from '../contract.js';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? 0 : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Spend in the last hour against the median of the same hour on the previous 7 days. The median
 * ignores one odd day; the floor (cost_spike_min_usd) keeps a quiet history from turning cents
 * into spikes.
 */
export const costSpike: AlertRule = {
  type: 'cost_spike',
  description: 'Last hour’s spend above cost_spike_factor × the median of the same hour on the previous 7 days (floored at cost_spike_min_usd)',
  on: ['traces'],
  enabled: (c) => c.cost_spike_alerts_enabled,
  async evaluate({ projectId, config, now, stats, link }) {
    const [spent = 0, ...history] = await stats.hourlySpendSeries(projectId, now, 7);
    const baseline = median(history);
    const bar = config.cost_spike_factor * Math.max(baseline, config.cost_spike_min_usd);
    const current = roundUsd(spent);
    const reading: Firing = {
      key: 'cost_spike',
      severity: severityOf(config, 'cost_spike', 'warning'),
      title: `Cost spike: ${fmtUsd(current)} in the last hour`,
      message: `Spend in the last hour is ${fmtUsd(current)}, ${baseline > 0 ? `${(spent / baseline).toFixed(1)}× the usual ${fmtUsd(baseline)}` : 'with no spend at this hour on previous days'} (alert above ${fmtUsd(bar)}).`,
      details: { value: current, threshold: bar, baseline, history, factor: config.cost_spike_factor, link: link('/costs') },
    };
    return spent <= bar ? { firing: [], settles: true, readings: [reading] } : { firing: [reading], settles: true };
  },
};
