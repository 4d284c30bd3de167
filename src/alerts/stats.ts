/**
 * The statistics the window rules share. A rate rule fires on the lower bound of the Wilson score
 * interval of the rate rather than its point estimate, so 6 of 6 is a certain burst while 1 of 20 is noise, without a
 * fixed minimum count.
 */

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError('p must be in (0, 1)');
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const poly = (k: number[], x: number) => k.reduce((s, v) => s * x + v, 0);
  const lo = 0.02425;
  if (p < lo || p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(p < lo ? p : 1 - p));
    const x = poly(c, q) / (poly(d, q) * q + 1);
    return p < lo ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

export interface Interval {
  lower: number;
  upper: number;
}

/**
 * Two-sided Wilson score interval with continuity correction (Newcombe 1998) of k successes in n
 * trials at `confidence`; [0, 1] when n is 0. The correction keeps the coverage honest at the
 * extremes: without it 1 of 1 would already be "certainly above 10%" (lower bound 0.21); with it
 * the lower bound is 0.05, while 2 of 2 (0.2) and 6 of 6 (0.52) are bursts.
 */
export function wilson(k: number, n: number, confidence: number): Interval {
  if (n <= 0) return { lower: 0, upper: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = k / n;
  const z2 = z * z;
  const denom = 2 * (n + z2);
  const lower = k === 0 ? 0 : (2 * n * p + z2 - 1 - z * Math.sqrt(Math.max(0, z2 - 2 - 1 / n + 4 * p * (n * (1 - p) + 1)))) / denom;
  const upper = k === n ? 1 : (2 * n * p + z2 + 1 + z * Math.sqrt(Math.max(0, z2 + 2 - 1 / n + 4 * p * (n * (1 - p) - 1)))) / denom;
  return { lower: Math.max(0, lower), upper: Math.min(1, upper) };
}

/** Where a watched value stands: fire, hold (an open incident stays open), or clear. */
export type Verdict = 'fire' | 'hold' | 'clear';

/**
 * Hysteresis shared by the window rules: fire when `evidence` (a lower confidence bound, or the
 * value itself) is strictly above the threshold; an open incident resolves only once the point
 * value falls to threshold × (1 − hysteresis), or the window is empty.
 */
export function verdict(o: { evidence: number; value: number | null; threshold: number; hysteresis: number; isOpen: boolean; enough: boolean }): Verdict {
  if (o.value === null) return 'clear';
  if (o.enough && o.evidence > o.threshold) return 'fire';
  if (o.isOpen && o.value > o.threshold * (1 - o.hysteresis)) return 'hold';
  return 'clear';
}
