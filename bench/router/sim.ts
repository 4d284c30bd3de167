// Multi-objective routing simulation through a real `aether serve` (embedded PGlite): five models
// behind local OpenAI-compatible servers (bench/router/sim-world.ts), a mixed workload with SLO
// headers sent as `model: "auto"`, each answer scored and sent back with
// POST /api/v1/traces/{id}/feedback, one model's accuracy halved half-way. Then the gateway's added
// latency with routing on, beside the direct-to-mock baseline and a named model, in the same run.
// Writes bench/results/router-sim.{json,md}.
//   npm run bench:router:sim      (env: SIM_N=3000, SIM_CONCURRENCY=8, SIM_OVERHEAD_N=1000, SIM_WARMUP=300)
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanupAll, cleanupOnSignals } from '../lib/cleanup.js';
import { round } from '../lib/stats.js';
import { measureAdded, root, sendFeedback as sendFeedbackTo, startSimServer } from './sim-server.js';
import { callCost, MODELS, oracleCeiling, OUTPUT_TOKENS, promptFor, registry, rng, TASKS, type Task } from './sim-world.js';

const N = Number(process.env.SIM_N ?? 3000);
const CONCURRENCY = Number(process.env.SIM_CONCURRENCY ?? 8);
const OVERHEAD_N = Number(process.env.SIM_OVERHEAD_N ?? 1000);
const WARMUP = Number(process.env.SIM_WARMUP ?? 300);
const SEED_PER_MODEL = 20;
cleanupOnSignals();
const started = Date.now();
const loads: number[] = [loadavg()[0]!];

// 1. Supply: one mock server per model behind a real server (sim-server.ts).
// The router setting under test: cheapest within 0.03 of the best predicted quality.
const ROUTER_SETTINGS = { models: MODELS.map((m) => m.id), default_policy: 'cheapest', min_quality: 0, quality_gap: 0.03 };
const sim = await startSimServer(ROUTER_SETTINGS);
const { state, mocks, base, auth, api } = sim;
const byId = new Map(MODELS.map((m) => [m.id, m]));

// 2. Workload: tasks in rotation, a quarter of them with each SLO header kind, the rest without.
interface Req {
  i: number;
  task: Task;
  prompt: string;
  headers: Record<string, string>;
  slo: { maxLatencyMs?: number; maxCostUsd?: number; minQuality?: number };
}
const pick = rng(99);
const makeReq = (i: number): Req => {
  const task = TASKS[Math.floor(pick() * TASKS.length)]!;
  const prompt = promptFor(task, i);
  registry.set(prompt, { task, answer: `a${i}` });
  const u = pick();
  const slo: Req['slo'] = u < 0.2 ? { maxLatencyMs: 600 } : u < 0.35 ? { minQuality: 0.9 } : u < 0.5 ? { maxCostUsd: 0.0005 } : {};
  const headers: Record<string, string> = {};
  if (slo.maxLatencyMs) headers['x-aether-max-latency-ms'] = String(slo.maxLatencyMs);
  if (slo.minQuality) headers['x-aether-min-quality'] = String(slo.minQuality);
  if (slo.maxCostUsd) headers['x-aether-max-cost-usd'] = String(slo.maxCostUsd);
  return { i, task, prompt, headers, slo };
};

interface Outcome {
  req: Req;
  phase: 'seed' | 'auto';
  status: number;
  model: string | null;
  latencyMs: number;
  costUsd: number;
  promptTokens: number;
  correct: boolean;
  /** The chosen model's true accuracy on this task at the time of the call. */
  trueAccuracy: number;
  /** The world's accuracy multipliers when the call was made (for the oracle). */
  degrade: ReadonlyMap<string, number>;
  why?: string;
}
const feedbackQueue: Array<{ traceId: string; score: number; tries: number }> = [];
let feedbackSent = 0;
let feedbackLost = 0;
async function feedbackLoop(stop: () => boolean): Promise<void> {
  while (!stop() || feedbackQueue.length) {
    const f = feedbackQueue.shift();
    if (!f) {
      await sleep(20);
      continue;
    }
    const r = await api('POST', `/api/v1/traces/${f.traceId}/feedback`, { score: f.score });
    if (r.status === 200) feedbackSent++;
    else if (r.status === 404 && f.tries < 100) {
      // The gateway writes its trace a moment after answering: try again shortly.
      f.tries++;
      setTimeout(() => feedbackQueue.push(f), 50);
      await sleep(5);
    } else feedbackLost++;
  }
}

