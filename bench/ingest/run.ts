/**
 * Ingestion benchmark: a bare node:http server (the ceiling), then Aether as `npm start` runs it
 * (`aether serve` with its evaluation worker, embedded PGlite), Aether API-only (`--no-worker`) on
 * PGlite and on PostgreSQL, each under single-trace load (50 clients) and 1,000-trace batches
 * (4 clients). The `npm start` target first takes a sustained paced load (500 traces/s for 20 s) and
 * reports its latency and how fast every one of those traces is scored.
 * Writes bench/results/ingest.json and bench/results/ingest.md and prints the Markdown.
 *
 *   npm run build && npm run bench:ingest
 *
 * Env: BENCH_DURATION_S (15), BENCH_WARMUP_S (3), BENCH_RATE (500), BENCH_SUSTAINED_S (20),
 * BENCH_GRACE_S (20: how long the queue may take to drain after the paced load),
 * BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runBench, cleanupOnSignals, cleanupScope } from '../lib/cleanup.js';
import { writeResults } from '../lib/results.js';
import { tempDir } from '../lib/proc.js';
import { pacedTraces, scoredTraces, waitForQueue } from '../lib/scoring.js';
import { measure, preflight, type Measurement, type Scenario } from './load.js';
import { batchBody, singleBody, traceBody } from './payload.js';
import { goals, markdown, shareOfBare, TARGET_LABELS, type Sustained, type TargetName, type TargetResult } from './report.js';
import { createDatabase, startAether, startBare, type Target } from './targets.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const durationS = Number(process.env.BENCH_DURATION_S ?? 15);
const warmupS = Number(process.env.BENCH_WARMUP_S ?? 3);
const pgAdminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BATCH = 1000;
const rate = Number(process.env.BENCH_RATE ?? 500);
const sustainedS = Number(process.env.BENCH_SUSTAINED_S ?? 20);
const graceS = Number(process.env.BENCH_GRACE_S ?? 20);

const scenarios: Scenario[] = [
  { name: 'single', path: '/api/v1/traces', body: singleBody(), connections: 50, tracesPerRequest: 1, warmupS, durationS },
  { name: 'batch', path: '/api/v1/traces/batch', body: batchBody(BATCH), connections: 4, tracesPerRequest: BATCH, warmupS, durationS },
];

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** The paced scenario: `rate` single traces/s, then wait for the queue and look every trace up in the server's store. */
async function sustained(target: Target): Promise<Sustained> {
  if (!target.dataDir) throw new Error('the sustained scenario needs an embedded-store target');
  console.error(`  sustained: ${rate} traces/s paced for ${sustainedS} s, then up to ${graceS} s for scoring…`);
  const body = (i: number) => JSON.stringify(traceBody(i)).replace('[<id>]', `sustained-${i}`);
  const { ids, ...load } = await pacedTraces(target.url, target.apiKey, body, rate, sustainedS);
  const queue = { ...(await waitForQueue(target.url, target.apiKey, graceS * 1000)), grace_ms: graceS * 1000 };
  const scoring = await scoredTraces(target.dataDir, ids);
  const l = load.latency_ms;
  console.error(`    ${load.achieved_rate} traces/s, p50 ${l.p50} ms, p99 ${l.p99} ms; ${scoring.scored} of ${load.sent} scored, lag p95 ${scoring.lag_ms.p95} ms, ${queue.left} left in queue`);
  return { load, queue, scoring };
}

/** Start a target, run the scenarios against it, and tear it down (server, data dir, database). */
async function bench(name: TargetName, start: () => Promise<Target>, withSustained = false): Promise<TargetResult> {
  const teardown = cleanupScope();
  try {
    console.error(`\n▶ ${TARGET_LABELS[name]}: starting…`);
    const target = await start();
    console.error(`  ready in ${target.startup_ms} ms at ${target.url}`);
    for (const s of scenarios) await preflight(target, s);
    // First, on the fresh server (no backlog from the saturating scenarios below).
    const sus = withSustained ? await sustained(target) : undefined;
    const m: Measurement[] = [];
    for (const s of scenarios) {
      console.error(`  ${s.name}: ${s.connections} clients, ${s.warmupS} s warm-up + ${s.durationS} s…`);
      const r = await measure(`${name} ${s.name}`, target, s);
      const counted = r.server_committed_traces === null ? '' : `, server committed ${r.server_committed_traces} traces`;
      console.error(`    ${r.requests_per_s} req/s, ${r.traces_per_s} traces/s, p50 ${r.latency_ms.p50} ms, p99 ${r.latency_ms.p99} ms, non-2xx ${r.non_2xx}${counted}`);
      if (r.server_committed_traces !== null && r.server_committed_traces < 0.9 * r.ok_2xx * s.tracesPerRequest) {
        throw new Error(`${name} ${s.name}: ${r.ok_2xx * s.tracesPerRequest} traces acknowledged but the server committed only ${r.server_committed_traces}`);
      }
      m.push(r);
    }
    await target.child.stop();
    // Structured (pino) log lines only: the start-up banner prints the API key.
    const server_warnings = target.child
      .logTail(2000)
      .split('\n')
      .filter((l) => l.startsWith('{') && /"level":(4|5|6)0\b/.test(l))
      .slice(-10);
    if (server_warnings.length) console.error(`  server logged ${server_warnings.length} warning(s); see ingest.json`);
    return { status: 'ok', startup_ms: target.startup_ms, single: m[0]!, batch: m[1]!, ...(sus ? { sustained: sus } : {}), server_warnings };
  } finally {
    await teardown();
  }
}

