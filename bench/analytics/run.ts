/**
 * Analytics benchmark: summary, time series and breakdown latency at 1,000,000 traces on embedded
 * PGlite and on PostgreSQL (generator included), and the cost of alert-rule evaluation.
 * Writes bench/results/analytics.json and .md.
 *
 *   npx tsx bench/analytics/run.ts        (BENCH_TRACES=1000000, BENCH_REPS=30, BENCH_PG_URL=…)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { cleanupAll, cleanupOnSignals, onCleanup } from '../lib/cleanup.js';
import { tempDir } from '../lib/proc.js';
import { summarize, type LatencySummary } from '../lib/stats.js';
import { openStore, type Store, type NewTrace } from '../../src/storage/index.js';
import { createAnalytics } from '../../src/analytics/index.js';
import { createAlertEngine, createAlertSettings } from '../../src/alerts/index.js';
import { secretBox } from '../../src/core/secrets.js';
import { silentLogger } from '../../src/core/logger.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const TOTAL = Number(process.env.BENCH_TRACES ?? 1_000_000);
const REPS = Number(process.env.BENCH_REPS ?? 30);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DAYS = 30;
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-haiku', 'llama-3.1-70b'];

/** Deterministic synthetic traffic over the last 30 days, in arrival order: 4 models, 500 users, tags. */
function* traces(projectId: string, now: number): Generator<NewTrace> {
  let seed = 42;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < TOTAL; i++) {
    const age = Math.floor(((TOTAL - i) / TOTAL) * DAYS * 86_400_000);
    const model = MODELS[Math.floor(rand() * MODELS.length)]!;
    const latency = Math.exp(5 + rand() * 3.5);
    yield {
      project_id: projectId, id: `t${i}`, ts: new Date(now - age), query: `question ${i % 5000}`, response: 'answer', contexts: [],
      reference: null, model, provider: model.startsWith('claude') ? 'anthropic' : 'openai', input_tokens: 200 + (i % 300), output_tokens: 50 + (i % 100),
      token_count: 250 + (i % 300) + (i % 100), latency_ms: latency, cost_usd: model === 'gpt-4o' ? 0.004 : 0.0004, cost_source: 'client', user_id: `user-${i % 500}`,
      session_id: null, tags: i % 2 ? ['prod'] : ['prod', 'rag'], metadata: {}, status: rand() < 0.02 ? 'error' : 'success', error: null, span_count: 0,
    };
  }
}

/**
 * Insert the data set server-side (one INSERT … SELECT over generate_series), then build the rollups
 * from it with aether_rebuild_rollups — the same aggregates the write path maintains, in one pass.
 * The first 20,000 traces also go through the real write path (traces.insertMany) as a check that
 * both give the same rollups.
 */