async function sendFeedback(traceId: string, score: number): Promise<void> {
  if (await sendFeedbackTo(sim, traceId, score)) feedbackSent++;
  else feedbackLost++;
}

async function call(req: Req, model: string, phase: Outcome['phase']): Promise<Outcome> {
  const t0 = performance.now();
  const degrade = new Map(state.degrade);
  const r = await fetch(`${base}/v1/chat/completions`, { method: 'POST', headers: { ...auth, ...req.headers }, body: JSON.stringify({ model, messages: [{ role: 'user', content: req.prompt }] }) });
  const text = await r.text();
  const latencyMs = performance.now() - t0;
  if (r.status !== 200) return { req, phase, status: r.status, model: null, latencyMs, costUsd: 0, promptTokens: 0, correct: false, trueAccuracy: 0, degrade, why: text.slice(0, 300) };
  const body = JSON.parse(text) as { choices: Array<{ message: { content: string } }>; usage: { prompt_tokens: number; completion_tokens: number } };
  const served = r.headers.get('x-aether-model') ?? model;
  const m = byId.get(served)!;
  const correct = body.choices[0]!.message.content === `ANSWER: ${registry.get(req.prompt)!.answer}`;
  const traceId = r.headers.get('x-aether-trace-id');
  // Each client sends the score before its next request, so feedback keeps pace with the traffic
  // (queued apart, it fell ~900 requests behind on the embedded store of this loaded machine).
  if (traceId) await sendFeedback(traceId, correct ? 1 : 0);
  return { req, phase, status: 200, model: served, latencyMs, costUsd: callCost(m, body.usage.prompt_tokens, body.usage.completion_tokens), promptTokens: body.usage.prompt_tokens, correct, trueAccuracy: m.accuracy[req.task] * (degrade.get(m.id) ?? 1), degrade };
}

let feedbackDone = false;
const feedbackRun = Promise.all(Array.from({ length: 8 }, () => feedbackLoop(() => feedbackDone)));

// 3. Seed: a few named calls per model (as an app's explicit traffic would), scored like the rest.
const outcomes: Outcome[] = [];
let seq = 0;
for (const m of MODELS) for (let j = 0; j < SEED_PER_MODEL; j++) outcomes.push(await call(makeReq(seq++), m.id, 'seed'));
while (feedbackQueue.length) await sleep(50);
await sleep(1500); // the router's snapshot refresh (1 s) picks up the seeded latencies and scores

// 4. The auto workload, CONCURRENCY clients; at N/2 the model with the most auto traffic that is
// not the best overall loses half its accuracy.
const best = [...MODELS].sort((a, b) => TASKS.reduce((s, t) => s + b.accuracy[t], 0) - TASKS.reduce((s, t) => s + a.accuracy[t], 0))[0]!;
const auto: Outcome[] = [];
let next = 0;
let degraded: { model: string; at: number } | undefined;
// Every 100 auto requests after the drop: the degraded model's share of them and what a dry run on a
// prompt of each task predicts for it (quality, its lower bound, the drift), to see how it loses traffic.
const driftTrace: Array<{ after: number; share: number; by_task: Record<string, { quality: number; quality_low: number | null; drift: number; chosen: string | null }> }> = [];
async function traceDrift(): Promise<void> {
  const name = degraded!.model;
  const after = auto.length - degraded!.at;
  const window = auto.slice(-100);
  const byTask: (typeof driftTrace)[number]['by_task'] = {};
  for (const t of TASKS) {
    const r = await api('POST', '/api/v1/router/route', { model: 'auto', messages: [{ role: 'user', content: promptFor(t, 900_000 + after) }] });
    const c = (r.body.candidates as Array<{ model: string; quality: number; quality_low?: number; evidence: { drift: number } }> | undefined)?.find((x) => x.model === name);
    if (c) byTask[t] = { quality: round(c.quality, 3), quality_low: c.quality_low === undefined ? null : round(c.quality_low, 3), drift: round(c.evidence.drift, 3), chosen: (r.body.model as string | null) ?? null };
  }
  driftTrace.push({ after, share: round(window.filter((o) => o.model === name).length / Math.max(1, window.length), 3), by_task: byTask });
}
const tAuto = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    for (;;) {
      const i = next++;
      if (i >= N) return;
      if (i === Math.floor(N / 2)) {
        const counts = new Map<string, number>();
        for (const o of auto) if (o.model && o.model !== best.id) counts.set(o.model, (counts.get(o.model) ?? 0) + 1);
        const model = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
        state.degrade.set(model, 0.5);
        degraded = { model, at: auto.length };
        console.error(`request ${i}: ${model} now answers half as well`);
        loads.push(loadavg()[0]!);
      }
      const o = await call(makeReq(seq++), 'auto', 'auto');
      auto.push(o);
      if (degraded && (auto.length - degraded.at) % 100 === 0 && auto.length > degraded.at) await traceDrift();
      if (auto.length % 500 === 0) console.error(`  ${auto.length}/${N} auto requests, ${Math.round((performance.now() - tAuto) / 1000)} s, feedback queued ${feedbackQueue.length}`);
    }
  }),
);
const autoS = (performance.now() - tAuto) / 1000;
loads.push(loadavg()[0]!);
feedbackDone = true;
await feedbackRun;
console.error(`feedback drained at ${Math.round((Date.now() - started) / 1000)} s; measuring added latency…`);

