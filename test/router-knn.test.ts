// The bounded neighbour search against the exact scan, and the controller's one-pass neighbour
// evidence against the per-candidate sum it replaced.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PromptIndex } from '../src/router/index.js';
import { promptKey } from '../src/router/knn.js';

// A fixed set: 3,000 prompts from a small vocabulary with a Zipf-like skew, so some terms are common.
let seed = 7;
const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const vocab = Array.from({ length: 1500 }, (_, i) => `w${i.toString(36)}`);
const word = () => vocab[Math.floor(vocab.length * rnd() ** 2.5)]!;
const prompt = () => Array.from({ length: 12 + Math.floor(rnd() * 40) }, word).join(' ');

describe('prompt index search', () => {
  const index = new PromptIndex(20_000, { scanBudget: 2_000 });
  const prompts = Array.from({ length: 3000 }, prompt);
  prompts.forEach((p, i) => index.add(p, { traceId: `t${i}`, metric: 'feedback', model: i % 2 ? 'a' : 'b', score: i % 3 ? 1 : 0, taskType: 'qa' }));
  const queries = Array.from({ length: 100 }, prompt);

  it('returns the exact scan’s neighbours (documented tolerance: ≥ 95% of the exact top 10 and ≥ 85% of the exact top 64 found, at a scan budget of 2,000 postings over 3,000 prompts)', () => {
    let top10 = 0;
    let hit = 0;
    let all = 0;
    for (const q of queries) {
      const fast = index.nearest(q, 64);
      const exact = index.exactNearest(q, 64);
      assert.equal(fast.length, 64);
      for (let i = 1; i < fast.length; i++) assert.ok(fast[i - 1]!.sim >= fast[i]!.sim, 'best first');
      const got = new Set(fast.map((n) => n.entry.key));
      top10 += exact.slice(0, 10).filter((n) => got.has(n.entry.key)).length / 10;
      hit += exact.filter((n) => got.has(n.entry.key)).length;
      all += exact.length;
      // A neighbour's similarity never exceeds its exact cosine (terms left unscanned only lower it).
      const exactSim = new Map(index.exactNearest(q, 3000).map((n) => [n.entry.key, n.sim]));
      for (const n of fast.slice(0, 10)) assert.ok(n.sim <= exactSim.get(n.entry.key)! + 1e-9);
    }
    assert.ok(top10 / queries.length >= 0.95, `top-10 recall ${top10 / queries.length}`);
    assert.ok(hit / all >= 0.85, `recall@64 ${hit / all}`);
  });

  it('with an unbounded scan it is the exact scan on terms it scans, a prompt finds itself first', () => {
    const full = new PromptIndex(20_000, { scanBudget: Number.POSITIVE_INFINITY });
    prompts.slice(0, 500).forEach((p, i) => full.add(p, { traceId: `t${i}`, metric: 'feedback', model: 'a', score: 1, taskType: 'qa' }));
    for (const p of prompts.slice(0, 20)) {
      const nb = full.nearest(p, 5);
      assert.ok(nb[0]!.sim > 0.99, String(nb[0]!.sim));
      assert.deepEqual(nb.map((n) => n.entry.key).slice(0, 1), full.exactNearest(p, 1).map((n) => n.entry.key));
    }
  });

  it('an unordered search finds the same neighbours: the same set, and its best 8 are the ordered search’s first 8', () => {
    for (const q of queries.slice(0, 30)) {
      const ordered = index.nearest(q, 64);
      const hits = index.search(q, 64, false);
      const all = index.best({ n: hits.n, slots: hits.slots.slice(), sims: hits.sims.slice() }, 64);
      assert.deepEqual(all.map((n) => [n.entry.key, n.sim]), ordered.map((n) => [n.entry.key, n.sim]), 'the same 64');
      const best = index.best(index.search(q, 64, false), 8);
      assert.deepEqual(best.map((n) => [n.entry.key, n.sim]), ordered.slice(0, 8).map((n) => [n.entry.key, n.sim]));
    }
  });

  it('neighbour evidence sums each model’s weighted outcomes once', () => {
    const nb = index.nearest(queries[0]!, 32);
    // From the search's own answer (the router's path) and from the list of neighbours: the same sums.
    const fromHits = index.evidence(index.search(queries[0]!, 32), 0.5);
    const fromList = index.evidence(nb, 0.5);
    for (const model of ['a', 'b']) {
      let a = 0;
      let b = 0;
      let used = 0;
      for (const n of nb) {
        const o = n.entry.outcomes.get(model);
        if (!o || n.sim <= 0) continue;
        a += Math.sqrt(n.sim) * (o.sum / o.n);
        b += Math.sqrt(n.sim) * (1 - o.sum / o.n);
        used++;
      }
      for (const ev of [fromHits, fromList]) {
        const s = ev.slot(model);
        assert.ok(Math.abs(ev.a[s]! - a) < 1e-9 && Math.abs(ev.b[s]! - b) < 1e-9);
        assert.equal(ev.used[s], used);
      }
    }
  });
});

