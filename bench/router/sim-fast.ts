// A development harness (not a bench result): the workload of bench/router/sim.ts replayed in
// process against the router itself (createRouter over an in-memory catalog table), with the same
// world (bench/router/sim-world.ts), feedback arriving CONCURRENCY requests late and the catalog
// snapshot refreshed every few requests. Seconds instead of the live bench's minutes, for tuning.
//   npx tsx bench/router/sim-fast.ts        (env: SIM_N=3000, SEEDS=1,2,3, TRACE=1 for the drift trace)
import { createRouter } from '../../src/router/index.js';
import type { CatalogDelta, CatalogRow, RouterRepo } from '../../src/storage/index.js';
import { callCost, latencyP95, MODELS, oracleCeiling, OUTPUT_TOKENS, promptFor, rng, TASKS, type OracleRequest, type Task } from './sim-world.js';

const N = Number(process.env.SIM_N ?? 3000);
const CONCURRENCY = 8;
const SEEDS = (process.env.SEEDS ?? '1,2,3').split(',').map(Number);
const SETTINGS = JSON.parse(process.env.SETTINGS ?? '{"default_policy":"cheapest","min_quality":0,"quality_gap":0.03}') as Record<string, unknown>;

function memoryRepo(): RouterRepo {
  const rows = new Map<string, CatalogRow>();
  let settings: unknown;
  const repo = {
    increment(deltas: CatalogDelta[]) {
      for (const d of deltas) {
        const k = `${d.project_id}\u0000${d.model}\u0000${d.task_type}`;
        const r = rows.get(k);
        if (!r) rows.set(k, { ...d, updated_at: new Date() });
        else {
          for (const [f, v] of Object.entries(d)) if (typeof v === 'number') (r as unknown as Record<string, number>)[f]! += v;
          r.updated_at = new Date();
        }
      }
      return Promise.resolve();
    },
    rowsSince: () => Promise.resolve([...rows.values()].map((r) => ({ ...r }))),
    outcomes: () => Promise.resolve([]),
    traffic: () => Promise.resolve([]),
    getSettings: () => Promise.resolve(settings),
    putSettings: (_p: string, c: unknown) => {
      settings = c;
      return Promise.resolve();
    },
  };
  return repo as unknown as RouterRepo;
}

