// One window, one set of numbers: the summary, time series, breakdowns and the alert statistics count
// the same traces (by trace time) and the same current evaluations, even when every evaluation is
// written hours after its trace and some are replaced by a later evaluator version.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alertConfigSchema } from '../src/core/index.js';
import { rules } from '../src/alerts/index.js';
import { storeCases } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { makeTrace } from './helpers/fixtures.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
// Five hours back, so the newest trace is over an hour old whatever the minute of the hour.
const base = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
const W = { from: new Date(base + 2 * HOUR), to: new Date(base + 3 * HOUR) };
const N = 240;
const tsOf = (i: number) => base + (i % 4) * HOUR + ((i * 7) % 60) * MINUTE;
const failed = (i: number) => i % 7 === 0;
const evaluated = (i: number) => i % 3 !== 0;
const rescored = (i: number) => i % 10 === 1; // re-evaluated later under another evaluator version
const faithfulness = (i: number) => (rescored(i) ? 0.1 : i % 5 === 0 ? 0.2 : 0.9);
const inW = (i: number) => tsOf(i) >= W.from.getTime() && tsOf(i) < W.to.getTime();

interface Summary { traces: number; errors: number; error_rate: number; evaluated_traces: number; hallucination_rate: number | null }

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`window consistency: ${c.kind}`, { skip }, () => {
    let t: TestApp;
    const get = async <T>(url: string) => (await t.aether.server.inject({ method: 'GET', url, headers: { 'x-api-key': t.key } })).json<T>();
    const range = `from=${W.from.toISOString()}&to=${W.to.toISOString()}`;
    const ids = Array.from({ length: N }, (_, i) => i);
    const want = {
      traces: ids.filter(inW).length,
      errors: ids.filter((i) => inW(i) && failed(i)).length,
      evaluated: ids.filter((i) => inW(i) && evaluated(i)).length,
      hallucinated: ids.filter((i) => inW(i) && evaluated(i) && faithfulness(i) < 0.5).length,
    };

    before(async () => {
      t = await startTestApp(c, { AETHER_WORKER: 'false' });
      const items = ids.map((i) => makeTrace(t.projectId, {
        id: `w-${i}`, timestamp: new Date(tsOf(i)).toISOString(), model: i % 2 ? 'gpt-4o' : 'gpt-4o-mini', provider: 'openai',
        status: failed(i) ? 'error' : 'success', latency_ms: 100 + i,
      }));
      await t.aether.store.traces.insertMany(items.map((x) => x.trace), []);
      // Every evaluation is written now, hours after its trace.
      const ev = (i: number, metric: string, score: number, version: string) => ({
        project_id: t.projectId, trace_id: `w-${i}`, metric, metric_version: version, evaluator: 'local', score, label: null, reason: '', details: {}, cost_usd: 0.001, tokens: 1,
      });
      const first = (i: number) => (rescored(i) ? 0.9 : faithfulness(i));
      const scored = ids.filter(evaluated);
      await t.aether.store.evaluations.upsert(scored.flatMap((i) => [ev(i, 'faithfulness', first(i), '1'), ev(i, 'hallucination', first(i) < 0.5 ? 1 : 0, 'from-1')]));
      const again = scored.filter(rescored);
      await t.aether.store.evaluations.upsert(again.flatMap((i) => [ev(i, 'faithfulness', faithfulness(i), 'local-2'), ev(i, 'hallucination', 1, 'from-local-2')]));
    });
    after(async () => t?.close());

    it('the summary counts the window’s traces and their current evaluations, not the evaluations written in it', async () => {
      assert.ok(want.traces > 0 && want.hallucinated > 0 && want.evaluated > want.hallucinated);
      const s = await get<Summary>(`/api/v1/metrics/summary?${range}`);
      assert.equal(s.traces, want.traces);
      assert.equal(s.errors, want.errors);
      assert.equal(s.evaluated_traces, want.evaluated);
      assert.ok(Math.abs(s.hallucination_rate! - want.hallucinated / want.evaluated) < 1e-12);
      const recent = await get<Summary>('/api/v1/metrics/summary?window=15m');
      assert.deepEqual([recent.traces, recent.evaluated_traces], [0, 0], 'evaluations written in the last 15 minutes belong to older traces');
      const all = await get<Summary>('/api/v1/metrics/summary?window=24h');
      assert.equal(all.evaluated_traces, ids.filter(evaluated).length, 'a re-evaluation replaces, never adds');
    });

    it('time series and breakdowns add up to the summary', async () => {
      const s = await get<Summary>(`/api/v1/metrics/summary?${range}`);
      const hourly = await get<{ points: Array<{ traces: number; errors: number; hallucination_rate: number | null }> }>(`/api/v1/metrics/timeseries?bucket=hour&${range}`);
      assert.equal(hourly.points.length, 1);
      assert.deepEqual([hourly.points[0]!.traces, hourly.points[0]!.errors, hourly.points[0]!.hallucination_rate], [s.traces, s.errors, s.hallucination_rate]);
      const minutes = await get<{ points: Array<{ t: string; traces: number; hallucination_rate: number | null }> }>(`/api/v1/metrics/timeseries?bucket=minute&${range}`);
      assert.equal(minutes.points.reduce((a, p) => a + p.traces, 0), s.traces);
      for (const p of minutes.points) {
        const here = ids.filter((i) => tsOf(i) === Date.parse(p.t) && evaluated(i));
        const rate = here.length ? here.filter((i) => faithfulness(i) < 0.5).length / here.length : null;
        assert.equal(p.hallucination_rate, rate, `minute ${p.t}`);
      }
      const models = await get<{ items: Array<{ key: string; traces: number; errors: number }> }>(`/api/v1/metrics/breakdown?by=model&${range}`);
      assert.equal(models.items.reduce((a, m) => a + m.traces, 0), s.traces);
      assert.equal(models.items.reduce((a, m) => a + m.errors, 0), s.errors);
    });

    it('the alert statistics read the same window the same way', async () => {
      const s = await get<Summary>(`/api/v1/metrics/summary?${range}`);
      const stats = t.aether.store.stats;
      assert.deepEqual(await stats.errorRate(t.projectId, W.from, W.to), { n: s.traces, k: s.errors });
      const h = await stats.hallucinationRate(t.projectId, W.from, W.to, 0.5);
      assert.equal(h.n, s.evaluated_traces);
      assert.equal(h.k / h.n, s.hallucination_rate);
      // The rules themselves, evaluated at the end of the window over the same hour.
      const config = alertConfigSchema.parse({ window_minutes: 60, hallucination_rate_threshold: 0.01, error_rate_threshold: 0.01 });
      const ctx = { projectId: t.projectId, config, now: W.to, stats, trigger: { kind: 'schedule' as const }, open: new Set<string>(), link: (p: string) => p };
      const hr = (await rules.hallucination_rate.evaluate(ctx)).firing[0]!;
      assert.deepEqual([hr.details.samples, hr.details.count, hr.details.value], [s.evaluated_traces, want.hallucinated, Math.round(s.hallucination_rate! * 1e4) / 1e4]);
      const er = (await rules.error_rate.evaluate(ctx)).firing[0]!;
      assert.deepEqual([er.details.samples, er.details.count, er.details.value], [s.traces, s.errors, Math.round(s.error_rate * 1e4) / 1e4]);
    });
  });
}
