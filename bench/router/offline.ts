// A development harness (not a bench result): the MMLU train half put straight into a PromptIndex and
// catalog stats, the test half predicted through the same controller, the sweeps scored, and the
// neighbour search timed. Seconds instead of the live bench's minutes, for tuning the estimator.
//   npx tsx bench/router/offline.ts
import { qualityDeltas, statsOf, type ModelStats } from '../../src/router/catalog.js';
import { control } from '../../src/router/controller.js';
import { PromptIndex } from '../../src/router/knn.js';
import { profileRequest } from '../../src/router/profile.js';
import { DEFAULT_SETTINGS } from '../../src/router/settings.js';
import type { CatalogDelta } from '../../src/storage/index.js';
import { summarize } from '../lib/stats.js';
import { curve, G, loadMmlu, M, priceG, priceM, scoreCurve } from './mmlu-data.js';

const { train, test } = loadMmlu();
const K = Number(process.env.K ?? 256);
const index = new PromptIndex(20_000, process.env.BUDGET ? { scanBudget: Number(process.env.BUDGET) } : {});
const sums = new Map<string, CatalogDelta>();
let t0 = performance.now();
for (const r of train)
  for (const m of [M, G]) {
    const o = { projectId: 'p', traceId: `${r.id}.${m}`, model: m, prompt: r.prompt, metric: 'feedback', score: r.correct[m] ? 1 : 0 };
    index.add(o.prompt, { traceId: o.traceId, metric: o.metric, model: m, score: o.score, taskType: 'qa' });
    for (const d of qualityDeltas(o)) {
      const key = `${d.model}\u0000${d.task_type}`;
      const s = sums.get(key);
      if (!s) sums.set(key, { ...d });
      else {
        s.q_alpha += d.q_alpha;
        s.q_beta += d.q_beta;
        s.q_count += d.q_count;
      }
    }
  }
console.log(`index: ${train.length} prompts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const models = new Map<string, Map<string, ModelStats>>();
for (const d of sums.values()) (models.get(d.model) ?? models.set(d.model, new Map()).get(d.model)!).set(d.task_type, statsOf(d));
const candidates = [
  { model: M, inputPerToken: priceM.input, outputPerToken: priceM.output },
  { model: G, inputPerToken: priceG.input, outputPerToken: priceG.output },
];

const times: number[] = [];
const preds = test.map((r) => {
  const t = performance.now();
  const neighbours = index.nearest(r.prompt, K);
  times.push(performance.now() - t);
  const body = { messages: [{ role: 'user', content: r.prompt }], max_tokens: 1 };
  const profile = profileRequest(body, {}, neighbours);
  const evidence = index.evidence(neighbours, process.env.POWER ? Number(process.env.POWER) : 0.5);
  const c = control({ profile, candidates, models, evidence, settings: DEFAULT_SETTINGS, policy: 'cheapest', explore: false, priorStrength: process.env.PRIOR ? Number(process.env.PRIOR) : undefined });
  const p = (m: string) => c.candidates.find((x) => x.model === m)!;
  return { r, qm: p(M).quality, qg: p(G).quality, cm: p(M).cost_usd, cg: p(G).cost_usd };
});
console.log('nearest ms', summarize(times));
const byGap = [...preds].sort((a, b) => b.qg - b.qm - (a.qg - a.qm)).map((x) => x.r);
const byRate = [...preds].sort((a, b) => (b.qg - b.qm) / (b.cg - b.cm) - (a.qg - a.qm) / (a.cg - a.cm)).map((x) => x.r);
console.log('gap ', scoreCurve(test, curve(test, byGap)));
console.log('rate', scoreCurve(test, curve(test, byRate)));
for (const g of [0.25, 0.5, 0.75]) {
  const o = [...preds].sort((a, b) => (b.qg - b.qm) / (b.cg - b.cm) ** g - (a.qg - a.qm) / (a.cg - a.cm) ** g).map((x) => x.r);
  console.log(`rate^${g}`, scoreCurve(test, curve(test, o)));
}
const meanDc = preds.reduce((s, x) => s + x.cg - x.cm, 0) / preds.length;
for (const l of [0.01, 0.02, 0.04, 0.08]) {
  const o = [...preds].sort((a, b) => b.qg - b.qm - (l * (b.cg - b.cm)) / meanDc - (a.qg - a.qm - (l * (a.cg - a.cm)) / meanDc)).map((x) => x.r);
  console.log(`gap-${l}dc`, scoreCurve(test, curve(test, o)));
}
t0 = performance.now();
// Recall of the bounded search against the exact scan on every 20th test prompt.
let hit = 0;
let all = 0;
let top10 = 0;
for (let i = 0; i < test.length; i += 20) {
  const fast = new Set(index.nearest(test[i]!.prompt, K).map((x) => x.entry.key));
  const exact = index.exactNearest(test[i]!.prompt, K).map((x) => x.entry.key);
  hit += exact.filter((k) => fast.has(k)).length;
  all += exact.length;
  top10 += exact.slice(0, 10).filter((k) => fast.has(k)).length / Math.min(10, exact.length);
}
console.log(`recall@${K} vs exact: ${(hit / all).toFixed(3)}; top-10 found: ${(top10 / Math.ceil(test.length / 20)).toFixed(3)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
