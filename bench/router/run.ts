// Router benchmarks: (a) MMLU routing (RouteLLM's data) through the real surface — the train half is
// batch-ingested as traces and scored with POST /api/v1/traces/{id}/feedback, then every test prompt
// is asked of POST /api/v1/router/route under `cheapest` with a quality floor; (b) the route
// decision's overhead with 50 models in the catalog. Writes bench/results/router.{md,json}.
import { writeFileSync } from 'node:fs';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { parseConfig } from '../../src/core/config.js';
import { createAether } from '../../src/app.js';
import { openStore } from '../../src/storage/index.js';
import { policies, type Prediction } from '../../src/router/index.js';
import { summarize, round } from '../lib/stats.js';
import { cost, curve as curveOf, G, loadMmlu, M, priceG, priceM, type Point, type Row } from './mmlu-data.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { train, test } = loadMmlu();

const dir = mkdtempSync(join(tmpdir(), 'aether-bench-router-'));
const store = await openStore({ dataDir: dir, databaseUrl: process.env.DATABASE_URL });
const aether = await createAether(parseConfig({ AETHER_DATA_DIR: dir, LOG_LEVEL: 'silent', AETHER_WORKER: 'false' }), { store, logger: false });
const org = await store.organizations.create({ name: 'bench' });
const project = await store.projects.create({ orgId: org.id, name: 'mmlu' });
const { key } = await store.apiKeys.create({ projectId: project.id });
const inject = aether.server.inject.bind(aether.server);
const headers = { 'content-type': 'application/json', 'x-api-key': key };
const post = async (url: string, body: unknown, extra: Record<string, string> = {}) => {
  const r = await inject({ method: 'POST', url, headers: { ...headers, ...extra }, payload: JSON.stringify(body) });
  if (r.statusCode >= 300 && r.statusCode !== 207) throw new Error(`${url} ${r.statusCode} ${r.body}`);
  return JSON.parse(r.body) as Record<string, unknown>;
};

// 1. Train half as traces (one per model and question), scored 1/0 by feedback.
let t0 = performance.now();
const traces = train.flatMap((r) => [M, G].map((m) => ({ id: `${r.id}.${m === G ? 'g' : 'm'}`, query: r.prompt, response: '?', model: m, input_tokens: countTokens(r.prompt), output_tokens: 1 })));
for (let i = 0; i < traces.length; i += 1000) await post('/api/v1/traces/batch', { traces: traces.slice(i, i + 1000) });
const ingestS = (performance.now() - t0) / 1000;
t0 = performance.now();
for (const r of train) for (const m of [M, G]) await post(`/api/v1/traces/${r.id}.${m === G ? 'g' : 'm'}/feedback`, { score: r.correct[m] ? 1 : 0 });
const feedbackS = (performance.now() - t0) / 1000;
console.log(`train: ${traces.length} traces in ${ingestS.toFixed(1)} s, feedback in ${feedbackS.toFixed(1)} s`);

// 2. Each test prompt asked once (predictions for both models); the sweep replays the same policy.
const candidates = [
  { model: M, input_per_token: priceM.input, output_per_token: priceM.output },
  { model: G, input_per_token: priceG.input, output_per_token: priceG.output },
];
t0 = performance.now();
const preds: Array<{ r: Row; qm: number; qg: number; p: Prediction[] }> = [];
for (const r of test) {
  const d = await post('/api/v1/router/route', { model: 'auto:cheapest', messages: [{ role: 'user', content: r.prompt }], candidates, max_tokens: 1 });
  const p = d.candidates as Prediction[];
  preds.push({ r, qm: p.find((x) => x.model === M)!.quality, qg: p.find((x) => x.model === G)!.quality, p });
}
const routeS = (performance.now() - t0) / 1000;
console.log(`test: ${test.length} route calls in ${routeS.toFixed(1)} s`);

const n = test.length;
const accOf = (m: string) => test.filter((r) => r.correct[m]).length / n;
const accM = accOf(M);
const accG = accOf(G);

const curve = (order: Row[]): Point[] => curveOf(test, order);
const savedAt = (pts: Point[], frac: number) => Math.max(...pts.filter((p) => p.accuracy >= frac * accG).map((p) => p.saved), Number.NEGATIVE_INFINITY);
const apgr = (pts: Point[]) => pts.reduce((s, p) => s + (p.accuracy - accM) / (accG - accM), 0) / pts.length;

