import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alertConfigSchema } from '../../core/index.js';
import type { StatsRepo, WindowStats } from '../../storage/index.js';
import type { RuleContext } from '../contract.js';
import { rules } from './index.js';

function ctx(over: Partial<{ config: Record<string, unknown>; stats: Partial<StatsRepo>; now: Date; open: string[] }> = {}): RuleContext {
  const none: WindowStats = { n: 0, value: null };
  const stats: StatsRepo = {
    hallucinationRate: async () => ({ n: 0, k: 0 }),
    latencyP95: async () => none,
    errorRate: async () => ({ n: 0, k: 0 }),
    spend: async () => [],
    hourlySpendSeries: async () => [0, 0, 0, 0, 0, 0, 0, 0],
    ...over.stats,
  };
  return {
    projectId: 'p',
    config: alertConfigSchema.parse({ ...over.config }),
    now: over.now ?? new Date('2026-05-05T12:00:00Z'),
    stats,
    trigger: { kind: 'schedule' },
    open: new Set(over.open ?? []),
    link: (p) => `http://x${p}`,
  };
}

const stat = (n: number, value: number | null) => async () => ({ n, value });
const rate = (k: number, n: number) => async () => ({ k, n });
// Both rate rules against a 10% threshold, fed k of n.
const RATE_RULES = [
  ['hallucination_rate', 'hallucinationRate', 'hallucination_rate_threshold'],
  ['error_rate', 'errorRate', 'error_rate_threshold'],
] as const;
const runRate = (name: (typeof RATE_RULES)[number][0], k: number, n: number, config: Record<string, unknown> = {}, open: string[] = []) => {
  const [, statName, field] = RATE_RULES.find((r) => r[0] === name)!;
  return rules[name].evaluate(ctx({ config: { [field]: 0.1, ...config }, stats: { [statName]: rate(k, n) }, open }));
};
/** The percentage a text states, e.g. "5.03%" → 0.0503. */
const pctIn = (text: string) => Math.round(Number(/(\d+(?:\.\d+)?)%/.exec(text)![1]) * 100) / 1e4;

describe('rate rules fire on the lower confidence bound of the rate', () => {
  for (const [name] of RATE_RULES) {
    it(`${name}: 6 of 6 fires, 1 of 20 and 2 of 10 stay quiet, 30% of 1,000 fires (10% threshold)`, async () => {
      assert.equal((await runRate(name, 6, 6)).firing.length, 1, '6 of 6 is a certain burst, however small');
      assert.equal((await runRate(name, 1, 20)).firing.length, 0, '1 of 20 (5%) is noise');
      assert.equal((await runRate(name, 2, 10)).firing.length, 0, '2 of 10 is not yet certainly above 10%');
      assert.equal((await runRate(name, 300, 1000)).firing.length, 1, '30% of 1,000');
      assert.equal((await runRate(name, 110, 1000)).firing.length, 0, '11% of 1,000: the lower bound is still below 10%');
      assert.deepEqual(await runRate(name, 0, 0), { firing: [], settles: true, readings: (await runRate(name, 0, 0)).readings }, 'an empty window clears');
    });
  }

  it('one of one is not a burst; two of two is', async () => {
    assert.equal((await runRate('hallucination_rate', 1, 1)).firing.length, 0);
    assert.equal((await runRate('hallucination_rate', 2, 2)).firing.length, 1);
  });

  it('the confidence is a setting: 4 of 10 is certain at 95% but not at 99.9%', async () => {
    assert.equal((await runRate('hallucination_rate', 4, 10)).firing.length, 1);
    assert.equal((await runRate('hallucination_rate', 4, 10, { confidence: 0.999 })).firing.length, 0);
  });

  it('min_samples is an optional extra floor', async () => {
    assert.equal(alertConfigSchema.parse({}).min_samples, 1);
    assert.equal((await runRate('error_rate', 6, 6, { min_samples: 10 })).firing.length, 0);
    assert.equal((await runRate('error_rate', 10, 10, { min_samples: 10 })).firing.length, 1);
  });

  it('the seed config (hallucination_threshold 0.5, default rate threshold) fires on six hallucinated of six', async () => {
    const seed = { slack_webhook_url: 'https://hooks.slack.com/services/T/B/X', slack_enabled: true, hallucination_threshold: 0.5, hallucination_alerts_enabled: true, daily_cost_budget_usd: 10, cost_spike_alerts_enabled: true, latency_p95_threshold_ms: 3000, latency_alerts_enabled: true };
    let asked: number | undefined;
    const out = await rules.hallucination_rate.evaluate(ctx({ config: seed, stats: { hallucinationRate: async (_p, _f, _t, threshold) => ((asked = threshold), { k: 6, n: 6 }) } }));
    assert.equal(asked, 0.5, 'counts faithfulness below the configured hallucination_threshold');
    assert.equal(out.firing.length, 1);
  });
});