describe('prompt index bookkeeping', () => {
  it('after evictions and compactions its postings and outcomes still agree with its entries', () => {
    // Words drawn evenly, so no term is in over a quarter of the prompts (those are never scanned).
    const even = () => Array.from({ length: 12 + Math.floor(rnd() * 40) }, () => vocab[Math.floor(vocab.length * rnd())]!).join(' ');
    const prompts = Array.from({ length: 1200 }, even);
    const outcome = (i: number) => ({ traceId: `t${i}`, metric: 'feedback', model: ['a', 'b', 'c'][i % 3]!, score: i % 5 ? 1 : 0, taskType: 'qa' });
    const index = new PromptIndex(300, { scanBudget: Number.POSITIVE_INFINITY });
    prompts.forEach((p, i) => index.add(p, outcome(i)));
    // A surviving prompt scored again by another model: both outcomes count.
    index.add(prompts[1199]!, { ...outcome(1199), traceId: 'again', model: 'd', score: 0 });
    assert.equal(index.size, 300);
    const survivors = new Set(prompts.slice(-300).map(promptKey));
    for (const q of prompts.slice(-40).concat(Array.from({ length: 20 }, even))) {
      // The scan over the postings finds what scoring every entry directly finds, and only survivors.
      const got = index.nearest(q, 20);
      const want = index.exactNearest(q, 20);
      assert.deepEqual(got.map((n) => n.entry.key), want.map((n) => n.entry.key));
      for (const n of got) assert.ok(survivors.has(n.entry.key), 'an evicted prompt was found');
      // Evidence read from the outcome pool matches the entries' own outcome records.
      const ev = index.evidence(index.search(q, 20), 1);
      for (const m of ['a', 'b', 'c', 'd']) {
        let a = 0;
        let used = 0;
        for (const n of got) {
          const o = n.entry.outcomes.get(m);
          if (o) [a, used] = [a + n.sim * (o.sum / o.n), used + 1];
        }
        const slot = ev.slot(m);
        assert.ok(Math.abs((ev.a[slot] ?? 0) - a) < 1e-9 && (ev.used[slot] ?? 0) === used, m);
      }
    }
    const last = index.nearest(prompts[1199]!, 1)[0]!;
    assert.ok(last.sim > 0.99);
    assert.deepEqual([...last.entry.outcomes.keys()].sort(), ['c', 'd']);
  });
});

describe('drift of a model against its record', () => {
  const topics = Array.from({ length: 10 }, (_, t) => Array.from({ length: 8 }, (_, j) => `t${t}x${j}`).join(' '));
  const textOf = (i: number) => `${topics[i % 10]} case ${i} about ${vocab[i % 300]} and ${vocab[(i * 7) % 300]}`;

  it('stays 0 while a model keeps its record, and goes negative within tens of outcomes once it gets worse', () => {
    const index = new PromptIndex(20_000);
    const r = rng2(3);
    let i = 0;
    const feed = (model: string, p: number, count: number) => {
      for (let j = 0; j < count; j++, i++) index.add(textOf(i), { traceId: `d${i}`, metric: 'feedback', model, score: r() < p ? 1 : 0, taskType: 'qa' });
    };
    feed('steady', 0.8, 400);
    feed('fading', 0.9, 400);
    assert.ok(Math.abs(index.drift('steady')) < 0.05);
    assert.ok(Math.abs(index.drift('fading')) < 0.05);
    feed('steady', 0.8, 200);
    assert.ok(Math.abs(index.drift('steady')) < 0.05, `noise on a steady model reads as (almost) no drift: ${index.drift('steady')}`);
    feed('fading', 0.4, 40);
    assert.ok(index.drift('fading') < -0.15, `drift after 40 bad outcomes: ${index.drift('fading')}`);
    assert.ok(Math.abs(index.drift('steady')) < 0.05);
  });

  it('a re-delivered evaluation does not count twice', () => {
    const index = new PromptIndex(100);
    for (let k = 0; k < 50; k++) index.add(textOf(k), { traceId: `s${k}`, metric: 'feedback', model: 'm', score: 1, taskType: 'qa' });
    for (let k = 0; k < 20; k++) index.add(textOf(k), { traceId: `s${k}`, metric: 'feedback', model: 'm', score: 1, taskType: 'qa' });
    assert.equal(index.drift('m'), 0);
  });
});

function rng2(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 16807) % 2147483647) / 2147483647);
}
