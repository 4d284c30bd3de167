import { periodBounds, type BudgetSpec } from '../core/budgets.js';
import type { Budget, Store } from '../storage/index.js';
import { aggregate } from './metrics.js';
import { forecastDaily, type Forecast } from './forecast.js';
import { GRAINS, segments } from './window.js';

const DAY = 86_400_000;
const dimOf = { project: 'all', model: 'model', user: 'user' } as const;

export { periodBounds };

/** Budgets, forecasts and cost recommendations, read from rollups. */
export function createCosts(store: Pick<Store, 'rollups' | 'costInsights'>) {
  async function spend(projectId: string, scope: BudgetSpec['scope'], value: string | null, from: Date, to: Date): Promise<number> {
    const dim = dimOf[scope];
    const segs = segments(from, to, GRAINS[dim]);
    const llm = aggregate(await store.rollups.traces(projectId, dim, segs, dim === 'all' ? '' : (value ?? ''))).cost_usd;
    // A project's spend is its apps' calls plus evaluation (the judge's calls, which the trace
    // rollups leave out); evaluations have no model or user of their own.
    return scope === 'project' ? llm + (await store.rollups.evaluationCost(projectId, segs)) : llm;
  }

  async function dailyHistory(projectId: string, days: number, now: Date): Promise<Array<{ date: string; cost: number }>> {
    const today = Math.floor(now.getTime() / DAY) * DAY;
    const from = new Date(today - days * DAY);
    const rows = await store.rollups.traces(projectId, 'all', [{ grain: 'day', from, to: new Date(today) }]);
    const byDay = new Map<string, number>();
    for (const r of rows) {
      const k = r.bucket.toISOString().slice(0, 10);
      byDay.set(k, (byDay.get(k) ?? 0) + r.cost_usd);
    }
    const out: Array<{ date: string; cost: number }> = [];
    let started = false;
    for (let t = from.getTime(); t < today; t += DAY) {
      const k = new Date(t).toISOString().slice(0, 10);
      const c = byDay.get(k) ?? 0;
      started ||= c > 0; // history starts on the first day with spend
      if (started) out.push({ date: k, cost: c });
    }
    return out;
  }

  return {
    /** Spend of a budget with a scope value (or of a project) in [from, to), from the rollups the dashboard reads. */
    spent: (projectId: string, b: Pick<BudgetSpec, 'scope' | 'scope_value'>, from: Date, to: Date) => spend(projectId, b.scope, b.scope_value, from, to),

    async budgetStatus(b: Budget, now = new Date()) {
      const { start, end } = periodBounds(b.period, now);
      const spent = await spend(b.project_id, b.scope, b.scope_value, start, now);
      const elapsed = Math.max(1, now.getTime() - start.getTime());
      const projected = spent * ((end.getTime() - start.getTime()) / elapsed);
      return {
        budget: { ...b, created_at: b.created_at.toISOString() },
        period_start: start.toISOString(),
        period_end: end.toISOString(),
        spent_usd: spent,
        remaining_usd: Math.max(0, b.amount_usd - spent),
        percent_used: b.amount_usd > 0 ? spent / b.amount_usd : null,
        projected_usd: projected,
        projected_over: projected > b.amount_usd,
        projection: 'linear in elapsed time of the period',
      };
    },

    async forecast(projectId: string, horizon: number, now = new Date()): Promise<Forecast> {
      return forecastDaily(await dailyHistory(projectId, 56, now), horizon);
    },

    /** Recommendations drawn from the data: a cheaper model of similar faithfulness, a response cache. */
    async recommendations(projectId: string, now = new Date()) {
      const from = new Date(now.getTime() - 7 * DAY);
      const [byModel, quality, repeated] = await Promise.all([
        store.rollups.traces(projectId, 'model', segments(from, now, GRAINS.model)),
        store.costInsights.modelQuality(projectId, from),
        store.costInsights.repeatedRequests(projectId, from),
      ]);
      const models = new Map<string, { traces: number; cost: number }>();
      for (const r of byModel) {
        const m = models.get(r.key) ?? { traces: 0, cost: 0 };
        m.traces += r.n;
        m.cost += r.cost_usd;
        models.set(r.key, m);
      }
      const q = new Map(quality.map((x) => [x.model, x]));
      const recs: Array<{ kind: string; message: string; estimated_savings_usd: number; evidence: Record<string, unknown> }> = [];
      for (const [a, ma] of models) {
        const qa = q.get(a);
        if (!qa || qa.evaluated < 20 || ma.traces === 0) continue;
        const cpa = ma.cost / ma.traces;
        for (const [b, mb] of models) {
          const qb = q.get(b);
          if (a === b || !qb || qb.evaluated < 20 || mb.traces === 0) continue;
          const cpb = mb.cost / mb.traces;
          if (cpb < 0.7 * cpa && qb.faithfulness >= qa.faithfulness - 0.05) {
            recs.push({
              kind: 'cheaper_model',
              message: `${b} costs ${((1 - cpb / cpa) * 100).toFixed(0)}% less per request than ${a} with similar faithfulness (${qb.faithfulness.toFixed(2)} vs ${qa.faithfulness.toFixed(2)}) on this project`,
              estimated_savings_usd: ma.traces * (cpa - cpb),
              evidence: { from: a, to: b, cost_per_request: { [a]: cpa, [b]: cpb }, faithfulness: { [a]: qa.faithfulness, [b]: qb.faithfulness }, evaluated: { [a]: qa.evaluated, [b]: qb.evaluated } },
            });
          }
        }
      }
      if (repeated.repeats > 0) {
        recs.push({
          kind: 'response_cache',
          message: `${repeated.repeats} requests in the last 7 days repeated an earlier identical query to the same model; a response cache would have absorbed them`,
          estimated_savings_usd: repeated.cost_usd,
          evidence: repeated,
        });
      }
      return { window_days: 7, recommendations: recs.sort((x, y) => y.estimated_savings_usd - x.estimated_savings_usd) };
    },
  };
}

export type Costs = ReturnType<typeof createCosts>;
