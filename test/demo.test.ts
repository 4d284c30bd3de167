// The demo: its corpus is judged the way it claims by the local evaluator, its traffic is valid and
// shaped by the scenario, and played (fast) into a real app it yields flagged hallucinations,
// gateway traces and fired alerts within a bounded time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { traceInputSchema, DEFAULT_EVALUATION_CONFIG } from '../src/core/index.js';
import { silentLogger } from '../src/core/logger.js';
import { createEvaluator, createRegistry } from '../src/evals/index.js';
import { configureDemoProject, conditionsAt, CORPUS, demoProject, history, LIVE_SECONDS, ragTrace, SCENARIO, seededRng, startDemo, type DemoRun } from '../src/demo/index.js';
import { storeCases } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';

const ENV = {
  AETHER_QUEUE_POLL_MS: '20',
  AETHER_ALERT_DEBOUNCE_MS: '20',
  AETHER_ALERT_POLL_MS: '20',
  AETHER_ALERT_INTERVAL_MS: '200',
};

const waitFor = async (pred: () => Promise<boolean>, ms: number, what: string) => {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('demo generator', () => {
  it('the local evaluator passes every faithful answer and flags every hallucinated one', async () => {
    const ev = createEvaluator({ registry: createRegistry([]), logger: silentLogger });
    const config = { ...DEFAULT_EVALUATION_CONFIG, evaluator: 'local' as const, metrics: ['hallucination'] };
    for (const c of CORPUS) {
      for (const [response, expected] of [[c.faithful, 0], [c.hallucinated, 1]] as const) {
        const { rows } = await ev.evaluate({ id: 'x', projectId: 'p', query: c.query, response, contexts: c.contexts, reference: null, metadata: {} }, config);
        assert.equal(rows.find((r) => r.metric === 'hallucination')?.score, expected, `${c.topic}: ${response}`);
      }
    }
  });

  it('makes valid traces: ~10% hallucinated at baseline, and the scenario’s spikes', () => {
    const rng = seededRng(7);
    const base = Array.from({ length: 2000 }, () => ragTrace(rng, Date.now(), conditionsAt(0)));
    for (const t of base.slice(0, 200)) traceInputSchema.parse(t);
    const bad = new Set(CORPUS.map((c) => c.hallucinated));
    const rate = base.filter((t) => bad.has(t.response as string)).length / base.length;
    assert.ok(rate > 0.07 && rate < 0.13, `baseline hallucination rate ${rate}`);
    assert.ok(new Set(base.map((t) => t.model)).size >= 4 && new Set(base.map((t) => t.user_id)).size >= 8);
    const p95 = (xs: Array<Record<string, unknown>>) => xs.map((t) => t.latency_ms as number).sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;
    const cost = (xs: Array<Record<string, unknown>>) => xs.reduce((s, t) => s + (t.cost_usd as number), 0) / xs.length;
    const during = (name: string) => {
      const e = SCENARIO.find((x) => x.name === name)!;
      return Array.from({ length: 400 }, () => ragTrace(rng, Date.now(), conditionsAt((e.from + e.to) / 2)));
    };
    assert.ok(p95(base) < 4000 && p95(during('latency spike')) > 4000, 'latency spike crosses the demo threshold');
    assert.ok(cost(during('cost spike')) > 20 * cost(base), 'cost spike');
    assert.ok(during('error burst').filter((t) => t.status === 'error').length > 100, 'error burst');
    assert.ok(during('hallucination burst').filter((t) => bad.has(t.response as string)).length > 160, 'hallucination burst');
    assert.ok(SCENARIO.every((e) => e.from >= 0 && e.to <= 120), 'every incident happens in the first two minutes');
    const past = history(rng, Date.now(), 100, 7);
    assert.ok((past[0]!.timestamp as number) < (past[99]!.timestamp as number) && (past[99]!.timestamp as number) < Date.now() - 500_000);
    assert.ok(LIVE_SECONDS >= 120 && LIVE_SECONDS <= 180, 'bounded: two to three minutes of live traffic');
  });
});

const pglite = storeCases.find((c) => c.kind === 'pglite')!;
describe('demo run', () => {
  let t: TestApp;
  let run: DemoRun | undefined;
  before(async () => {
    t = await startTestApp(pglite, ENV);
  });
  after(async () => {
    await run?.stop();
    await t?.close();
  });

  it('produces flagged hallucinations, gateway traces and alerts within a bounded time, and stops', async () => {
    const { store } = t.aether;
    const project = await demoProject(store);
    assert.equal(project.id, t.projectId, 'the first project of the first organization');
    await configureDemoProject({ alerts: t.aether.alerts.settings, evaluations: t.aether.evals.settings, budgets: store.budgets }, project.id);
    assert.equal((await store.budgets.list(project.id)).length, 2);
    const started = Date.now();
    run = startDemo({ project, ingest: t.aether.ingest, gateway: t.aether.gateway, logger: silentLogger }, { speed: 15, historyTraces: 60, historyDays: 2, trickleEveryMs: 200 });
    const count = async (sql: string) => Number((await store.pool.query<{ n: string }>(sql, [project.id])).rows[0]!.n);
    await waitFor(async () => (await count(`select count(*) n from evaluations where project_id = $1 and metric = 'hallucination' and score = 1`)) >= 5, 60_000, 'flagged hallucinations');
    await run.live;
    await waitFor(async () => (await count(`select count(*) n from alerts where project_id = $1`)) >= 1, 60_000, 'an alert');
    await waitFor(async () => (await count(`select count(*) n from rag_traces where project_id = $1 and metadata->>'source' = 'gateway'`)) >= 5, 30_000, 'gateway traces');
    const types = (await store.pool.query<{ type: string }>('select distinct type from alerts where project_id = $1', [project.id])).rows.map((r) => r.type);
    assert.ok(types.includes('latency_p95') || types.includes('cost_spike'), `alerts fired: ${types.join(', ')}`);
    assert.ok(Date.now() - started < 90_000);

    const s = run.stats();
    assert.ok(s.traces > 300, `traces written: ${s.traces}`);
    assert.equal(s.rejected, 0);
    assert.ok((await count(`select count(*) n from rag_traces where project_id = $1 and status = 'error'`)) > 5, 'some errors');
    await run.stop();
    const after = await count('select count(*) n from rag_traces where project_id = $1');
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(await count('select count(*) n from rag_traces where project_id = $1'), after, 'nothing is written after stop');
  });
});