async function generate(store: Store, projectId: string, now: number): Promise<number> {
  const t0 = Date.now();
  const viaWritePath = Math.min(20_000, TOTAL);
  let batch: NewTrace[] = [];
  let i = 0;
  for (const t of traces(projectId, now)) {
    if (i++ >= viaWritePath) break;
    batch.push(t);
    if (batch.length === 5000) {
      await store.traces.insertMany(batch, []);
      batch = [];
    }
  }
  if (batch.length) await store.traces.insertMany(batch, []);
  await store.pool.query(
    `insert into rag_traces (project_id, id, ts, query, response, contexts, model, provider, input_tokens, output_tokens, token_count,
                             latency_ms, cost_usd, user_id, tags, metadata, status)
     select $1, 't' || g, to_timestamp($2::float8 / 1000) - make_interval(secs => (($3::int - g)::float8 / $3) * $4 * 86400),
            'question ' || (g % 5000), 'answer', '[]'::jsonb, m.model,
            case when m.model like 'claude%' then 'anthropic' else 'openai' end, 200 + g % 300, 50 + g % 100, 250 + g % 300 + g % 100,
            exp(5 + ((g * 7919) % 1000) / 1000.0 * 3.5), case when m.model = 'gpt-4o' then 0.004 else 0.0004 end,
            'user-' || (g % 500), case when g % 2 = 1 then array['prod'] else array['prod', 'rag'] end, '{}'::jsonb,
            case when g % 50 = 0 then 'error' else 'success' end
       from generate_series($5::int8, $3::int8 - 1) g
       cross join lateral (select (array['gpt-4o', 'gpt-4o-mini', 'claude-3-5-haiku', 'llama-3.1-70b'])[(1 + (g * 31) % 4)::int] as model) m`,
    [projectId, now, TOTAL, DAYS, viaWritePath],
  );
  // Evaluations for the last day, so hallucination figures and the rate rule have data.
  await store.pool.query(
    `insert into evaluations (id, project_id, trace_id, metric, metric_version, evaluator, score, label, reason, details, cost_usd, tokens, trace_ts)
     select gen_random_uuid()::text, project_id, id, m.metric, '1', 'local',
            case when m.metric = 'faithfulness' then (abs(hashtext(id)) % 100) / 100.0
                 else case when (abs(hashtext(id)) % 100) < 50 then 1 else 0 end end,
            null, '', '{}'::jsonb, 0, 0, ts
       from rag_traces cross join (values ('faithfulness'), ('hallucination')) m(metric)
      where project_id = $1 and ts > now() - interval '1 day'`,
    [projectId],
  );
  await store.rollups.rebuild(projectId);
  return (Date.now() - t0) / 1000;
}

async function time(fn: () => Promise<unknown>): Promise<LatencySummary> {
  for (let i = 0; i < 3; i++) await fn();
  const xs: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return summarize(xs);
}

