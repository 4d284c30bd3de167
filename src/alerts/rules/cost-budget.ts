import { alertConfigBudgets, budgetCovers, periodBounds, type AlertConfig, type BudgetSpec } from '../../core/index.js';
import { fmtUsd, roundUsd, severityOf, type AlertRule, type Firing, type RuleContext } from '../contract.js';

const SPAN = { daily: 'today', weekly: 'this week', monthly: 'this month' } as const;
const BY = { model: 'model', user: 'user_id' } as const;

/** The incident key's scope and the label of one budget (and one user/model for per-each budgets). */
function named(b: BudgetSpec, key: string | null): { scope: string; label: string } {
  if (b.source === 'alert_config') {
    // The alert config's budgets keep the keys and wording they always had.
    if (b.scope === 'project') return { scope: 'project', label: 'The project' };
    return { scope: `${BY[b.scope]}=${key}`, label: `${b.scope === 'user' ? 'User' : 'Model'} ${key}` };
  }
  const scope = b.source === 'gateway_config' ? 'gateway' : `budget=${b.id}`;
  const who = b.scope_value === null && key !== null ? `${b.scope} ${key}` : budgetCovers(b);
  return { scope: key !== null && b.scope_value === null ? `${scope}:${key}` : scope, label: `Budget "${b.name}" (${who}, ${b.action === 'downgrade' ? `downgrades to ${b.downgrade_model}` : b.action})` };
}

/** Both levels of one budget in its period, with whether each is reached. */
function levels(config: AlertConfig, b: BudgetSpec, key: string | null, day: string, usd: number): Array<Firing & { reached: boolean }> {
  const out: Array<Firing & { reached: boolean }> = [];
  if (b.amount_usd <= 0) return out;
  const budget = b.amount_usd;
  const spent = roundUsd(usd);
  const { scope, label } = named(b, key);
  const when = b.period === 'daily' ? `today (UTC ${day})` : `${SPAN[b.period]} (UTC, since ${day})`;
  // Reaching the budget counts: spend ≥ 80% warns, ≥ 100% is critical. Both keys carry the period's
  // first day, so each period's crossing is one incident and the last one's alerts resolve when it ends.
  for (const [pct, sev] of [[0.8, 'warning'], [1, 'critical']] as const) {
    out.push({
      reached: usd >= budget * pct,
      key: `cost_budget:${scope}:${day}:${pct * 100}`,
      severity: severityOf(config, 'cost_budget', sev),
      title: `${label} spend at ${Math.round((spent / budget) * 100)}% of its ${b.period} budget`,
      message: `${label} has spent ${fmtUsd(spent)} of ${fmtUsd(budget)} ${when}.`,
      details: {
        value: spent, threshold: budget * pct, budget, percent_used: spent / budget, day, scope, period: b.period, action: b.action,
        ...(b.source === 'alert_config' ? {} : { budget_id: b.id, budget_name: b.name }),
      },
    });
  }
  return out;
}

/** Spend of a budget in its period: one row, or one per user/model for budgets that apply to each. */
async function spendOf(ctx: RuleContext, b: BudgetSpec, from: Date, to: Date): Promise<Array<{ key: string | null; usd: number }>> {
  if (b.scope === 'project') return [{ key: null, usd: (await ctx.stats.spend(ctx.projectId, from, to))[0]?.usd ?? 0 }];
  if (b.scope_value === null) return (await ctx.stats.spend(ctx.projectId, from, to, BY[b.scope])).map((r) => ({ key: r.key, usd: r.usd }));
  const [row] = await ctx.stats.spend(ctx.projectId, from, to, BY[b.scope], b.scope_value);
  return [{ key: null, usd: row?.usd ?? 0 }];
}

/** Every budget of the one budgets model (whatever its action) and the alert config's daily budgets. */
export const costBudget: AlertRule = {
  type: 'cost_budget',
  description: 'A budget’s spend in its period (UTC) reaches 80% (warning) and 100% (critical): every budget (block, downgrade or alert) and the alert config’s daily budgets',
  on: ['traces'],
  enabled: () => true,
  async evaluate(ctx) {
    const { config, now, link } = ctx;
    const all: Array<Firing & { reached: boolean }> = [];
    for (const b of [...alertConfigBudgets(config), ...((await ctx.budgets?.()) ?? [])]) {
      const { start, end } = periodBounds(b.period, now);
      const day = start.toISOString().slice(0, 10);
      for (const row of await spendOf(ctx, b, start, end)) all.push(...levels(config, b, row.key, day, row.usd));
    }
    const strip = ({ reached: _r, ...f }: Firing & { reached: boolean }): Firing => ({ ...f, details: { ...f.details, link: link('/costs') } });
    return { firing: all.filter((f) => f.reached).map(strip), readings: all.filter((f) => !f.reached).map(strip), settles: true };
  },
};