// 5. Figures.
const ok = auto.filter((o) => o.status === 200);
const routerCost = ok.reduce((s, o) => s + o.costUsd, 0);
const bestCost = auto.reduce((s, o) => s + callCost(best, o.promptTokens || Math.ceil(o.req.prompt.length / 4) + 4, OUTPUT_TOKENS[o.req.task]), 0);
const bestQuality = auto.reduce((s, o) => s + best.accuracy[o.req.task], 0) / auto.length;
const routerQuality = auto.reduce((s, o) => s + o.trueAccuracy, 0) / auto.length;
const realised = auto.filter((o) => o.correct).length / auto.length;
// The world's ceiling: an oracle knowing every model's true accuracy per task (and the drop) at 97% of
// always-best quality, honouring each request's SLO headers; and the same without the drop and SLOs.
const oracleReqs = auto.map((o) => ({ task: o.req.task, promptTokens: o.promptTokens || Math.ceil(o.req.prompt.length / 4) + 4, slo: o.req.slo, degrade: o.degrade }));
const ceilingOf = (reqs: typeof oracleReqs, target = 0.97 * bestQuality) => {
  const c = oracleCeiling(reqs, target);
  return { cost_saved: round(1 - c.cost_usd / bestCost, 4), quality_ratio: round(c.quality / bestQuality, 4), cost_usd: round(c.cost_usd, 4) };
};
const ceiling = { as_run: ceilingOf(oracleReqs), at_router_quality: ceilingOf(oracleReqs, routerQuality), without_drop: ceilingOf(oracleReqs.map((r) => ({ ...r, degrade: new Map() }))), without_drop_or_slo: ceilingOf(oracleReqs.map((r) => ({ ...r, slo: {}, degrade: new Map() }))) };
const withSlo = auto.filter((o) => Object.keys(o.req.slo).length > 0);
const violation = (o: Outcome): string | null => {
  if (o.status !== 200) return `HTTP ${o.status}`;
  if (o.req.slo.maxLatencyMs !== undefined && o.latencyMs > o.req.slo.maxLatencyMs) return 'latency';
  if (o.req.slo.maxCostUsd !== undefined && o.costUsd > o.req.slo.maxCostUsd) return 'cost';
  if (o.req.slo.minQuality !== undefined && o.trueAccuracy < o.req.slo.minQuality) return 'quality';
  return null;
};
const violations = withSlo.map((o) => ({ o, v: violation(o) })).filter((x) => x.v !== null);
const violationKinds: Record<string, number> = {};
for (const { v } of violations) violationKinds[v!] = (violationKinds[v!] ?? 0) + 1;
const errorsAll = auto.filter((o) => o.status !== 200);
// Traffic off the degraded model: requests after the drop until the first window of 100 routed
// requests in which it serves under 5% (and its share before the drop, for scale).
const WINDOW = 100;
let movedAfter: number | null = null;
let shareBefore = 0;
if (degraded) {
  const before = auto.slice(Math.max(0, degraded.at - 500), degraded.at);
  shareBefore = before.filter((o) => o.model === degraded!.model).length / before.length;
  const after = auto.slice(degraded.at);
  for (let s = 0; s + WINDOW <= after.length; s++) {
    if (after.slice(s, s + WINDOW).filter((o) => o.model === degraded!.model).length < 0.05 * WINDOW) {
      movedAfter = s;
      break;
    }
  }
}
const share = (os: Outcome[]) => Object.fromEntries(MODELS.map((m) => [m.id, round(os.filter((o) => o.model === m.id).length / Math.max(1, os.length), 3)]));
const perTask = Object.fromEntries(TASKS.map((t) => [t, share(auto.filter((o) => o.req.task === t))]));