async function main(): Promise<void> {
  cleanupOnSignals();
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const logDir = tempDir('aether-bench-logs-');
  const started = new Date();
  const loadBefore = loadavg()[0]!.toFixed(2);

  const results = {} as Record<TargetName, TargetResult>;
  results.bare = await bench('bare', () => startBare(root, logDir));
  results.pglite_default = await bench('pglite_default', () => startAether(root, logDir, 'pglite_default', undefined, true), true);
  results.pglite = await bench('pglite', () => startAether(root, logDir, 'pglite'));
  let databaseUrl: string | undefined;
  const dropDatabase = cleanupScope();
  try {
    databaseUrl = await createDatabase(pgAdminUrl);
  } catch (e) {
    results.postgres = { status: 'skipped', reason: `PostgreSQL at ${pgAdminUrl.replace(/\/\/[^@]*@/, '//')} unreachable: ${(e as Error).message}` };
    console.error(`\n▶ ${TARGET_LABELS.postgres}: ${results.postgres.reason}`);
  }
  if (databaseUrl) {
    const url = databaseUrl;
    results.postgres = await bench('postgres', () => startAether(root, logDir, 'postgres', url));
    await dropDatabase();
  }

  const goalList = goals(results);
  const autocannonVersion = (JSON.parse(readFileSync(join(root, 'node_modules/autocannon/package.json'), 'utf8')) as { version: string }).version;
  const cpu = cpus();
  const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
  const header = [
    `${started.toISOString()} · commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' (uncommitted changes)' : ''}`,
    `Node ${process.version} · ${platform()} ${release()} · ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'} · ${Math.round(totalmem() / 2 ** 30)} GiB · 1-min load average ${loadBefore} at start`,
    `autocannon ${autocannonVersion} in the benchmark process · ${warmupS} s warm-up (discarded) + ${durationS} s measured per scenario`,
    `single trace: POST /api/v1/traces, 50 connections · batch: POST /api/v1/traces/batch with ${BATCH.toLocaleString('en-US')} traces, 4 connections`,
    `\`npm start\` target only, first on its fresh data dir: ${rate} single traces/s paced for ${sustainedS} s (no warm-up beyond one preflight request per scenario), then up to ${graceS} s for the evaluation queue to drain`,
    '"vs bare" = traces/s as a share of the bare node:http server\'s in the same run and scenario',
  ];
  const notes = [
    'The load generator runs on the same cores as the server it measures; the bare server suffers the same, so ratios are fair, absolute numbers are low.',
    'Other work on the machine skews the figures (see the load average at start); compare runs made on an idle machine.',
    'The bare server reads and JSON.parse\'s each body and answers 201 `{"id"}` (batch: 207 with a result per item); it validates and stores nothing.',
    'Requests/s and traces/s count 2xx responses only; latency percentiles are over every response of the measured window.',
    'Each Aether target starts on a fresh data dir / database, bootstrapped the way a user would (credentials.json, or the CLI for PostgreSQL).',
    'The `npm start` row is what a user meets first: `aether serve` with its evaluation worker in the same process, scoring every trace with the default metric set as it arrives, on embedded PGlite. The `--no-worker` rows are API-only processes (every accepted trace still gets its evaluation job in the same statement; workers run elsewhere).',
  ];
  const md = markdown(header, results, goalList, notes);
  const json = {
    generated_at: started.toISOString(),
    commit: git('rev-parse', 'HEAD'),
    dirty,
    machine: { node: process.version, platform: `${platform()} ${release()}`, cpus: cpu.length, cpu_model: cpu[0]?.model ?? null, mem_gib: Math.round(totalmem() / 2 ** 30), loadavg_1m_at_start: Number(loadBefore) },
    settings: { autocannon: autocannonVersion, warmup_s: warmupS, duration_s: durationS, single_connections: 50, batch_connections: 4, batch_size: BATCH, sustained_rate: rate, sustained_s: sustainedS, grace_s: graceS },
    targets: results,
    ratios: Object.fromEntries(
      (['pglite_default', 'pglite', 'postgres'] as const).flatMap((n) => [
        [`${n}_single_vs_bare`, shareOfBare(results, n, 'single')],
        [`${n}_batch_vs_bare`, shareOfBare(results, n, 'batch')],
      ]),
    ),
    goals: goalList,
  };
  writeResults('ingest', json, md);
}

await runBench(main);
