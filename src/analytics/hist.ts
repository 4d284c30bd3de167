// Latency histograms: bucket k counts latencies in [1.1^k, 1.1^(k+1)) ms (bucket 0 also holds < 1 ms),
// 140 buckets up to ~10 minutes. A percentile is reported as the geometric middle of its bucket, so
// its relative error is at most √1.1 − 1 ≈ 4.9% (exact when all values in the bucket are equal to it).

export const HIST_BUCKETS = 140;
export const HIST_BASE = 1.1;
export const PERCENTILE_MAX_RELATIVE_ERROR = Math.sqrt(HIST_BASE) - 1;

/** Bucket index of a latency, the same formula the SQL rollups use. */
export function bucketOf(ms: number): number {
  return Math.min(HIST_BUCKETS - 1, Math.max(0, Math.floor(Math.log(Math.max(ms, 1)) / Math.log(HIST_BASE))));
}

/** Sum histograms element-wise. */
export function mergeHists(hists: Iterable<number[]>): number[] {
  const out = new Array<number>(HIST_BUCKETS).fill(0);
  for (const h of hists) for (let i = 0; i < HIST_BUCKETS; i++) out[i]! += h[i] ?? 0;
  return out;
}

/** The p-th percentile (0..1) of a histogram, or null when it is empty. */
export function percentile(hist: number[], p: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= rank) return i === 0 ? 1 : HIST_BASE ** (i + 0.5);
  }
  return HIST_BASE ** HIST_BUCKETS;
}