describe('one number: title, message and details agree', () => {
  it('a rate alert states the rate its details carry, with the interval', async () => {
    const f = (await runRate('error_rate', 503, 10_000, { error_rate_threshold: 0.04 })).firing[0]!;
    assert.equal(f.details.value, 0.0503);
    assert.equal(pctIn(f.title), f.details.value);
    assert.equal(pctIn(f.message.split(': ')[1]!), f.details.value);
    assert.equal(f.details.samples, 10_000);
    assert.equal(f.details.count, 503);
    assert.ok((f.details.lower_bound as number) > 0.04 && (f.details.upper_bound as number) > 0.0503);
  });

  it('a latency alert states the p95 its details carry', async () => {
    const f = (await rules.latency_p95.evaluate(ctx({ stats: { latencyP95: stat(50, 5559.5) } }))).firing[0]!;
    assert.equal(f.details.value, 5560);
    assert.match(f.title, /p95 latency 5560 ms/);
    assert.match(f.message, /is 5560 ms/);
  });
});

describe('one number for spend too', () => {
  it('cost spike and budget state the rounded spend their details carry, also when not firing', async () => {
    const spike = await rules.cost_spike.evaluate(ctx({ config: { cost_spike_factor: 3, cost_spike_min_usd: 1 }, stats: { hourlySpendSeries: async () => [3.123456, 0, 0, 0, 0, 0, 0, 0] } }));
    assert.equal(spike.firing[0]!.details.value, 3.12);
    assert.ok(spike.firing[0]!.title.includes('$3.12') && spike.firing[0]!.message.includes('$3.12'));
    const calm = await rules.cost_spike.evaluate(ctx({ config: { cost_spike_factor: 3, cost_spike_min_usd: 1 }, stats: { hourlySpendSeries: async () => [0.123456, 0, 0, 0, 0, 0, 0, 0] } }));
    assert.equal(calm.firing.length, 0);
    assert.equal(calm.readings![0]!.details.value, 0.1235);
    assert.ok(calm.readings![0]!.message.includes('$0.1235'));
    const budget = await rules.cost_budget.evaluate(ctx({ config: { daily_cost_budget_usd: 10 }, stats: { spend: async () => [{ key: null, usd: 8.456, n: 1 }] } }));
    assert.deepEqual(budget.firing.map((f) => [f.key, f.details.value]), [['cost_budget:project:2026-05-05:80', 8.46]]);
    assert.deepEqual(budget.readings!.map((f) => f.key), ['cost_budget:project:2026-05-05:100'], 'the level not reached carries today’s numbers');
    assert.ok(budget.firing[0]!.message.includes('$8.46'));
  });
});

describe('hysteresis: an open alert resolves only once the value is clearly below the threshold', () => {
  it('rates: holds at 9% and at 5.03% of a 5% threshold, resolves at 8% with the value at resolve time', async () => {
    const open = ['hallucination_rate'];
    assert.equal((await runRate('hallucination_rate', 90, 1000, {}, open)).firing.length, 1, '9% holds an open alert');
    assert.equal((await runRate('hallucination_rate', 90, 1000)).firing.length, 0, '9% does not open one');
    const cleared = await runRate('hallucination_rate', 80, 1000, {}, open);
    assert.equal(cleared.firing.length, 0, '8% = 10% × (1 − 0.2) resolves');
    assert.equal(cleared.readings![0]!.details.value, 0.08);
    assert.equal(pctIn(cleared.readings![0]!.title), 0.08);
    const e = await rules.error_rate.evaluate(ctx({ stats: { errorRate: rate(503, 10_000) }, open: ['error_rate'] }));
    assert.equal(e.firing.length, 1, '5.03% against 5% does not resolve');
    assert.equal((await runRate('hallucination_rate', 0, 0, {}, open)).firing.length, 0, 'an empty window resolves');
    assert.equal((await runRate('hallucination_rate', 90, 1000, { resolve_hysteresis: 0 }, open)).firing.length, 0, 'no hysteresis: at or below the threshold resolves');
  });

  it('latency: holds above threshold × 0.8, resolves below, reporting the current p95', async () => {
    const at = (v: number, open: string[] = ['latency_p95']) => rules.latency_p95.evaluate(ctx({ stats: { latencyP95: stat(50, v) }, open }));
    assert.equal((await at(2500)).firing.length, 1);
    const r = await at(2400);
    assert.equal(r.firing.length, 0);
    assert.equal(r.readings![0]!.details.value, 2400);
    assert.match(r.readings![0]!.message, /2400 ms/);
  });
});

describe('alert rules at their boundaries', () => {
  it('latency p95: strictly above the threshold', async () => {
    assert.equal((await rules.latency_p95.evaluate(ctx({ stats: { latencyP95: stat(50, 3000) } }))).firing.length, 0);
    assert.equal((await rules.latency_p95.evaluate(ctx({ stats: { latencyP95: stat(50, 3000.5) } }))).firing.length, 1);
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
