import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalQuantile, verdict, wilson } from './stats.js';

describe('alert statistics', () => {
  it('the normal quantile matches the textbook z values', () => {
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
    assert.ok(Math.abs(normalQuantile(0.995) - 2.575829) < 1e-5);
    assert.ok(Math.abs(normalQuantile(0.005) + 2.575829) < 1e-5);
    assert.equal(normalQuantile(0.5), 0);
  });

  it('the continuity-corrected Wilson interval matches Newcombe\'s worked examples and stays inside [0, 1]', () => {
    // Newcombe (1998), Table I, method 4 (score interval with continuity correction).
    const close = (k: number, n: number, lo: number, hi: number) => {
      const w = wilson(k, n, 0.95);
      assert.ok(Math.abs(w.lower - lo) < 6e-5 && Math.abs(w.upper - hi) < 6e-5, `${k}/${n}: ${w.lower}–${w.upper}`);
    };
    close(81, 263, 0.2535, 0.3682);
    close(15, 148, 0.0598, 0.1644);
    close(0, 20, 0, 0.2005);
    close(1, 29, 0.0018, 0.1963);
    assert.equal(wilson(6, 6, 0.95).upper, 1);
    assert.equal(wilson(0, 20, 0.95).lower, 0);
    const w = wilson(300, 1000, 0.95);
    assert.ok(w.lower < 0.3 && w.upper > 0.3 && w.upper - w.lower < 0.06);
    assert.deepEqual(wilson(0, 0, 0.95), { lower: 0, upper: 1 });
  });

  it('verdict: fire above, hold in the band while open, clear below the band', () => {
    const v = (evidence: number, value: number | null, isOpen: boolean) => verdict({ evidence, value, threshold: 0.1, hysteresis: 0.2, isOpen, enough: true });
    assert.equal(v(0.11, 0.2, false), 'fire');
    assert.equal(v(0.05, 0.09, true), 'hold');
    assert.equal(v(0.05, 0.09, false), 'clear');
    assert.equal(v(0.05, 0.08, true), 'clear');
    assert.equal(v(0, null, true), 'clear');
  });
});
