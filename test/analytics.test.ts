// Metrics, budgets, forecasts, recommendations and exports through the API, on PGlite and
// PostgreSQL, against numbers computed independently from the data the test wrote.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeCases } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { makeTrace } from './helpers/fixtures.js';

const HOUR = 3_600_000;
const now = new Date();
const base = Math.floor(now.getTime() / HOUR) * HOUR - 5 * HOUR; // five whole hours ago

interface Summary {
  traces: number;
  errors: number;
  error_rate: number;
  tokens: number;
  cost_usd: number;
  llm_cost_usd: number;
  evaluation_cost_usd: number;
  hallucination_rate: number;
  mean_faithfulness: number;
  percentile_max_relative_error: number;
  latency_ms: { p50: number; p95: number; p99: number; mean: number };
}

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`analytics: ${c.kind}`, { skip }, () => {
    let t: TestApp;
    const latencies: number[] = [];
    const get = (url: string) => t.aether.server.inject({ method: 'GET', url, headers: { 'x-api-key': t.key } });
    before(async () => {
      t = await startTestApp(c, { AETHER_WORKER: 'false' });
      const items = Array.from({ length: 300 }, (_, i) => {
        const latency = 50 + ((i * 7919) % 3000);
        latencies.push(latency);
        return makeTrace(t.projectId, {
          id: `a-${i}`,
          timestamp: new Date(base + (i % 5) * HOUR + (i % 60) * 60_000).toISOString(),
          model: i % 3 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
          provider: 'openai',
          user_id: `u${i % 4}`,
          tags: i % 2 ? ['prod'] : ['prod', 'beta'],
          input_tokens: 100,
          output_tokens: 20,
          latency_ms: latency,
          cost_usd: i % 3 === 0 ? 0.01 : 0.001,
          status: i % 10 === 0 ? 'error' : 'success',
          query: i < 40 ? 'What is our refund policy?' : `question ${i}`,
        });
      });
      await t.aether.store.traces.insertMany(items.map((x) => x.trace), []);
      await t.aether.store.traces.insertMany(items.slice(0, 50).map((x) => x.trace), []); // duplicates: not counted
      const ev = (i: number, metric: string, score: number, cost = 0) => ({
        project_id: t.projectId, trace_id: `a-${i}`, metric, metric_version: '1', evaluator: 'local', score, label: null, reason: '', details: {}, cost_usd: cost, tokens: 0,
      });
      await t.aether.store.evaluations.upsert(Array.from({ length: 100 }, (_, i) => ev(i, 'faithfulness', i % 3 === 0 ? 0.9 : 0.88, 0.0001)));
      await t.aether.store.evaluations.upsert(Array.from({ length: 100 }, (_, i) => ev(i, 'hallucination', i < 10 ? 1 : 0)));
      await t.aether.store.evaluations.upsert([ev(99, 'hallucination', 1)]); // a re-evaluation replaces, never adds
    });
    after(async () => t?.close());

    it('summarises exactly, with percentiles inside their documented error', async () => {
      const s = (await get('/api/v1/metrics/summary?window=24h')).json<Summary>();
      assert.equal(s.traces, 300);
      assert.equal(s.errors, 30);
      assert.equal(s.error_rate, 0.1);
      assert.equal(s.tokens, 300 * 150, 'token_count of the seed trace');
      assert.ok(Math.abs(s.llm_cost_usd - (100 * 0.01 + 200 * 0.001)) < 1e-9);
      assert.ok(Math.abs(s.evaluation_cost_usd - 0.01) < 1e-9);
      assert.equal(s.hallucination_rate, 0.11);
      assert.ok(Math.abs(s.mean_faithfulness - (34 * 0.9 + 66 * 0.88) / 100) < 1e-9);
      const sorted = [...latencies].sort((a, b) => a - b);
      for (const [p, v] of [[0.5, s.latency_ms.p50], [0.95, s.latency_ms.p95], [0.99, s.latency_ms.p99]] as const) {
        const exact = sorted[Math.ceil(p * sorted.length) - 1]!;
        assert.ok(Math.abs(v - exact) / exact <= s.percentile_max_relative_error + 0.01, `p${p}: ${v} vs exact ${exact}`);
      }
      assert.ok(Math.abs(s.latency_ms.mean - latencies.reduce((a, b) => a + b, 0) / 300) < 1e-6);
      const narrow = (await get(`/api/v1/metrics/summary?from=${new Date(base).toISOString()}&to=${new Date(base + 30 * 60_000).toISOString()}`)).json<Summary>();
      const expected = Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 5 === 0 && i % 60 < 30).length;
      assert.equal(narrow.traces, expected, 'a sub-hour range reads minute rollups exactly');
    });

    it('serves time series per minute, hour and day', async () => {
      const hourly = (await get('/api/v1/metrics/timeseries?bucket=hour&window=6h')).json<{ points: Array<{ t: string; traces: number }> }>();
      const byHour = new Map(hourly.points.map((p) => [Date.parse(p.t), p.traces]));
      for (let h = 0; h < 5; h++) assert.equal(byHour.get(base + h * HOUR), 60, `hour ${h}`);
      assert.equal(hourly.points.reduce((s, p) => s + p.traces, 0), 300);
      const daily = (await get('/api/v1/metrics/timeseries?bucket=day&window=7d')).json<{ points: Array<{ traces: number }> }>();
      assert.equal(daily.points.reduce((s, p) => s + p.traces, 0), 300);
      const tooMany = await get('/api/v1/metrics/timeseries?bucket=minute&window=30d');
      assert.equal(tooMany.statusCode, 400);
    });

    it('breaks down by model, user, tag and provider', async () => {
      const by = async (d: string) => (await get(`/api/v1/metrics/breakdown?by=${d}&window=24h`)).json<{ items: Array<{ key: string; traces: number; cost_usd: number; error_rate: number }> }>().items;
      const models = await by('model');
      assert.deepEqual(models.map((m) => [m.key, m.traces]), [['gpt-4o', 100], ['gpt-4o-mini', 200]]);
      assert.ok(Math.abs(models[0]!.cost_usd - 1) < 1e-9);
      assert.deepEqual((await by('user')).map((u) => u.traces), [75, 75, 75, 75]);
      assert.deepEqual(Object.fromEntries((await by('tag')).map((x) => [x.key, x.traces])), { prod: 300, beta: 150 });
      assert.equal((await by('provider'))[0]!.traces, 300);
    });

    it('rebuilds rollups to the same numbers', async () => {
      const before = (await get('/api/v1/metrics/summary?window=24h')).json<Summary>();
      await t.aether.store.rollups.rebuild(t.projectId);
      const after = (await get('/api/v1/metrics/summary?window=24h')).json<Summary>();
      const round = (x: Summary) => JSON.parse(JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(12)) : v))) as Summary;
      assert.deepEqual(round(after), round(before));
    });

    it('tracks budgets with spend, remaining, percent used and a projection', async () => {
      const bad = await t.aether.server.inject({ method: 'POST', url: '/api/v1/budgets', headers: { 'x-api-key': t.key, 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x', scope: 'model', period: 'daily', amount_usd: 1 }) });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /scope_value/);
      const created = await t.aether.server.inject({ method: 'POST', url: '/api/v1/budgets', headers: { 'x-api-key': t.key, 'content-type': 'application/json' }, payload: JSON.stringify({ name: '4o monthly', scope: 'model', scope_value: 'gpt-4o', period: 'monthly', amount_usd: 10 }) });
      assert.equal(created.statusCode, 201, created.body);
      const { id } = created.json<{ id: string }>();
      const st = (await get(`/api/v1/budgets/${id}/status`)).json<{ spent_usd: number; remaining_usd: number; percent_used: number; projected_usd: number; period_start: string }>();
      const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
      const expected = Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 3 === 0 && base + (i % 5) * HOUR + (i % 60) * 60_000 >= monthStart).length * 0.01;
      assert.ok(Math.abs(st.spent_usd - expected) < 1e-9, `${st.spent_usd} vs ${expected}`);
      assert.ok(Math.abs(st.remaining_usd - (10 - expected)) < 1e-9);
      assert.ok(st.projected_usd >= st.spent_usd);
      assert.equal(st.period_start, new Date(monthStart).toISOString());
      assert.equal((await get('/api/v1/budgets/nope/status')).statusCode, 404);
      assert.equal((await t.aether.server.inject({ method: 'GET', url: `/api/v1/budgets/${id}/status`, headers: { 'x-api-key': t.other.key } })).statusCode, 404);
    });

    it('forecasts and recommends from the data', async () => {
      const f = (await get('/api/v1/costs/forecast?days=7')).json<{ days: unknown[]; total: { forecast: number } }>();
      assert.equal(f.days.length, 7);
      assert.equal((await get('/api/v1/costs/forecast?days=9')).statusCode, 400);
      const r = (await get('/api/v1/costs/recommendations')).json<{ recommendations: Array<{ kind: string; estimated_savings_usd: number; message: string }> }>();
      const cheaper = r.recommendations.find((x) => x.kind === 'cheaper_model');
      assert.ok(cheaper, JSON.stringify(r));
      assert.match(cheaper.message, /gpt-4o-mini costs 90% less per request than gpt-4o/);
      const cache = r.recommendations.find((x) => x.kind === 'response_cache');
      // 40 identical queries: 14 to gpt-4o and 26 to gpt-4o-mini, so 13 + 25 repeats
      assert.match(cache!.message, /^38 requests/);
    });

    it('exports traces as CSV and JSON, and costs per day and model', async () => {
      const csv = await get('/api/v1/export/traces?format=csv&window=24h');
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /text\/csv/);
      const lines = csv.body.trim().split('\n');
      assert.equal(lines.length, 301);
      assert.match(lines[0]!, /^id,timestamp,model/);
      const json = JSON.parse((await get('/api/v1/export/traces?format=json&window=24h&limit=10')).body) as Array<{ id: string }>;
      assert.equal(json.length, 10);
      const costs = (await get('/api/v1/export/costs?format=json&by=model&window=24h')).json<{ rows: Array<{ key: string; requests: number }> }>();
      assert.deepEqual(costs.rows.map((x) => x.requests), [100, 200]);
      const daily = await get('/api/v1/export/costs?format=csv&by=day&window=7d');
      assert.match(daily.body, /^day,requests,tokens,cost_usd\n/);
    });
  });
}
