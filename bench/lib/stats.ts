export interface LatencySummary {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

const round = (v: number, digits = 2) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentiles (ms) of the given samples. */
export function summarize(samples: number[]): LatencySummary {
  if (samples.length === 0) return { mean: NaN, p50: NaN, p90: NaN, p95: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(samples).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { mean: round(mean), p50: round(at(50)), p90: round(at(90)), p95: round(at(95)), p99: round(at(99)), max: round(sorted[sorted.length - 1]!) };
}

export { round };
