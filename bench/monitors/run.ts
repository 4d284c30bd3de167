/**
 * Monitor benchmark on embedded PGlite: 100,000 stored traces, a monitor with a 1% random sample
 * and local metrics. Checks the three claims: the run finishes in < 10 s; a second run over
 * the same window scores 0; two runners started at once score each sampled item exactly once.
 * Writes bench/results/monitors.json and bench/results/monitors.md.
 *
 *   npm run bench:monitors        (env BENCH_TRACES, default 100000)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/storage/index.js';
import { createEvaluator, createRegistry } from '../../src/evals/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { createMonitors } from '../../src/monitors/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const N = Number(process.env.BENCH_TRACES ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'aether-bench-monitors-'));
const store = await openStore({ dataDir: dir });
try {
  const org = await store.organizations.create({ name: 'bench' });
  const project = await store.projects.create({ orgId: org.id, name: 'bench' });
  const t0 = performance.now();
  // Direct SQL: the fastest way to 100k rows (rollups are not needed by a monitor).
  for (let i = 0; i < N; i += 20_000) {
    await store.pool.query(
      `insert into rag_traces (project_id, id, ts, query, response, contexts, reference, model, tags)
       select $1, 'tr-' || g, now() - (g || ' seconds')::interval, 'What does item ' || g || ' cost?', 'Item ' || g || ' costs ' || (g % 97) || ' dollars.',
              jsonb_build_array(jsonb_build_object('text', 'Item ' || g || ' costs ' || (g % 89) || ' dollars in the catalog.')), 'Item ' || g || ' costs ' || (g % 89) || ' dollars.',
              case when g % 2 = 0 then 'gpt-4o-mini' else 'claude-haiku' end, array['prod']
         from generate_series($2::int, $3::int) g`,
      [project.id, i, Math.min(i + 20_000, N) - 1],
    );
  }
  const insertMs = performance.now() - t0;
  const registry = createRegistry();
  const evaluator = createEvaluator({ registry, logger: silentLogger });
  const replica = (owner: string) => createMonitors({ store, registry, evaluator, logger: silentLogger, owner, env: {} });
  const yaml = (name: string) =>
    [`name: ${name}`, 'source: { type: aether, filters: { tag: prod } }', 'sampling: { strategy: random_rate, rate: 0.01 }',
      'metrics: [{ name: token_overlap }, { name: faithfulness, evaluator: local }, { name: pii }]',
      'thresholds:', '  faithfulness: { warning_below: 0.7, alert_below: 0.5 }'].join('\n');
  const file = join(dir, 'bench.yaml');
  const until = new Date(Date.now() + 1000);
  const since = new Date(Date.now() - 2 * N * 1000);

  const m = replica('bench-1');
  const first = await m.runFile(project.id, yaml('bench'), file, { since, until });
  const second = await m.runFile(project.id, yaml('bench'), file, { since, until });
  const [a, b] = await Promise.all([replica('a').runFile(project.id, yaml('pair'), file, { since, until }), replica('b').runFile(project.id, yaml('pair'), file, { since, until })]);
  const dup = await store.pool.query<{ n: number }>(
    `select count(*)::int as n from (select item_id, metric from monitor_results r join monitors m on m.id = r.monitor_id where m.name = 'pair' group by 1, 2 having count(*) > 1) x`,
  );
  const result = {
    traces: N,
    insert_ms: Math.round(insertMs),
    first_run: { seen: first.itemsSeen, sampled: first.sampled, scored: first.scored, duration_ms: first.durationMs, status: first.status, errors: first.errors.length },
    second_run: { sampled: second.sampled, scored: second.scored, skipped_duplicates: second.skippedDuplicates, duration_ms: second.durationMs },
    two_runners: { sampled: a.sampled, scored_a: a.scored, scored_b: b.scored, total_scored: a.scored + b.scored, duplicate_results: dup.rows[0]!.n },
    goals: {
      first_run_under_10s: first.durationMs < 10_000,
      second_run_scores_0: second.scored === 0,
      two_runners_each_item_once: a.scored + b.scored === a.sampled && dup.rows[0]!.n === 0,
    },
    machine: { cpus: cpus().length, loadavg: loadavg().map((x) => Number(x.toFixed(2))), node: process.version, note: 'shared 2-core machine, loaded by other jobs while this ran: figures are noisy' },
    at: new Date().toISOString(),
  };
  const out = join(root, 'bench/results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'monitors.json'), JSON.stringify(result, null, 2) + '\n');
  const md = [
    '# Monitors benchmark (embedded PGlite)',
    '',
    `${N.toLocaleString('en-US')} stored traces (inserted in ${result.insert_ms} ms by SQL), a monitor with a 1% random sample and local metrics (token_overlap, faithfulness local, pii). Command: \`npm run bench:monitors\`.`,
    '',
    '| check | figure | goal | met |',
    '|---|---|---|---|',
    `| first run | ${first.itemsSeen} seen, ${first.sampled} sampled, ${first.scored} scored in ${first.durationMs} ms | < 10 s | ${result.goals.first_run_under_10s ? 'yes' : 'NO'} |`,
    `| second run, same window | ${second.scored} scored, ${second.skippedDuplicates} skipped as duplicates (${second.durationMs} ms) | 0 scored | ${result.goals.second_run_scores_0 ? 'yes' : 'NO'} |`,
    `| two runners at once | ${a.scored} + ${b.scored} = ${a.scored + b.scored} scored of ${a.sampled} sampled; ${result.two_runners.duplicate_results} duplicate results | each once | ${result.goals.two_runners_each_item_once ? 'yes' : 'NO'} |`,
    '',
    `Machine: ${result.machine.cpus} CPUs, load ${result.machine.loadavg.join(' / ')}, Node ${process.version}. ${result.machine.note}.`,
    '',
  ].join('\n');
  writeFileSync(join(out, 'monitors.md'), md);
  console.log(md);
  if (!Object.values(result.goals).every(Boolean)) process.exitCode = 1;
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