async function benchStore(kind: 'pglite' | 'postgres'): Promise<Record<string, unknown>> {
  let store: Store;
  if (kind === 'pglite') {
    store = await openStore({ dataDir: tempDir('aether-bench-analytics-') });
  } else {
    const name = `aether_bench_${Math.random().toString(36).slice(2, 10)}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    onCleanup(`drop ${name}`, async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    });
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    store = await openStore({ databaseUrl: url.toString(), dataDir: tempDir('aether-bench-analytics-pg-') });
  }
  onCleanup(`close ${kind}`, () => store.close());
  const org = await store.organizations.create({ name: 'bench' });
  const project = await store.projects.create({ orgId: org.id, name: 'bench' });
  console.error(`${kind}: generating ${TOTAL.toLocaleString('en-US')} traces…`);
  const now = Date.now();
  const genSeconds = await generate(store, project.id, now);
  console.error(`  ${genSeconds.toFixed(1)} s (${Math.round(TOTAL / genSeconds)} traces/s with rollups)`);
  const a = createAnalytics(store);
  const end = new Date(Math.ceil(now / 60_000) * 60_000);
  const ago = (ms: number) => new Date(end.getTime() - ms);
  const H = 3_600_000;
  const D = 24 * H;
  const queries: Record<string, () => Promise<unknown>> = {
    'summary 24h': () => a.summary(project.id, ago(D), end),
    'summary 30d': () => a.summary(project.id, ago(30 * D), end),
    'timeseries 24h by minute': () => a.timeseries(project.id, ago(D), end, 'minute'),
    'timeseries 7d by hour': () => a.timeseries(project.id, ago(7 * D), end, 'hour'),
    'timeseries 30d by day': () => a.timeseries(project.id, ago(30 * D), end, 'day'),
    'breakdown by model 30d': () => a.breakdown(project.id, ago(30 * D), end, 'model'),
    'breakdown by user 7d': () => a.breakdown(project.id, ago(7 * D), end, 'user'),
    'breakdown by tag 30d': () => a.breakdown(project.id, ago(30 * D), end, 'tag'),
  };
  const results: Record<string, LatencySummary> = {};
  for (const [name, fn] of Object.entries(queries)) {
    results[name] = await time(fn);
    console.error(`  ${name}: p50 ${results[name].p50} ms, p95 ${results[name].p95} ms`);
  }
  // Rule evaluation: every rule of a fully enabled config, as the engine runs it for one trigger.
  const settings = createAlertSettings(store, secretBox('0'.repeat(64)));
  await settings.put(project.id, { daily_cost_budget_usd: 100, daily_cost_budget_per_user_usd: 1, daily_cost_budget_per_model_usd: 50, min_samples: 1 });
  const engine = createAlertEngine({ store, settings, logger: silentLogger, publicUrl: 'http://127.0.0.1:8000' });
  const rules = await time(() => engine.evaluate(project.id, { kind: 'schedule' }));
  await engine.stop();
  // The engine runs once per project per debounce window (200 ms), however many traces arrived in it.
  const perTraceAt1000 = rules.p50 / 200;
  console.error(`  rule evaluation: p50 ${rules.p50} ms per run (${perTraceAt1000.toFixed(4)} ms per trace at 1,000 traces/s)`);
  return { traces: TOTAL, generation_s: genSeconds, queries: results, rule_evaluation_ms: rules, rule_ms_per_trace_at_1000_per_s: perTraceAt1000 };
}

async function main(): Promise<void> {
  cleanupOnSignals();
  const out: Record<string, unknown> = { generated_at: new Date().toISOString(), node: process.version, reps: REPS };
  out.pglite = await benchStore('pglite');
  try {
    out.postgres = await benchStore('postgres');
  } catch (e) {
    out.postgres = { skipped: (e as Error).message };
  }
  const md = ['# Analytics benchmark', '', `- ${out.generated_at as string} · ${TOTAL.toLocaleString('en-US')} traces over 30 days · ${REPS} runs per query after 3 warm-ups · in-process (no HTTP)`, ''];
  md.push('| Query | PGlite p50 ms | PGlite p95 ms | PostgreSQL p50 ms | PostgreSQL p95 ms | Target p95 |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  const q = (k: 'pglite' | 'postgres') => (out[k] as { queries?: Record<string, LatencySummary> }).queries ?? {};
  for (const name of Object.keys(q('pglite'))) {
    const a = q('pglite')[name]!;
    const b = q('postgres')[name];
    md.push(`| ${name} | ${a.p50} | ${a.p95} | ${b?.p50 ?? '—'} | ${b?.p95 ?? '—'} | < 150 ${a.p95 < 150 && (!b || b.p95 < 150) ? '✅' : '❌'} |`);
  }
  const r = (k: 'pglite' | 'postgres') => out[k] as { rule_evaluation_ms?: LatencySummary; rule_ms_per_trace_at_1000_per_s?: number; generation_s?: number };
  md.push('', '| Rule evaluation (all six rules, one run) | PGlite | PostgreSQL |', '| --- | ---: | ---: |');
  md.push(`| p50 / p95 per run | ${r('pglite').rule_evaluation_ms?.p50} / ${r('pglite').rule_evaluation_ms?.p95} ms | ${r('postgres').rule_evaluation_ms?.p50 ?? '—'} / ${r('postgres').rule_evaluation_ms?.p95 ?? '—'} ms |`);
  md.push(`| per trace at 1,000 traces/s (one run per 200 ms debounce) | ${r('pglite').rule_ms_per_trace_at_1000_per_s?.toFixed(4)} ms | ${r('postgres').rule_ms_per_trace_at_1000_per_s?.toFixed(4) ?? '—'} ms |`);
  md.push(`| generation of the data set (traces/s: 20k through the write path, the rest INSERT … SELECT + rollup rebuild) | ${Math.round(TOTAL / (r('pglite').generation_s ?? 1))} | ${r('postgres').generation_s ? Math.round(TOTAL / r('postgres').generation_s!) : '—'} |`, '');
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/analytics.json'), JSON.stringify(out, null, 2) + '\n');
  writeFileSync(join(root, 'bench/results/analytics.md'), md.join('\n'));
  console.log(md.join('\n'));
}

try {
  await main();
} finally {
  await cleanupAll();
}
