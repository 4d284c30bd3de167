import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alertConfigSchema } from '../../core/index.js';
import type { StatsRepo, WindowStats } from '../../storage/index.js';
import type { RuleContext } from '../contract.js';
import { rules } from './index.js';

function ctx(over: Partial<{ config: Record<string, unknown>; stats: Partial<StatsRepo>; now: Date }> = {}): RuleContext {
  const none: WindowStats = { n: 0, value: null };
  const stats: StatsRepo = {
    hallucinationRate: async () => none,
    latencyP95: async () => none,
    errorRate: async () => none,
    spend: async () => [],
    hourlySpendSeries: async () => [0, 0, 0, 0, 0, 0, 0, 0],
    ...over.stats,
  };
  return {
    projectId: 'p',
    config: alertConfigSchema.parse({ min_samples: 10, ...over.config }),
    now: over.now ?? new Date('2026-05-05T12:00:00Z'),
    stats,
    trigger: { kind: 'schedule' },
    link: (p) => `http://x${p}`,
  };
}

const stat = (n: number, value: number | null) => async () => ({ n, value });

describe('alert rules at their boundaries', () => {
  it('hallucination rate: fires above the threshold only, with enough samples', async () => {
    const r = rules.hallucination_rate;
    assert.equal((await r.evaluate(ctx({ stats: { hallucinationRate: stat(100, 0.1) } }))).firing.length, 0, 'exactly at threshold does not fire');
    assert.equal((await r.evaluate(ctx({ stats: { hallucinationRate: stat(100, 0.11) } }))).firing.length, 1);
    assert.equal((await r.evaluate(ctx({ stats: { hallucinationRate: stat(9, 1) } }))).firing.length, 0, 'below the minimum sample');
    const empty = await r.evaluate(ctx());
    assert.deepEqual(empty, { firing: [], settles: true }, 'an empty window clears');
    const f = (await r.evaluate(ctx({ stats: { hallucinationRate: stat(20, 0.5) } }))).firing[0]!;
    assert.equal(f.details.value, 0.5);
    assert.equal(f.details.samples, 20);
    assert.match(f.title, /50\.0%/);
  });

  it('latency p95 and error rate: strictly above the threshold', async () => {
    assert.equal((await rules.latency_p95.evaluate(ctx({ stats: { latencyP95: stat(50, 3000) } }))).firing.length, 0);
    assert.equal((await rules.latency_p95.evaluate(ctx({ stats: { latencyP95: stat(50, 3000.5) } }))).firing.length, 1);
    assert.equal((await rules.error_rate.evaluate(ctx({ stats: { errorRate: stat(100, 0.05) } }))).firing.length, 0);
    assert.equal((await rules.error_rate.evaluate(ctx({ stats: { errorRate: stat(100, 0.06) } }))).firing.length, 1);
  });

  it('daily budget: 80% warns, 100% is critical, keyed by the UTC day', async () => {
    const spend = (usd: number) => async () => [{ key: null, usd, n: 1 }];
    const c = { daily_cost_budget_usd: 10 };
    assert.equal((await rules.cost_budget.evaluate(ctx({ config: c, stats: { spend: spend(7.99) } }))).firing.length, 0);
    const warn = (await rules.cost_budget.evaluate(ctx({ config: c, stats: { spend: spend(8) } }))).firing;
    assert.deepEqual(warn.map((f) => [f.severity, f.key]), [['warning', 'cost_budget:project:2026-05-05:80']]);
    const both = (await rules.cost_budget.evaluate(ctx({ config: c, stats: { spend: spend(10) } }))).firing;
    assert.deepEqual(both.map((f) => f.severity), ['warning', 'critical']);
    const lateNight = await rules.cost_budget.evaluate(ctx({ config: c, now: new Date('2026-05-05T23:59:59.999Z'), stats: { spend: spend(10) } }));
    const nextDay = await rules.cost_budget.evaluate(ctx({ config: c, now: new Date('2026-05-06T00:00:00Z'), stats: { spend: spend(10) } }));
    assert.match(lateNight.firing[0]!.key, /2026-05-05/);
    assert.match(nextDay.firing[0]!.key, /2026-05-06/, 'a new UTC day is a new incident');
  });

  it('daily budget per user names the user', async () => {
    const f = (await rules.cost_budget.evaluate(ctx({ config: { daily_cost_budget_per_user_usd: 1 }, stats: { spend: async (_p, _f, _t, by) => (by === 'user_id' ? [{ key: 'alice', usd: 1.5, n: 3 }, { key: 'bob', usd: 0.1, n: 1 }] : []) } }))).firing;
    assert.deepEqual(f.map((x) => x.key), ['cost_budget:user_id=alice:2026-05-05:80', 'cost_budget:user_id=alice:2026-05-05:100']);
  });

  it('cost spike: against the median of the same hour on previous days, floored for quiet history', async () => {
    const series = (xs: number[]) => async () => xs;
    const spike = (xs: number[]) => rules.cost_spike.evaluate(ctx({ config: { cost_spike_factor: 3, cost_spike_min_usd: 1 }, stats: { hourlySpendSeries: series(xs) } }));
    assert.equal((await spike([2.9, 0, 0, 0, 0, 0, 0, 0])).firing.length, 0, 'quiet history: the $1 floor keeps $2.90 from being a spike');
    assert.equal((await spike([3.1, 0, 0, 0, 0, 0, 0, 0])).firing.length, 1);
    assert.equal((await spike([12, 4, 4, 4, 40, 4, 4, 4])).firing.length, 0, 'one odd day does not move the median: 12 = 3 × 4');
    assert.equal((await spike([12.5, 4, 4, 4, 40, 4, 4, 4])).firing.length, 1);
  });
});