async function run(seed: number) {
  const router = createRouter({ store: { router: memoryRepo(), traces: {} as never, evaluations: {} as never } });
  const P = 'p';
  await router.putSettings(P, { models: MODELS.map((m) => m.id), ...SETTINGS });
  await router.prepare(P);
  const r = rng(seed * 7919);
  const normal = () => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
  const degrade = new Map<string, number>();
  const candidates = MODELS.map((m) => ({ model: m.id, inputPerToken: m.inputPerMtok / 1e6, outputPerToken: m.outputPerMtok / 1e6 }));
  const pick = rng(99 + seed);
  let seq = 0;
  const makeReq = () => {
    const task = TASKS[Math.floor(pick() * TASKS.length)]!;
    const prompt = promptFor(task, seq++);
    const u = pick();
    const slo: OracleRequest['slo'] = u < 0.2 ? { maxLatencyMs: 600 } : u < 0.35 ? { minQuality: 0.9 } : u < 0.5 ? { maxCostUsd: 0.0005 } : {};
    return { task, prompt, slo, promptTokens: Math.ceil(prompt.length / 4) + 4 };
  };
  const pending: Array<() => void> = [];
  const serve = async (q: ReturnType<typeof makeReq>, model: string, taskLabel: string | null) => {
    const m = MODELS.find((x) => x.id === model)!;
    const acc = m.accuracy[q.task] * (degrade.get(m.id) ?? 1);
    const correct = r() < acc;
    const lat = m.p50Ms * (0.5 + OUTPUT_TOKENS[q.task] / 200) * Math.exp(m.sigma * normal());
    const traceId = `t${seq}`;
    void router.observeTraces([{ project_id: P, id: traceId, model: m.id, query: q.prompt, latency_ms: lat + 2, status: 'ok', output_tokens: OUTPUT_TOKENS[q.task], metadata: taskLabel ? { 'aether.route': { task_type: taskLabel } } : {} }]);
    pending.push(() => {
      void router.catalog.observeQuality([{ projectId: P, traceId, model: m.id, prompt: q.prompt, taskLabel, metric: 'feedback', score: correct ? 1 : 0 }]);
    });
    return { acc, correct, lat: lat + 4 + 3 * Math.abs(normal()), cost: callCost(m, q.promptTokens, OUTPUT_TOKENS[q.task]) };
  };
  const drain = (keep: number) => {
    while (pending.length > keep) pending.shift()!();
  };
  for (const m of MODELS) for (let j = 0; j < 20; j++) await serve(makeReq(), m.id, null);
  drain(0);
  await router.catalog.flush();
  await router.refresh();
  const best = [...MODELS].sort((a, b) => TASKS.reduce((s, t) => s + b.accuracy[t], 0) - TASKS.reduce((s, t) => s + a.accuracy[t], 0))[0]!;
  const auto: Array<{ task: Task; model: string; acc: number; cost: number; promptTokens: number; slo: OracleRequest['slo']; violation: string | null; explored: boolean; degrade: Map<string, number> }> = [];
  let degraded: { model: string; at: number } | undefined;
  const trace: string[] = [];
  for (let i = 0; i < N; i++) {
    if (i === Math.floor(N / 2)) {
      const counts = new Map<string, number>();
      for (const o of auto) if (o.model !== best.id) counts.set(o.model, (counts.get(o.model) ?? 0) + 1);
      const model = process.env.DEGRADE ?? [...counts].sort((a, b) => b[1] - a[1])[0]![0];
      degrade.set(model, 0.5);
      degraded = { model, at: i };
    }
    const q = makeReq();
    const headers: Record<string, string> = {};
    if (q.slo.maxLatencyMs) headers['x-aether-max-latency-ms'] = String(q.slo.maxLatencyMs);
    if (q.slo.minQuality) headers['x-aether-min-quality'] = String(q.slo.minQuality);
    if (q.slo.maxCostUsd) headers['x-aether-max-cost-usd'] = String(q.slo.maxCostUsd);
    const d = router.route({ projectId: P, body: { messages: [{ role: 'user', content: q.prompt }] }, headers, candidates, rnd: r });
    const o = await serve(q, d.model!, d.task_type);
    const violation = q.slo.maxLatencyMs !== undefined && o.lat > q.slo.maxLatencyMs ? 'latency' : q.slo.maxCostUsd !== undefined && o.cost > q.slo.maxCostUsd ? 'cost' : q.slo.minQuality !== undefined && o.acc < q.slo.minQuality ? 'quality' : null;
    auto.push({ task: q.task, model: d.model!, acc: o.acc, cost: o.cost, promptTokens: q.promptTokens, slo: q.slo, violation, explored: d.explored, degrade: new Map(degrade) });
    if (violation && process.env.TRACE) trace.push(`  violation @${i} ${violation} ${q.task} ${d.model} explored=${d.explored} ${JSON.stringify(d.candidates.find((c) => c.model === d.model))}`);
    drain(CONCURRENCY);
    if (process.env.WATCH && i % 100 === 99) {
      const [wm, wt] = process.env.WATCH.split(',');
      const idx = router.catalog.index(P);
      console.log(`  watch ${i} ${wm} ${wt} drift ${idx.drift(wm!, wt).toFixed(3)} ${JSON.stringify(idx.driftState(wm!, wt))} all ${JSON.stringify(idx.driftState(wm!))}`);
    }
    if (i % 10 === 9) {
      await router.catalog.flush();
      await router.refresh();
    }
    if (degraded && process.env.TRACE && (i - degraded.at) % 100 === 99) {
      const w = auto.slice(-100);
      const name = degraded.model;
      const share = w.filter((x) => x.model === name).length / 100;
      const idx = router.catalog.index(P);
      for (const t of ['math', 'code'] as const) {
        const dd = router.route({ projectId: P, body: { messages: [{ role: 'user', content: promptFor(t, 900_000 + i) }] }, headers: {}, candidates, explore: false });
        trace.push(`    dry ${t} → ${dd.model}: ${dd.candidates.map((c) => `${c.model.split('/')[1]!.slice(0, 10)} ${c.quality.toFixed(2)}/${c.quality_low.toFixed(2)} n${c.evidence.neighbours} d${c.evidence.drift.toFixed(2)}`).join(', ')}`);
      }
      trace.push(`  +${i - degraded.at + 1}: share ${share.toFixed(2)} drift ${idx.drift(name).toFixed(3)} ${JSON.stringify(idx.driftState(name))} ${TASKS.map((t) => `${t.slice(0, 4)} ${idx.drift(name, t).toFixed(2)}/${idx.driftEstimate(name, t).low.toFixed(2)}`).join(" ")}`);
    }
  }
  await router.close();
  const bestCost = auto.reduce((s, o) => s + callCost(best, o.promptTokens, OUTPUT_TOKENS[o.task]), 0);
  const bestQ = auto.reduce((s, o) => s + best.accuracy[o.task], 0) / auto.length;
  const cost = auto.reduce((s, o) => s + o.cost, 0);
  const quality = auto.reduce((s, o) => s + o.acc, 0) / auto.length;
  const withSlo = auto.filter((o) => Object.keys(o.slo).length);
  const kinds: Record<string, number> = {};
  for (const o of withSlo) if (o.violation) kinds[o.violation] = (kinds[o.violation] ?? 0) + 1;
  let moved: number | null = null;
  const after = auto.slice(degraded!.at);
  for (let s = 0; s + 100 <= after.length; s++)
    if (after.slice(s, s + 100).filter((o) => o.model === degraded!.model).length < 5) {
      moved = s;
      break;
    }
  const ceiling = oracleCeiling(auto.map((o) => ({ task: o.task, promptTokens: o.promptTokens, slo: o.slo, degrade: o.degrade })), 0.97 * bestQ);
  const atOwn = oracleCeiling(auto.map((o) => ({ task: o.task, promptTokens: o.promptTokens, slo: o.slo, degrade: o.degrade })), quality);
  const share = (os: typeof auto) => MODELS.map((m) => `${m.id.split('/')[1]!.slice(0, 12)} ${((100 * os.filter((o) => o.model === m.id).length) / os.length).toFixed(0)}%`).join(' ');
  console.log(`seed ${seed}: saved ${(100 * (1 - cost / bestCost)).toFixed(1)}% at ${(100 * quality / bestQ).toFixed(1)}%; SLO ${(100 * withSlo.filter((o) => o.violation).length / withSlo.length).toFixed(2)}% ${JSON.stringify(kinds)}; moved off ${degraded!.model} after ${moved}; explored ${auto.filter((o) => o.explored).length}; ceiling ${(100 * (1 - ceiling.cost_usd / bestCost)).toFixed(1)}%; oracle at this quality ${(100 * (1 - atOwn.cost_usd / bestCost)).toFixed(1)}%`);
  console.log(`   1st: ${share(auto.slice(0, N / 2))}\n   2nd: ${share(auto.slice(N / 2))}`);
  if (trace.length) console.log(trace.join('\n'));
  void latencyP95;
}
for (const s of SEEDS) await run(s);
