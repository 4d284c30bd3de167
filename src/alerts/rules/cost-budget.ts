import type { AlertConfig } from '../../core/index.js';
import { fmtUsd, roundUsd, severityOf, type AlertRule, type Firing } from '../contract.js';

const startOfUtcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/** Both levels of one budget today, with whether each is reached. */
function levels(config: AlertConfig, scope: string, day: string, usd: number, budget: number, label: string): Array<Firing & { reached: boolean }> {
  const out: Array<Firing & { reached: boolean }> = [];
  if (budget <= 0) return out;
  const spent = roundUsd(usd);
  // Reaching the budget counts: spend ≥ 80% warns, ≥ 100% is critical. Both keys carry the UTC day,
  // so each day's crossing is one incident and yesterday's alerts resolve at midnight UTC.
  for (const [pct, sev] of [[0.8, 'warning'], [1, 'critical']] as const) {
    out.push({
      reached: usd >= budget * pct,
      key: `cost_budget:${scope}:${day}:${pct * 100}`,
      severity: severityOf(config, 'cost_budget', sev),
      title: `${label} spend at ${Math.round((spent / budget) * 100)}% of its daily budget`,
      message: `${label} has spent ${fmtUsd(spent)} of ${fmtUsd(budget)} today (UTC ${day}).`,
      details: { value: spent, threshold: budget * pct, budget, percent_used: spent / budget, day, scope },
    });
  }
  return out;
}

/** Daily cost budgets (UTC days): per project, and optionally per user and per model. */
export const costBudget: AlertRule = {
  type: 'cost_budget',
  description: 'Today’s LLM spend (UTC) reaches 80% (warning) and 100% (critical) of the daily budget; per project, user or model',
  on: ['traces'],
  enabled: (c) => c.daily_cost_budget_usd !== null || c.daily_cost_budget_per_user_usd !== null || c.daily_cost_budget_per_model_usd !== null,
  async evaluate({ projectId, config, now, stats, link }) {
    const from = startOfUtcDay(now);
    const to = new Date(from.getTime() + 86_400_000);
    const day = from.toISOString().slice(0, 10);
    const all: Array<Firing & { reached: boolean }> = [];
    if (config.daily_cost_budget_usd !== null) {
      const [total] = await stats.spend(projectId, from, to);
      all.push(...levels(config, 'project', day, total?.usd ?? 0, config.daily_cost_budget_usd, 'The project'));
    }
    for (const [by, budget, noun] of [
      ['user_id', config.daily_cost_budget_per_user_usd, 'User'],
      ['model', config.daily_cost_budget_per_model_usd, 'Model'],
    ] as const) {
      if (budget === null) continue;
      for (const row of await stats.spend(projectId, from, to, by)) {
        all.push(...levels(config, `${by}=${row.key}`, day, row.usd, budget, `${noun} ${row.key}`));
      }
    }
    const strip = ({ reached: _r, ...f }: Firing & { reached: boolean }): Firing => ({ ...f, details: { ...f.details, link: link('/costs') } });
    return { firing: all.filter((f) => f.reached).map(strip), readings: all.filter((f) => !f.reached).map(strip), settles: true };
  },
};
