// Route decision overhead: `router.route()` in process with 50 priced models in the catalog and the
// MMLU train half (7,113 prompts) in the neighbour index, beside the same decision with an empty
// index. Wall and CPU time per decision; writes bench/results/router-overhead.{json,md}.
//   npx tsx bench/router/overhead.ts     (env: OVERHEAD_N=3000, OVERHEAD_WARMUP=500)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/core/config.js';
import { createAether } from '../../src/app.js';
import { openStore } from '../../src/storage/index.js';
import { round, summarize } from '../lib/stats.js';
import { G, loadMmlu, M } from './mmlu-data.js';

const N = Number(process.env.OVERHEAD_N ?? 3000);
const WARMUP = Number(process.env.OVERHEAD_WARMUP ?? 500);
const { train, test } = loadMmlu();
const dir = mkdtempSync(join(tmpdir(), 'aether-bench-router-oh-'));
const store = await openStore({ dataDir: dir });
const aether = await createAether(parseConfig({ AETHER_DATA_DIR: dir, LOG_LEVEL: 'silent', AETHER_WORKER: 'false' }), { store, logger: false });
const org = await store.organizations.create({ name: 'bench' });
const project = await store.projects.create({ orgId: org.id, name: 'mmlu' });
const empty = await store.projects.create({ orgId: org.id, name: 'empty' });
const router = aether.router;

// The train half's outcomes, as the live bench's feedback leaves them (the index and the catalog).
const obs = train.flatMap((r) => [M, G].map((m) => ({ projectId: project.id, traceId: `${r.id}.${m}`, model: m, prompt: r.prompt, metric: 'feedback', score: r.correct[m] ? 1 : 0 })));
for (let i = 0; i < obs.length; i += 2000) await router.catalog.observeQuality(obs.slice(i, i + 2000));
// 50 priced models, each with quality and latency figures.
const fifty = Array.from({ length: 50 }, (_, i) => ({ model: `m${i}`, inputPerToken: (i + 1) * 1e-7, outputPerToken: (i + 1) * 3e-7 }));
for (const p of [project.id, empty.id]) {
  await router.catalog.observeQuality(fifty.flatMap((c, i) => Array.from({ length: 4 }, (_, j) => ({ projectId: p, traceId: `o-${i}-${j}`, model: c.model, prompt: 'What is the capital of France?', metric: 'feedback', score: (i % 10) / 10 + (j % 2) * 0.05 }))));
  await router.catalog.observeCalls(fifty.map((c, i) => ({ projectId: p, model: c.model, prompt: 'What is the capital of France?', latencyMs: 200 + i * 10, error: false })));
  await router.prepare(p);
}
await router.refresh();
const candidates = [...fifty, { model: M, inputPerToken: 6e-7, outputPerToken: 6e-7 }, { model: G, inputPerToken: 1e-5, outputPerToken: 3e-5 }];

function measure(label: string, projectId: string) {
  const bodies = test.map((r) => ({ messages: [{ role: 'user', content: r.prompt }] }));
  const headers = { 'x-aether-min-quality': '0.6' };
  for (let i = 0; i < WARMUP; i++) router.route({ projectId, body: bodies[i % bodies.length]!, headers, candidates, explore: true });
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < N; i++) {
    const body = bodies[(WARMUP + i) % bodies.length]!;
    const c0 = process.cpuUsage();
    const t = performance.now();
    router.route({ projectId, body, headers, candidates, explore: true });
    wall.push(performance.now() - t);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const s = summarize(wall);
  const u = summarize(cpu);
  return { label, wall_ms: { p50: round(s.p50, 3), p99: round(s.p99, 3), max: round(s.max, 2) }, cpu_ms: { p50: round(u.p50, 3), p99: round(u.p99, 3) } };
}
const load = loadavg()[0]!;
const rows = [measure(`${candidates.length} models, ${router.catalog.index(project.id).size} prompts in the neighbour index`, project.id), measure(`${candidates.length} models, empty neighbour index`, empty.id)];
console.log(rows, { load });
const result = { date: new Date().toISOString(), decisions: N, warmup: WARMUP, load_avg_1m: round(load, 1), rows };
writeFileSync('bench/results/router-overhead.json', JSON.stringify(result, null, 2) + '\n');
writeFileSync(
  'bench/results/router-overhead.md',
  `# Route decision overhead

Run: \`npx tsx bench/router/overhead.ts\` (${result.date}; load average ${result.load_avg_1m} on 2 shared cores, so wall
times are inflated; CPU time is the process's own user+system time per decision, microsecond resolution).
\`router.route()\` in process, explore on, a different MMLU test prompt per decision, ${N} decisions after ${WARMUP} warm-up.

| setting | wall p50 ms | wall p99 ms | wall max ms | CPU p50 ms | CPU p99 ms |
|---|---|---|---|---|---|
${rows.map((r) => `| ${r.label} | ${r.wall_ms.p50} | ${r.wall_ms.p99} | ${r.wall_ms.max} | ${r.cpu_ms.p50} | ${r.cpu_ms.p99} |`).join('\n')}

Targets: p50 < 0.2 ms, p99 < 1 ms with 50 models.
`,
);
await aether.close();
rmSync(dir, { recursive: true, force: true });
