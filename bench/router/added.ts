// Gateway added latency with routing on: a real `aether serve` in front of the simulation's five
// mock models (sim-server.ts), a few scored named calls so the router has figures and neighbours,
// then one client, sequential on one keep-alive connection per origin, after a warm-up: direct to
// the mock (the baseline) → a named model → `model: "auto"`, in interleaved blocks of 100.
// Writes bench/results/router-added.{json,md}.
//   npm run bench:router:added      (env: ADDED_N=2000, ADDED_WARMUP=2000, ADDED_SEED=40)
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanupAll, cleanupOnSignals } from '../lib/cleanup.js';
import { round } from '../lib/stats.js';
import { measureAdded, root, sendFeedback, startSimServer } from './sim-server.js';
import { MODELS, promptFor, registry, TASKS } from './sim-world.js';

const N = Number(process.env.ADDED_N ?? 2000);
const WARMUP = Number(process.env.ADDED_WARMUP ?? 2000);
const SEED = Number(process.env.ADDED_SEED ?? 40);
cleanupOnSignals();
const loads = [loadavg()[0]!];
const started = Date.now();

const ROUTER_SETTINGS = { models: MODELS.map((m) => m.id), default_policy: 'cheapest', min_quality: 0, quality_gap: 0.03 };
const sim = await startSimServer(ROUTER_SETTINGS);
const prompt = (i: number) => {
  const task = TASKS[i % TASKS.length]!;
  const p = promptFor(task, i);
  registry.set(p, { task, answer: `a${i}` });
  return p;
};

// Scored named calls per model: the router then has latency figures, quality and a neighbour index.
let seq = 0;
let scored = 0;
for (const m of MODELS)
  for (let j = 0; j < SEED; j++) {
    const p = prompt(seq++);
    const r = await fetch(`${sim.base}/v1/chat/completions`, { method: 'POST', headers: sim.auth, body: JSON.stringify({ model: m.id, messages: [{ role: 'user', content: p }] }) });
    const body = (await r.json()) as { choices?: Array<{ message: { content: string } }> };
    const traceId = r.headers.get('x-aether-trace-id');
    const correct = body.choices?.[0]?.message.content === `ANSWER: ${registry.get(p)!.answer}`;
    if (traceId && (await sendFeedback(sim, traceId, correct ? 1 : 0))) scored++;
  }
await sleep(1500); // the router's snapshot refresh (1 s) picks up the seeded figures
loads.push(loadavg()[0]!);

const prompts = Array.from({ length: 500 }, (_, j) => prompt(100_000 + j));
const added = await measureAdded(sim, prompts, { warmup: WARMUP, n: N });
loads.push(loadavg()[0]!);

const result = { date: new Date().toISOString(), duration_s: round((Date.now() - started) / 1000, 1), load_avg_1m: loads.map((l) => round(l, 1)), seed_calls_scored: scored, router_settings: ROUTER_SETTINGS, ...added };
console.log(JSON.stringify(result, null, 2));
writeFileSync(join(root, 'bench/results/router-added.json'), JSON.stringify(result, null, 2) + '\n');
const lat = added.latency_ms;
const md = `# Gateway added latency with routing on

Run: \`npm run bench:router:added\` (${result.date}, ${result.duration_s} s; load average ${result.load_avg_1m.join(' → ')} on 2 cores shared
with other work, so wall times are inflated).

A real \`aether serve --no-worker\` (embedded PGlite, tracing on) in front of five local OpenAI-compatible mocks with
upstream latency off (bench/router/sim-server.ts, the simulation's supply); ${scored} scored named calls first (${SEED} per
model), so \`auto\` routes with figures and a neighbour index. One client, sequential, on one keep-alive connection per
origin: ${WARMUP} warm-up requests per kind, then ${N} per kind in interleaved blocks of 100 (direct → named → auto), a
different workload prompt per request.

| path | p50 ms | p90 ms | p99 ms | added p50 ms | added p99 ms | server CPU ms / request |
|---|---|---|---|---|---|---|
| direct to the mock (baseline) | ${lat.direct.p50} | ${lat.direct.p90} | ${lat.direct.p99} | | | |
| gateway, named model (\`${added.named_model}\`) | ${lat.named.p50} | ${lat.named.p90} | ${lat.named.p99} | ${added.added_ms.named.p50} | ${added.added_ms.named.p99} | ${added.server_cpu_ms_per_request.named} |
| gateway, \`model: "auto"\` | ${lat.auto.p50} | ${lat.auto.p90} | ${lat.auto.p99} | ${added.added_ms.auto.p50} | ${added.added_ms.auto.p99} | ${added.server_cpu_ms_per_request.auto} |

Routing itself (auto − named, p50): ${added.added_ms.routing_only_p50} ms. Target: auto ≤ 0.5 ms added p50. Server CPU is the
\`aether serve\` process's user + system time over the measured blocks (/proc, 10 ms ticks) divided by their requests.
`;
writeFileSync(join(root, 'bench/results/router-added.md'), md);
console.log(md);
for (const x of sim.mocks) x.server.close();
await cleanupAll();