// Floor relative to the best candidate (quality_gap δ): GPT-4 is taken where qg − qm > δ.
const byGap = [...preds].sort((a, b) => b.qg - b.qm - (a.qg - a.qm)).map((x) => x.r);
// Workload floor (quality_per_usd λ): GPT-4 is taken where (qg − qm) / (cg − cm) > λ.
const costPred = (x: (typeof preds)[number], m: string) => x.p.find((p) => p.model === m)!.cost_usd;
const byRate = [...preds].sort((a, b) => (b.qg - b.qm) / (costPred(b, G) - costPred(b, M)) - (a.qg - a.qm) / (costPred(a, G) - costPred(a, M))).map((x) => x.r);
// Absolute floor: GPT-4 is taken where qm < floor.
const byFloor = [...preds].sort((a, b) => a.qm - b.qm).map((x) => x.r);
// Random routing: the expected curve is the straight line; measured with a seeded shuffle.
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const shuffled = [...test].sort(() => rnd() - 0.5);
const oracle = [...test.filter((r) => r.correct[G] && !r.correct[M]), ...test.filter((r) => !(r.correct[G] && !r.correct[M]))];

// Check the replay against the live endpoint at a few floors.
const checks: Array<{ quality_gap: number; agree: number; gpt4Share: number; accuracy: number; saved: number }> = [];
for (const gap of [0.05, 0.1, 0.15, 0.2]) {
  let agree = 0;
  let acc = 0;
  let c = 0;
  let g4 = 0;
  const sample = preds.filter((_, i) => i % 7 === 0);
  for (const x of sample) {
    const d = await post('/api/v1/router/route', { model: 'auto:cheapest', messages: [{ role: 'user', content: x.r.prompt }], candidates, max_tokens: 1, quality_gap: gap, min_quality: 0 });
    const offline = policies.cheapest.choose(x.p.map((p) => ({ model: p.model, costUsd: p.cost_usd, latencyMs: p.latency_ms, quality: p.quality })), { minQuality: 0, qualityGap: gap, qualityPerUsd: null, weights: { quality: 1, cost: 0, latency: 0 } }).model;
    if (offline === d.model) agree++;
    const m = d.model as string;
    acc += x.r.correct[m] ? 1 : 0;
    c += cost(x.r, m);
    if (m === G) g4++;
  }
  const cg = sample.reduce((s, x) => s + cost(x.r, G), 0);
  checks.push({ quality_gap: gap, agree: agree / sample.length, gpt4Share: round(g4 / sample.length, 3), accuracy: round(acc / sample.length, 4), saved: round(1 - c / cg, 3) });
}

const table = {
  router_gap: curve(byGap),
  router_rate: curve(byRate),
  router_floor: curve(byFloor),
  random: curve(shuffled),
  oracle: curve(oracle),
};
const mmlu = Object.fromEntries(
  Object.entries(table).map(([k, pts]) => [k, { saved_at_95: round(savedAt(pts, 0.95), 3), saved_at_97: round(savedAt(pts, 0.97), 3), apgr: round(apgr(pts), 3) }]),
);
console.log({ accM, accG, mmlu, checks });

// (b) Overhead: 50 priced models, each with figures for the task type, and the MMLU prompt index.
const fifty = Array.from({ length: 50 }, (_, i) => ({ model: `m${i}`, inputPerToken: (i + 1) * 1e-7, outputPerToken: (i + 1) * 3e-7 }));
await aether.router.catalog.observeQuality(fifty.flatMap((c, i) => Array.from({ length: 4 }, (_, j) => ({ projectId: project.id, traceId: `o-${i}-${j}`, model: c.model, prompt: 'What is the capital of France?', metric: 'feedback', score: (i % 10) / 10 + (j % 2) * 0.05 }))));
await aether.router.catalog.observeCalls(fifty.map((c, i) => ({ projectId: project.id, model: c.model, prompt: 'What is the capital of France?', latencyMs: 200 + i * 10, error: false })));
await aether.router.prepare(project.id);
const measure = (label: string, prompt: string, projectId: string) => {
  const body = { messages: [{ role: 'user', content: prompt }] };
  for (let i = 0; i < 200; i++) aether.router.route({ projectId, body, headers: {}, candidates: fifty, explore: true });
  const s: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const t = performance.now();
    aether.router.route({ projectId, body, headers: { 'x-aether-min-quality': '0.6' }, candidates: fifty, explore: true });
    s.push(performance.now() - t);
  }
  return { label, ...summarize(s) };
};
const other = await store.projects.create({ orgId: org.id, name: 'small' });
const overhead = [
  measure(`50 models, ${train.length} prompts in the neighbour index`, test[0]!.prompt, project.id),
  measure('50 models, empty neighbour index (catalog priors only)', test[0]!.prompt, other.id),
];
console.log(overhead);

