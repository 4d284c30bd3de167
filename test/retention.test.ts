// Retention: a project keeps its traces N days; older ones go with their spans and evaluations, the
// rollups keep adding up to what remains, other projects keep everything, and the API says what applies.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyRetention } from '../src/ingest/index.js';
import { storeCases } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { seedTrace } from './helpers/fixtures.js';

const DAY = 86_400_000;

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`retention: ${c.kind}`, { skip }, () => {
    let t: TestApp;
    const q = async <T>(sql: string, p: unknown[] = []) => (await t.aether.store.pool.query(sql, p)).rows as T[];
    const ingest = async (key: string, traces: unknown[]) => {
      const r = await t.aether.server.inject({ method: 'POST', url: '/api/v1/traces/batch', headers: { 'content-type': 'application/json', 'x-api-key': key }, payload: JSON.stringify({ traces }) });
      assert.equal(r.statusCode, 207, r.body);
      assert.equal(r.json<{ rejected: number }>().rejected, 0, r.body);
    };
    const trace = (id: string, daysAgo: number) => ({
      ...seedTrace(),
      id,
      timestamp: new Date(Date.now() - daysAgo * DAY).toISOString(),
      model: 'gpt-4o-mini',
      spans: [{ id: `${id}-s`, name: 'llm', kind: 'llm', start_time: new Date(Date.now() - daysAgo * DAY).toISOString() }],
    });
    // The rollups as stored, and as rebuilt from the rows: equal when every change kept them exact.
    const rollups = async (projectId: string) => {
      const sql = `select grain, dim, key, bucket::text, n, cost_usd::numeric(20,9)::text as cost from trace_rollups where project_id = $1 and n <> 0 order by 1, 2, 3, 4`;
      const esql = `select grain, metric, bucket::text, n, null_n from eval_rollups where project_id = $1 and (n <> 0 or null_n <> 0) order by 1, 2, 3`;
      return { traces: await q(sql, [projectId]), evals: await q(esql, [projectId]) };
    };

    before(async () => {
      t = await startTestApp(c, { AETHER_QUEUE_POLL_MS: '20' });
    });
    after(async () => t?.close());

    it('deletes what is older than the project keeps, with spans and evaluations, and keeps the rollups exact', async () => {
      const old = Array.from({ length: 30 }, (_, i) => trace(`old-${i}`, 40 + (i % 5)));
      const recent = Array.from({ length: 20 }, (_, i) => trace(`new-${i}`, i % 10));
      await ingest(t.key, [...old, ...recent]);
      await ingest(t.other.key, old.slice(0, 10));
      // every trace evaluated first, so there are evaluations to delete
      const end = Date.now() + 60_000;
      while ((await q<{ n: number }>('select count(*)::int as n from eval_jobs'))[0]!.n > 0) {
        assert.ok(Date.now() < end, 'evaluations did not finish');
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok((await q<{ n: number }>('select count(*)::int as n from evaluations where trace_id like $1', ['old-%']))[0]!.n > 0);

      const put = await t.aether.server.inject({ method: 'PUT', url: `/api/v1/projects/${t.projectId}/retention`, headers: { 'content-type': 'application/json', 'x-api-key': t.key }, payload: JSON.stringify({ days: 30 }) });
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual(put.json(), { retention_days: 30, effective_days: 30 });

      const dry = await applyRetention(t.aether.store, { defaultDays: undefined, dryRun: true });
      assert.deepEqual(dry.map((r) => [r.projectId, r.traces]), [[t.projectId, 30]], 'only the project with a retention, counting its old traces');
      assert.equal((await q<{ n: number }>('select count(*)::int as n from rag_traces where project_id = $1', [t.projectId]))[0]!.n, 50, 'a dry run deletes nothing');

      const [res] = await applyRetention(t.aether.store, { defaultDays: undefined, sliceSize: 7 });
      assert.equal(res!.traces, 30);
      assert.equal(res!.spans, 30);
      assert.ok(res!.evaluations > 0);
      const left = await q<{ id: string }>('select id from rag_traces where project_id = $1 order by id', [t.projectId]);
      assert.deepEqual(left.map((r) => r.id), recent.map((r) => r.id).sort());
      for (const table of ['trace_spans', 'evaluations', 'eval_jobs']) {
        const n = (await q<{ n: number }>(`select count(*)::int as n from ${table} where project_id = $1 and trace_id like 'old-%'`, [t.projectId]))[0]!.n;
        assert.equal(n, 0, `no ${table} rows of deleted traces`);
      }
      assert.equal((await q<{ n: number }>('select count(*)::int as n from rag_traces where project_id = $1', [t.other.projectId]))[0]!.n, 10, 'the other project keeps everything');

      const stored = await rollups(t.projectId);
      await q('select aether_rebuild_rollups($1)', [t.projectId]);
      assert.deepEqual(stored, await rollups(t.projectId), 'rollups equal a rebuild from the remaining rows');

      const summary = (await t.aether.server.inject({ method: 'GET', url: '/api/v1/metrics/summary?window=30d', headers: { 'x-api-key': t.key } })).json<{ traces: number }>();
      assert.equal(summary.traces, 20);
      assert.deepEqual((await applyRetention(t.aether.store, { defaultDays: undefined })).map((r) => r.traces), [0], 'a second pass finds nothing');
    });

    it('the server default applies to projects without their own; bad values and other projects are refused', async () => {
      await ingest(t.other.key, [trace('other-old', 400)]);
      const [, other] = (await applyRetention(t.aether.store, { defaultDays: 365, dryRun: true })).sort((a, b) => (a.projectId === t.projectId ? -1 : b.projectId === t.projectId ? 1 : 0));
      assert.equal(other!.days, 365);
      assert.equal(other!.traces, 1);
      const h = { 'content-type': 'application/json', 'x-api-key': t.key };
      const bad = await t.aether.server.inject({ method: 'PUT', url: `/api/v1/projects/${t.projectId}/retention`, headers: h, payload: JSON.stringify({ days: 0 }) });
      assert.equal(bad.statusCode, 400);
      const foreign = await t.aether.server.inject({ method: 'PUT', url: `/api/v1/projects/${t.other.projectId}/retention`, headers: h, payload: JSON.stringify({ days: 1 }) });
      assert.equal(foreign.statusCode, 403);
      const reset = await t.aether.server.inject({ method: 'PUT', url: `/api/v1/projects/${t.projectId}/retention`, headers: h, payload: JSON.stringify({ days: null }) });
      assert.deepEqual(reset.json(), { retention_days: null, effective_days: null });
    });
  });
}
