import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { msprt, normalQuantile, rateArm, zTest } from './stats.js';
import { bucket, pick } from './assign.js';

/** Seeded LCG so the test is deterministic. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function peekedRejections(p: number, sims: number): { msprt: number; z: number } {
  let m = 0;
  let z = 0;
  for (let s = 0; s < sims; s++) {
    const r = rng(1000 + s);
    let nA = 0, kA = 0, nB = 0, kB = 0, mHit = false, zHit = false;
    for (let i = 1; i <= 4000; i++) {
      if (i % 2) { nA++; if (r() < p) kA++; } else { nB++; if (r() < p) kB++; }
      if (i % 100 === 0) {
        mHit ||= msprt(rateArm(nA, kA), rateArm(nB, kB)).significant;
        zHit ||= zTest(rateArm(nA, kA), rateArm(nB, kB)).significant;
      }
    }
    m += mHit ? 1 : 0;
    z += zHit ? 1 : 0;
  }
  return { msprt: m / sims, z: z / sims };
}

describe('always-valid sequential test', () => {
  it('keeps the false-positive rate under alpha when looked at every 100 observations; the peeking z-test does not', () => {
    const r = peekedRejections(0.7, 400);
    assert.ok(r.msprt <= 0.05, `mSPRT false positives ${r.msprt}`);
    assert.ok(r.z > 0.15, `a z-test looked at 40 times rejects far more often (${r.z})`);
  });

  it('finds a large difference, with an interval that covers it and excludes 0', () => {
    const r = msprt(rateArm(2000, 1200), rateArm(2000, 1500));
    assert.ok(r.significant);
    assert.ok(r.ci[0] > 0 && r.ci[0] < 0.15 && r.ci[1] > 0.15);
    assert.equal(msprt(rateArm(1, 1), rateArm(1, 0)).significant, false, 'no decision on a single observation');
  });

  it('normal quantiles', () => {
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
    assert.ok(Math.abs(normalQuantile(0.001) + 3.090232) < 1e-5);
  });

  it('assignment buckets are uniform and weights are honoured', () => {
    const vs = [{ name: 'a', weight: 1 }, { name: 'b', weight: 1 }, { name: 'c', weight: 2 }];
    const n = { a: 0, b: 0, c: 0 } as Record<string, number>;
    for (let i = 0; i < 20_000; i++) n[pick(vs, bucket('exp-1', `user-${i}`)).name]!++;
    assert.ok(Math.abs(n.c! / 20_000 - 0.5) < 0.02 && Math.abs(n.a! / 20_000 - 0.25) < 0.02, JSON.stringify(n));
    assert.equal(bucket('exp-1', 'u'), bucket('exp-1', 'u'));
    assert.notEqual(bucket('exp-1', 'u'), bucket('exp-2', 'u'), 'experiments are independent');
  });
});
