/**
 * SDK benchmark: time added per traced call on the caller's thread (no network: a stub transport),
 * and export throughput of the real SDK into a real `aether serve` on embedded PGlite.
 * Writes bench/results/sdk.json and .md.   npm run build && npx tsx bench/sdk/overhead.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AetherClient, type FetchLike } from '../../sdk/src/index.js';
import { cleanupAll, cleanupOnSignals } from '../lib/cleanup.js';
import { cleanEnv, freePort, spawnNode, tempDir, waitForOk } from '../lib/proc.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const CALLS = 100_000;
const EXPORT_TRACES = Number(process.env.BENCH_EXPORT_TRACES ?? 50_000);

const okFetch: FetchLike = async () => ({ ok: true, status: 207, headers: { get: () => null }, text: async () => '{"accepted":0,"duplicates":0,"rejected":0,"results":[]}' });

function perCallUs(fn: (i: number) => unknown, n: number): number {
  for (let i = 0; i < 5000; i++) fn(i); // warm-up (JIT)
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  return Number(process.hrtime.bigint() - t) / 1000 / n;
}

async function overhead() {
  // A large queue and a long interval keep delivery off the measured loop; it runs after.
  const client = new AetherClient({ apiKey: 'ae_bench', fetch: okFetch, flushIntervalMs: 3_600_000, batchSize: 1000, maxQueue: CALLS * 4, flushOnExit: false });
  const answer = (q: string) => `answer to ${q.length}`;
  const traced = client.trace(answer, { name: 'rag' });
  const contexts = [{ text: 'Paris is the capital of France.', source: 'doc_1', score: 0.9 }];
  const results = {
    plain_us: 0,
    trace_us: 0,
    trace_span_us: 0,
  };
  const runs = 5;
  const plain: number[] = [], tr: number[] = [], sp: number[] = [];
  for (let r = 0; r < runs; r++) {
    plain.push(perCallUs((i) => answer(`q${i}`), CALLS));
    tr.push(perCallUs((i) => traced(`q${i}`), CALLS));
    sp.push(
      perCallUs(
        (i) =>
          client.traceSpan((s) => {
            s.addContexts(contexts);
            s.setUsage({ inputTokens: 120, outputTokens: 30, model: 'gpt-4o-mini' });
            s.setResponse(answer(`q${i}`));
          }, { name: 'rag', query: `q${i}` }),
        CALLS,
      ),
    );
    await client.flush(); // deliver between runs so the queue never fills
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  results.plain_us = median(plain);
  results.trace_us = median(tr) - results.plain_us;
  results.trace_span_us = median(sp) - results.plain_us;
  await client.shutdown();
  return results;
}

async function exportThroughput() {
  const dataDir = tempDir('aether-bench-sdk-');
  const port = await freePort();
  const child = spawnNode([join(root, 'bin/aether.js'), 'serve', '--no-worker', '--data-dir', dataDir, '--port', String(port)], { cwd: root, env: cleanEnv({ LOG_LEVEL: 'warn' }), logFile: join(dataDir, 'server.log') });
  await waitForOk(`http://127.0.0.1:${port}/health/ready`, child);
  const { api_key } = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as { api_key: string };
  const client = new AetherClient({ apiKey: api_key, baseUrl: `http://127.0.0.1:${port}`, batchSize: 500, flushIntervalMs: 50, maxQueue: EXPORT_TRACES + 1000, flushOnExit: false });
  const t0 = performance.now();
  for (let i = 0; i < EXPORT_TRACES; i++) {
    client.traceSpan((s) => {
      s.addContexts([{ text: `context ${i}`, source: 'doc', score: 0.5 }]);
      s.setUsage({ inputTokens: 100, outputTokens: 20, model: 'gpt-4o-mini' });
      s.setResponse('answer');
    }, { name: 'rag', query: `question ${i}` });
    if (i % 5000 === 4999) await new Promise((r) => setImmediate(r));
  }
  await client.flush();
  const seconds = (performance.now() - t0) / 1000;
  const stats = client.stats();
  await client.shutdown();
  await child.stop();
  return { traces: EXPORT_TRACES, seconds: Math.round(seconds * 100) / 100, traces_per_s: Math.round(stats.sent / seconds), stats };
}

async function main() {
  cleanupOnSignals();
  console.error('caller overhead…');
  const o = await overhead();
  console.error(`  trace() +${o.trace_us.toFixed(3)} µs, traceSpan() +${o.trace_span_us.toFixed(3)} µs per call`);
  console.error(`export throughput of ${EXPORT_TRACES} traces into aether serve (PGlite)…`);
  const e = await exportThroughput();
  console.error(`  ${e.traces_per_s} traces/s`);
  const md = [
    '# SDK benchmark',
    '',
    `- ${new Date().toISOString()} · Node ${process.version} · TypeScript SDK from source · ${CALLS.toLocaleString('en-US')} calls × 5 runs, median`,
    '',
    '| Measure | Value | Target |',
    '| --- | ---: | --- |',
    `| added per \`trace(fn)\` call, caller's thread | ${o.trace_us.toFixed(3)} µs | < 20 µs ${o.trace_us < 20 ? '✅' : '❌'} |`,
    `| added per \`traceSpan\` with contexts, usage and response | ${o.trace_span_us.toFixed(3)} µs | < 20 µs ${o.trace_span_us < 20 ? '✅' : '❌'} |`,
    `| export into \`aether serve\` (embedded PGlite, API only), batches of 500 | ${e.traces_per_s.toLocaleString('en-US')} traces/s | — |`,
    `| delivered / dropped / failed | ${e.stats.sent} / ${e.stats.dropped} / ${e.stats.failed} | all delivered |`,
    '',
  ].join('\n');
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/sdk.json'), JSON.stringify({ generated_at: new Date().toISOString(), overhead: o, export: e }, null, 2) + '\n');
  writeFileSync(join(root, 'bench/results/sdk.md'), md);
  console.log(md);
}

try {
  await main();
} finally {
  await cleanupAll();
}
