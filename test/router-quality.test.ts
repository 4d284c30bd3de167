// The router's quality safeguards: drift (a model that gets worse loses its estimate within tens of
// outcomes, a steady noisy one keeps drift at 0) and request quality floors (checked against the
// conservative `quality_low`, never explored).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCatalog } from '../src/router/catalog.js';
import { DriftMeter } from '../src/router/drift.js';
import type { QualityOutcome, RouterRepo } from '../src/storage/index.js';
import { control, type Candidate } from '../src/router/controller.js';
import { PromptIndex, profileRequest } from '../src/router/index.js';
import { DEFAULT_SETTINGS } from '../src/router/settings.js';

const rng = (seed: number) => {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
};

describe('router quality', () => {
  it('drift: a steady model with noisy outcomes reads ≈ 0 throughout; one that drops is penalised within 40 outcomes', () => {
    const d = new DriftMeter();
    const r = rng(7);
    // Residuals of 0/1 outcomes against a correct prediction of 0.8: mean 0, sd 0.4.
    const seen: number[] = [];
    for (let i = 0; i < 3000; i++) {
      d.observe('steady', 'qa', (r() < 0.8 ? 1 : 0) - 0.8);
      seen.push(Math.abs(d.estimate('steady', 'qa').mean));
    }
    seen.sort((a, b) => a - b);
    const mean = seen.reduce((a, b) => a + b, 0) / seen.length;
    assert.ok(mean < 0.005, `mean |drift| of a steady model over 3,000 outcomes: ${mean}`);
    assert.ok(seen[Math.floor(0.99 * seen.length)]! < 0.05, `99th percentile: ${seen[Math.floor(0.99 * seen.length)]}`);
    for (let i = 0; i < 200; i++) d.observe('fading', 'qa', (r() < 0.9 ? 1 : 0) - 0.9);
    assert.equal(d.estimate('fading', 'qa').mean, 0);
    let after: number | undefined;
    for (let i = 1; i <= 40 && after === undefined; i++) {
      d.observe('fading', 'qa', (r() < 0.45 ? 1 : 0) - 0.9);
      if (d.estimate('fading', 'qa').mean < -0.1) after = i;
    }
    assert.ok(after !== undefined, 'a model whose accuracy halves has drift below -0.1 within 40 outcomes');
    // The lower bound moves first (and never above the mean's shift).
    const e = d.estimate('fading', 'qa');
    assert.ok(e.low <= e.mean);
    // A drop on one task type shows for that task even while the model's other tasks stay steady.
    const t = new DriftMeter();
    for (let i = 0; i < 400; i++) t.observe('m', i % 4 === 0 ? 'code' : 'qa', i % 4 === 0 && i > 200 ? (r() < 0.4 ? 1 : 0) - 0.9 : (r() < 0.9 ? 1 : 0) - 0.9);
    assert.ok(t.estimate('m', 'code').mean < -0.2, `code: ${t.estimate('m', 'code').mean}`);
  });

  it('drift through the prompt index: a model that drops loses its estimate, a steady one keeps it', () => {
    const index = new PromptIndex(20_000);
    const r = rng(3);
    const text = (i: number) => `question ${i % 97} about topic ${i % 13} and item ${i}`;
    let i = 0;
    const feed = (model: string, p: number, n: number) => {
      for (let j = 0; j < n; j++, i++) index.add(text(i), { traceId: `t${i}`, metric: 'feedback', model, score: r() < p ? 1 : 0, taskType: 'qa' });
    };
    feed('steady', 0.8, 300);
    feed('fading', 0.9, 300);
    feed('steady', 0.8, 300);
    assert.ok(Math.abs(index.drift('steady', 'qa')) < 0.05, `steady: ${index.drift('steady', 'qa')}`);
    feed('fading', 0.45, 40);
    assert.ok(index.drift('fading', 'qa') < -0.15, `after 40 bad outcomes: ${index.drift('fading', 'qa')}`);
  });

  it('a request quality floor is checked against quality_low and never explored', () => {
    const candidates: Candidate[] = [
      { model: 'cheap', inputPerToken: 1e-7, outputPerToken: 1e-7 },
      { model: 'thin', inputPerToken: 5e-7, outputPerToken: 5e-7 },
      { model: 'good', inputPerToken: 1e-5, outputPerToken: 1e-5 },
    ];
    const index = new PromptIndex(1000);
    const r = rng(11);
    const p = { cheap: 0.8, thin: 1, good: 0.97 } as const;
    for (let i = 0; i < 240; i++) {
      const model = i % 20 === 0 ? 'thin' : i % 2 ? 'cheap' : 'good';
      index.add(`summarize the report number ${i}`, { traceId: `t${i}`, metric: 'feedback', model, score: r() < p[model] ? 1 : 0, taskType: 'summarization' });
    }
    const prompt = 'summarize the report number 7001';
    const neighbours = index.exactNearest(prompt, 256);
    const body = { messages: [{ role: 'user', content: prompt }] };
    const route = (slo: { minQuality?: number }, rnd: () => number, minQuality = 0) =>
      control({ profile: profileRequest(body, slo, neighbours), candidates, models: new Map(), evidence: index.evidence(neighbours, 0.5), settings: { ...DEFAULT_SETTINGS, min_quality: minQuality }, policy: 'cheapest', explore: true, rnd });
    const first = route({ minQuality: 0.85 }, rng(1));
    const thin = first.candidates.find((c) => c.model === 'thin')!;
    // A dozen perfect scores: a high mean, but far from certainty; the well-known model clears the floor.
    assert.ok(thin.quality > 0.85 && thin.quality - thin.quality_low > 0.2, JSON.stringify(thin));
    assert.ok(first.candidates.find((c) => c.model === 'good')!.quality_low > 0.85);
    for (const c of first.candidates) assert.ok(c.quality_low <= c.quality);
    const seen = new Set<string>();
    let explored = 0;
    for (let s = 1; s <= 200; s++) {
      const d = route({ minQuality: 0.85 }, rng(s));
      seen.add(d.model!);
      if (d.explored) explored++;
    }
    assert.deepEqual([...seen], ['good'], 'only the model whose lower estimate clears 0.85');
    assert.equal(explored, 0);
    // The same bar as the project's (soft) min_quality instead of a request floor: explored.
    let free = 0;
    for (let s = 1; s <= 200; s++) if (route({}, rng(s), 0.85).explored) free++;
    assert.ok(free > 0);
  });

  it('outcomes read back from the store are learned under endpoint/model, the name live feedback uses', async () => {
    const rows: QualityOutcome[] = [{ project_id: 'p', trace_id: 't1', model: 'gpt-4o', provider: 'sim-oai', query: 'what is the capital of France?', metric: 'feedback', score: 1, task_type: 'qa', created_at: new Date() }];
    const repo = { increment: () => Promise.resolve(), rowsSince: () => Promise.resolve([]), outcomes: () => Promise.resolve(rows) } as unknown as RouterRepo;
    const catalog = createCatalog(repo, { halfLifeSeconds: 86_400, qualityMetrics: ['feedback'], maxPrompts: 100 });
    await catalog.ensure('p');
    const names = () => [...catalog.index('p').nearest('capital of France', 1)[0]!.entry.outcomes.keys()];
    assert.deepEqual(names(), ['sim-oai/gpt-4o']);
    // The same trace scored live, then re-read by a refresh: still one outcome under one name.
    void catalog.observeQuality([{ projectId: 'p', traceId: 't1', model: 'sim-oai/gpt-4o', prompt: 'what is the capital of France?', taskLabel: 'qa', metric: 'feedback', score: 1 }]);
    await catalog.refresh();
    assert.deepEqual(names(), ['sim-oai/gpt-4o']);
    await catalog.flush();
  });
});