const result = { date: new Date().toISOString(), train: train.length, test: n, accuracy: { mixtral: round(accM, 4), gpt4: round(accG, 4) }, timings_s: { ingest: round(ingestS, 1), feedback: round(feedbackS, 1), route: round(routeS, 1) }, mmlu, checks, overhead };
writeFileSync('bench/results/router.json', JSON.stringify(result, null, 2) + '\n');
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const md = `# Router benchmarks

Run: \`npm run bench:router\` (${result.date}; a loaded 2-core machine shared with other builds, so
timings are noisy).

## MMLU routing (RouteLLM data, ${n} test prompts; train half ${train.length} questions × 2 models)

The train half went in through \`POST /api/v1/traces/batch\` (${traces.length} traces, ${result.timings_s.ingest} s) and
\`POST /api/v1/traces/{id}/feedback\` with the correctness as score (${result.timings_s.feedback} s). Each test prompt was then
asked of \`POST /api/v1/router/route\` (\`auto:cheapest\`; ${result.timings_s.route} s for all), which sees only the prompt text.
Accuracy: Mixtral ${pct(accM)}, GPT-4 ${pct(accG)}. Prices from the pricing table (Mixtral $0.60/M in and out, GPT-4-1106
$10/$30 per M), prompt tokens plus a one-token answer.

| router | cost saved at ≥95% of GPT-4 | at ≥97% | APGR |
|---|---|---|---|
| cheapest, floor relative to the best (\`quality_gap\` sweep) | ${pct(mmlu.router_gap!.saved_at_95)} | ${pct(mmlu.router_gap!.saved_at_97)} | ${mmlu.router_gap!.apgr} |
| cheapest, workload floor (\`quality_per_usd\` sweep: shortfall per USD saved) | ${pct(mmlu.router_rate!.saved_at_95)} | ${pct(mmlu.router_rate!.saved_at_97)} | ${mmlu.router_rate!.apgr} |
| cheapest, absolute floor (\`x-aether-min-quality\` sweep) | ${pct(mmlu.router_floor!.saved_at_95)} | ${pct(mmlu.router_floor!.saved_at_97)} | ${mmlu.router_floor!.apgr} |
| random | ${pct(mmlu.random!.saved_at_95)} | ${pct(mmlu.random!.saved_at_97)} | ${mmlu.random!.apgr} |
| oracle | ${pct(mmlu.oracle!.saved_at_95)} | ${pct(mmlu.oracle!.saved_at_97)} | ${mmlu.oracle!.apgr} |

Targets: ≥ 50% saved at 95%, APGR ≥ 0.66. The sweep replays the \`cheapest\` policy function over the predictions each
route call returned (a continuous floor); the live endpoint was also asked at four \`quality_gap\` floors on every
7th test prompt, and agreed with the replay on ${checks.map((c) => pct(c.agree)).join(', ')} of them:

| quality_gap | GPT-4 share | accuracy | cost saved |
|---|---|---|---|
${checks.map((c) => `| ${c.quality_gap} | ${pct(c.gpt4Share)} | ${pct(c.accuracy)} | ${pct(c.saved)} |`).join('\n')}

## Route decision overhead (\`router.route()\`, in process, explore on, 3,000 decisions after 200 warm-up)

| setting | p50 ms | p99 ms | max ms |
|---|---|---|---|
${overhead.map((o) => `| ${o.label} | ${o.p50} | ${o.p99} | ${o.max} |`).join('\n')}

Targets: p50 < 0.2 ms, p99 < 1 ms with 50 models.
`;
writeFileSync('bench/results/router.md', md);
await aether.close();
rmSync(dir, { recursive: true, force: true });