// 6. Gateway added latency with routing on (sim-server.ts): upstream latency off; sequential on one
// connection each, blocks interleaved (direct → named → auto), WARMUP requests per kind first.
const prompts = Array.from({ length: 200 }, (_, j) => makeReq(100_000 + j).prompt);
loads.push(loadavg()[0]!);
const overhead = await measureAdded(sim, prompts, { warmup: WARMUP, n: OVERHEAD_N });
loads.push(loadavg()[0]!);
const lat = overhead.latency_ms;

const result = {
  date: new Date().toISOString(),
  duration_s: round((Date.now() - started) / 1000, 1),
  load_avg_1m: loads.map((l) => round(l, 1)),
  models: MODELS,
  router_settings: ROUTER_SETTINGS,
  requests: { seed: outcomes.length, auto: N, concurrency: CONCURRENCY, auto_seconds: round(autoS, 1), feedback_sent: feedbackSent, feedback_lost: feedbackLost, errors: errorsAll.length, first_errors: errorsAll.slice(0, 3).map((o) => `${o.status} ${o.why}`) },
  always_best: { model: best.id, cost_usd: round(bestCost, 4), expected_quality: round(bestQuality, 4) },
  router: { cost_usd: round(routerCost, 4), expected_quality: round(routerQuality, 4), realised_quality: round(realised, 4) },
  cost_saved: round(1 - routerCost / bestCost, 4),
  ceiling,
  quality_ratio: round(routerQuality / bestQuality, 4),
  slo: { requests_with_slo: withSlo.length, violations: violations.length, rate: round(violations.length / Math.max(1, withSlo.length), 4), by_kind: violationKinds, examples: violations.slice(0, 5).map(({ o, v }) => ({ v, model: o.model, task: o.req.task, slo: o.req.slo, latency_ms: round(o.latencyMs, 1), cost_usd: o.costUsd })) },
  degradation: degraded ? { model: degraded.model, at_request: degraded.at, share_before: round(shareBefore, 3), moved_off_after_requests: movedAfter, window: WINDOW, trace: driftTrace } : null,
  share_first_half: share(auto.slice(0, Math.floor(N / 2))),
  share_second_half: share(auto.slice(Math.floor(N / 2))),
  share_per_task: perTask,
  overhead,
};
console.log(JSON.stringify(result, null, 2));
writeFileSync(join(root, 'bench/results/router-sim.json'), JSON.stringify(result, null, 2) + '\n');
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const md = `# Router simulation (multi-objective, through the gateway)

Run: \`npm run bench:router:sim\` (${result.date}, ${result.duration_s} s; load average ${result.load_avg_1m.join(' → ')} on
2 cores shared with other helpers' builds and tests, so latencies are noisy).

A real \`aether serve --no-worker\` (embedded PGlite) with five openai-compatible endpoints, each a local mock server
returning \`chat.completion\` bodies with usage, per-project prices from the pricing table's list prices, log-normal
latencies and per-task accuracy (bench/router/sim-world.ts). ${outcomes.length} named seed calls (${SEED_PER_MODEL} per model), then
${N} \`model: "auto"\` requests from ${CONCURRENCY} concurrent clients (${result.requests.auto_seconds} s), tasks drawn at random from
${TASKS.join(', ')}; 20% carry \`x-aether-max-latency-ms: 600\`, 15% \`x-aether-min-quality: 0.9\`, 15%
\`x-aether-max-cost-usd: 0.0005\`. Each answer is checked against the expected one and its score (1/0) sent to
\`POST /api/v1/traces/{id}/feedback\` (${feedbackSent} sent, ${feedbackLost} lost). Router settings: \`${JSON.stringify(ROUTER_SETTINGS)}\`, exploration on (default cap).
At request ${degraded?.at ?? '-'} the model with the most auto traffic other than the best (${degraded?.model ?? '-'}) starts answering with half its accuracy.

| model | $/M in | $/M out | p50 ms (100 tok) | ${TASKS.join(' | ')} | share 1st half | share 2nd half |
|---|---|---|---|${TASKS.map(() => '---|').join('')}---|---|
${MODELS.map((m) => `| ${m.id} | ${m.inputPerMtok} | ${m.outputPerMtok} | ${m.p50Ms} | ${TASKS.map((t) => m.accuracy[t]).join(' | ')} | ${pct(result.share_first_half[m.id]!)} | ${pct(result.share_second_half[m.id]!)} |`).join('\n')}

| figure | value | target |
|---|---|---|
| cost saved vs always-best (${best.id}) | ${pct(result.cost_saved)} ($${result.router.cost_usd} vs $${result.always_best.cost_usd}) | ≥ 60% |
| the world's ceiling: oracle cost saved at 97% of always-best quality (true accuracies, SLOs honoured; without the drop; without the drop or SLOs) | ${pct(ceiling.as_run.cost_saved)}; ${pct(ceiling.without_drop.cost_saved)}; ${pct(ceiling.without_drop_or_slo.cost_saved)} | |
| the same oracle at the router's own quality (${pct(result.quality_ratio)}) | ${pct(ceiling.at_router_quality.cost_saved)} | |
| quality vs always-best (expected accuracy of the chosen models) | ${pct(result.quality_ratio)} (${pct(routerQuality)} vs ${pct(bestQuality)}; realised ${pct(realised)}) | ≥ 97% |
| SLO violations (of ${withSlo.length} requests with an SLO header) | ${pct(result.slo.rate)} (${JSON.stringify(violationKinds)}) | < 1% |
| requests until traffic moves off the degraded model (first ${WINDOW}-request window with < 5% of it; ${pct(shareBefore)} before) | ${movedAfter ?? 'never'} | ≤ 500 |
| errors (non-200) among auto requests | ${errorsAll.length} | |

The ceiling's oracle knows each model's true accuracy per task and when the drop happens, and gives each request the
model minimising cost − λ·accuracy among those meeting its SLO headers (cost exactly, quality floor on the true
accuracy, latency by the mock's p95), with the least λ whose mean accuracy reaches 97% of always-best
(\`oracleCeiling\` in sim-world.ts). A learning router cannot beat it.

Degraded model after the drop, per 100 requests (share of those requests; per task, a dry run's quality / quality_low / drift for it, and the model the dry run chose):

| after | share | ${TASKS.join(' | ')} |
|---|---|${TASKS.map(() => '---|').join('')}
${driftTrace.map((d) => `| ${d.after} | ${pct(d.share)} | ${TASKS.map((t) => { const x = d.by_task[t]; return x ? `${x.quality} / ${x.quality_low ?? '-'} / ${x.drift} → ${(x.chosen ?? '-').split('/')[1]}` : '-'; }).join(' | ')} |`).join('\n')}

SLO violation = the client-measured latency above \`x-aether-max-latency-ms\`, the call's cost (the mock's usage at the
model's price) above \`x-aether-max-cost-usd\`, or the chosen model's true accuracy on the task (after the drop, for the
degraded model) below \`x-aether-min-quality\`; a non-200 answer also counts.

## Gateway added latency with routing on (sequential, warm)

Upstream latency set to 0; one client, ${OVERHEAD_N} requests per kind in interleaved blocks of 100 (direct → named →
auto), after ${WARMUP} warm-up requests per kind; a different workload prompt per request; tracing on.

| path | p50 ms | p90 ms | p99 ms |
|---|---|---|---|
| direct to the mock (baseline) | ${lat.direct.p50} | ${lat.direct.p90} | ${lat.direct.p99} |
| gateway, named model (\`${overhead.named_model}\`) | ${lat.named.p50} | ${lat.named.p90} | ${lat.named.p99} |
| gateway, \`model: "auto"\` | ${lat.auto.p50} | ${lat.auto.p90} | ${lat.auto.p99} |

Added p50: named ${overhead.added_ms.named.p50} ms, auto ${overhead.added_ms.auto.p50} ms (routing itself ${overhead.added_ms.routing_only_p50} ms); \`npm run bench:router:added\` measures it alone. Target: auto ≤ 0.5 ms added p50.
`;
writeFileSync(join(root, 'bench/results/router-sim.md'), md);
console.log(md);
for (const x of mocks) x.server.close();
await cleanupAll();
