// Always-valid inference for the difference between two arms: the normal-mixture mSPRT (Johari,
// Pekelis & Walsh, "Always valid inference", 2017) and its confidence sequence. Looking after every
// observation keeps the type-I error at alpha, unlike a fixed-horizon z-test looked at repeatedly.

/** Summary of one arm for a mean (rates are means of 0/1). */
export interface Arm {
  n: number;
  mean: number;
  /** Sample variance of one observation. */
  variance: number;
}

export interface SequentialResult {
  /** Estimated difference B − A. */
  diff: number;
  /** Always-valid (1 − alpha) confidence sequence for the difference. */
  ci: [number, number];
  /** Mixture likelihood ratio against "no difference". */
  lambda: number;
  /** Always-valid p-value (1/Λ, capped at 1); callers keep the running minimum. */
  p: number;
  significant: boolean;
}

/** A rate as an arm (variance p(1−p), kept off zero so a run of identical outcomes is not certainty). */
export function rateArm(n: number, k: number): Arm {
  const mean = n > 0 ? k / n : 0;
  const p = Math.min(Math.max(mean, 0.5 / Math.max(n, 1)), 1 - 0.5 / Math.max(n, 1));
  return { n, mean, variance: p * (1 - p) };
}

/**
 * mSPRT for B − A with a normal mixing distribution N(0, tau²) over the difference. `tau` is the
 * size of difference the test is tuned to find fastest (default 0.05: five points on a rate).
 */
export function msprt(a: Arm, b: Arm, alpha = 0.05, tau = 0.05): SequentialResult {
  const diff = b.mean - a.mean;
  if (a.n < 2 || b.n < 2) return { diff, ci: [-Infinity, Infinity], lambda: 1, p: 1, significant: false };
  const v = a.variance / a.n + b.variance / b.n;
  const t2 = tau * tau;
  const lambda = Math.sqrt(v / (v + t2)) * Math.exp((t2 * diff * diff) / (2 * v * (v + t2)));
  const half = Math.sqrt(((v * (v + t2)) / t2) * (2 * Math.log(1 / alpha) + Math.log((v + t2) / v)));
  const p = Math.min(1, 1 / lambda);
  return { diff, ci: [diff - half, diff + half], lambda, p, significant: lambda >= 1 / alpha };
}

/** Two-sided fixed-horizon z-test of B − A (valid only when looked at once, at a planned n). */
export function zTest(a: Arm, b: Arm, alpha = 0.05): { z: number; significant: boolean } {
  const v = a.variance / a.n + b.variance / b.n;
  if (!(v > 0)) return { z: 0, significant: false };
  const z = (b.mean - a.mean) / Math.sqrt(v);
  return { z, significant: Math.abs(z) >= normalQuantile(1 - alpha / 2) };
}

/** Inverse standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}
