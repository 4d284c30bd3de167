/**
 * Evaluation benchmark: local-metric throughput (traces/s on one core, the default metric set) and
 * ingest-to-score lag at 500 traces/s on embedded PGlite (`aether serve` with its in-process worker).
 * Writes bench/results/evals.json and bench/results/evals.md.
 *
 *   npm run build && npx tsx bench/evals/run.ts
 *
 * Env: BENCH_RATE (500 traces/s), BENCH_DURATION_S (20), AETHER_SHARED_DIR (../shared).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupAll, cleanupOnSignals } from '../lib/cleanup.js';
import { cleanEnv, freePort, spawnNode, tempDir, waitForOk } from '../lib/proc.js';
import { pacedTraces, scoredTraces, waitForQueue } from '../lib/scoring.js';
import { createEvaluator, createRegistry } from '../../src/evals/index.js';
import { DEFAULT_EVALUATION_CONFIG } from '../../src/core/index.js';
import { silentLogger } from '../../src/core/logger.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const shared = process.env.AETHER_SHARED_DIR ?? resolve(root, '../shared');
const rate = Number(process.env.BENCH_RATE ?? 500);
const durationS = Number(process.env.BENCH_DURATION_S ?? 20);

interface Row {
  question: string;
  contexts: string[];
  response: string;
}
const rows = readFileSync(join(shared, 'data/halueval_qa.dev.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Row);

/** Traces of typical size: HaluEval questions and contexts, with a ~100-word response built from them. */
function trace(i: number) {
  const r = rows[i % rows.length]!;
  const filler = r.contexts.join(' ').split(/\s+/).slice(0, 90).join(' ');
  return { id: `bench-${i}`, query: r.question, response: `${r.response}. ${filler}`, contexts: r.contexts.map((text, k) => ({ text, source: `doc_${k}` })) };
}

async function throughput() {
  const evaluator = createEvaluator({ registry: createRegistry(), logger: silentLogger });
  const n = 3000;
  const traces = Array.from({ length: n }, (_, i) => {
    const t = trace(i);
    return { ...t, projectId: 'p', reference: null, metadata: {}, contexts: t.contexts };
  });
  for (const t of traces.slice(0, 200)) await evaluator.evaluate(t, DEFAULT_EVALUATION_CONFIG); // warm-up
  const t0 = process.hrtime.bigint();
  for (const t of traces) await evaluator.evaluate(t, DEFAULT_EVALUATION_CONFIG);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { traces: n, metrics: evaluator.metricNames(DEFAULT_EVALUATION_CONFIG), seconds: Math.round(s * 1000) / 1000, traces_per_s_per_core: Math.round(n / s) };
}

async function lag() {
  const dataDir = tempDir('aether-bench-evals-');
  const port = await freePort();
  const child = spawnNode([join(root, 'bin/aether.js'), 'serve', '--data-dir', dataDir, '--port', String(port)], {
    cwd: root,
    env: cleanEnv({ LOG_LEVEL: 'warn' }),
    logFile: join(dataDir, 'server.log'),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/health/ready`, child);
  const { api_key: key } = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as { api_key: string };
  const load = await pacedTraces(url, key, (i) => JSON.stringify(trace(i)), rate, durationS);
  const queue = await waitForQueue(url, key, 60_000);
  const scored = await scoredTraces(dataDir, load.ids);
  await child.stop();
  return {
    target_rate: rate,
    achieved_rate: load.achieved_rate,
    sent: load.sent,
    accepted: load.accepted,
    evaluated: scored.scored,
    left_in_queue: queue.left,
    lag_ms: scored.lag_ms,
  };
}

async function main() {
  cleanupOnSignals();
  console.error('local metric throughput…');
  const tp = await throughput();
  console.error(`  ${tp.traces_per_s_per_core} traces/s per core`);
  console.error(`ingest-to-score lag at ${rate} traces/s for ${durationS} s on PGlite…`);
  const lg = await lag();
  console.error(`  lag p50 ${lg.lag_ms.p50} ms, p95 ${lg.lag_ms.p95} ms, p99 ${lg.lag_ms.p99} ms`);
  const result = { generated_at: new Date().toISOString(), node: process.version, throughput: tp, lag: lg };
  const md = [
    '# Evaluation benchmark',
    '',
    `- ${result.generated_at} · Node ${process.version} · 2-core machine; load generator, server and worker share it`,
    '',
    '| Measure | Value | Target | Met |',
    '| --- | ---: | ---: | --- |',
    `| Local metrics (${tp.metrics.join(', ')}), one core | ${tp.traces_per_s_per_core.toLocaleString('en-US')} traces/s | ≥ 2,000 | ${tp.traces_per_s_per_core >= 2000 ? '✅' : '❌'} |`,
    `| Ingest-to-score lag at ${rate} traces/s on PGlite (p50 / p95 / p99) | ${lg.lag_ms.p50} / ${lg.lag_ms.p95} / ${lg.lag_ms.p99} ms | p95 < 2,000 ms | ${lg.lag_ms.p95 < 2000 ? '✅' : '❌'} |`,
    `| Traces sent / accepted / evaluated / left in queue | ${lg.sent} / ${lg.accepted} / ${lg.evaluated} / ${lg.left_in_queue} | | |`,
    `| Achieved ingest rate | ${lg.achieved_rate} traces/s | ${rate} | |`,
    '',
    'Lag = last evaluation row written − trace row written, per trace, read from the server\'s embedded store.',
    '',
  ].join('\n');
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/evals.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(root, 'bench/results/evals.md'), md);
  console.log(md);
}

try {
  await main();
} finally {
  await cleanupAll();
}
