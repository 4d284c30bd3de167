import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forecastDaily } from './forecast.js';
import { bucketOf, mergeHists, percentile, PERCENTILE_MAX_RELATIVE_ERROR, HIST_BUCKETS } from './hist.js';
import { periodBounds } from './costs.js';
import { segments } from './window.js';

describe('latency histogram percentiles', () => {
  it('stay within the documented relative error of the exact percentile', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const xs = Array.from({ length: 5000 }, () => Math.exp(rand() * 9)); // 1 ms … 8 s, log-uniform
    const h = new Array<number>(HIST_BUCKETS).fill(0);
    for (const x of xs) h[bucketOf(x)]!++;
    const sorted = [...xs].sort((a, b) => a - b);
    for (const p of [0.5, 0.95, 0.99]) {
      const exact = sorted[Math.ceil(p * sorted.length) - 1]!;
      const approx = percentile(h, p)!;
      assert.ok(Math.abs(approx - exact) / exact <= PERCENTILE_MAX_RELATIVE_ERROR + 0.05, `p${p * 100}: ${approx} vs ${exact}`);
    }
    assert.equal(percentile(new Array<number>(HIST_BUCKETS).fill(0), 0.5), null);
    assert.deepEqual(mergeHists([[1, 2], [3]]).slice(0, 3), [4, 2, 0]);
  });
});

describe('time ranges', () => {
  it('cover a range with whole hours and minute edges', () => {
    const s = segments(new Date('2026-01-01T10:15:00Z'), new Date('2026-01-01T13:30:00Z'));
    assert.deepEqual(s.map((x) => [x.grain, x.from.toISOString().slice(11, 16), x.to.toISOString().slice(11, 16)]), [
      ['minute', '10:15', '11:00'],
      ['hour', '11:00', '13:00'],
      ['minute', '13:00', '13:30'],
    ]);
    assert.deepEqual(segments(new Date('2026-01-01T10:15:00Z'), new Date('2026-01-01T10:45:00Z')).map((x) => x.grain), ['minute']);
  });

  it('budget periods are UTC days, ISO weeks and calendar months', () => {
    const d = periodBounds('daily', new Date('2026-03-01T23:59:59.999Z'));
    assert.equal(d.start.toISOString(), '2026-03-01T00:00:00.000Z');
    assert.equal(d.end.toISOString(), '2026-03-02T00:00:00.000Z');
    const w = periodBounds('weekly', new Date('2026-03-01T12:00:00Z')); // a Sunday
    assert.equal(w.start.toISOString(), '2026-02-23T00:00:00.000Z'); // the Monday before
    assert.equal(periodBounds('weekly', new Date('2026-03-02T00:00:00Z')).start.toISOString(), '2026-03-02T00:00:00.000Z');
    const m = periodBounds('monthly', new Date('2026-12-31T23:00:00Z'));
    assert.equal(m.end.toISOString(), '2027-01-01T00:00:00.000Z');
  });
});

describe('cost forecast', () => {
  it('follows trend and weekly seasonality, with an interval that covers the truth', () => {
    const start = Date.parse('2026-01-05T00:00:00Z'); // a Monday
    const truth = (i: number) => (10 + 0.5 * i) * ([1, 1.2, 1.2, 1.2, 1.2, 0.6, 0.6][i % 7]!);
    let seed = 3;
    const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.6;
    const history = Array.from({ length: 42 }, (_, i) => ({ date: new Date(start + i * 86_400_000).toISOString().slice(0, 10), cost: truth(i) + noise() }));
    const f = forecastDaily(history, 7);
    assert.equal(f.days.length, 7);
    assert.match(f.method, /seasonality/);
    f.days.forEach((d, k) => {
      const t = truth(42 + k);
      assert.ok(Math.abs(d.forecast - t) / t < 0.1, `${d.date}: ${d.forecast} vs ${t}`);
      assert.ok(d.lower <= t && t <= d.upper, `${d.date}: ${t} outside [${d.lower}, ${d.upper}]`);
    });
    assert.equal(forecastDaily([], 7).total.forecast, 0, 'no history forecasts nothing');
  });
});
