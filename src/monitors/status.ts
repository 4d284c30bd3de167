import type { MonitorStatus } from '../storage/index.js';
import type { Threshold } from './spec.js';

export type { MonitorStatus };

const RANK: Record<MonitorStatus, number> = { NO_DATA: 0, OK: 1, WARNING: 2, ALERT: 3 };

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** One aggregate of a metric's scores (null scores, "cannot judge", are left out). */
export function aggregate(scores: Array<number | null>, how: Threshold['aggregate'], passAt = 0.5): { value: number | null; n: number } {
  const xs = scores.filter((s): s is number => s !== null && Number.isFinite(s)).sort((a, b) => a - b);
  if (xs.length === 0) return { value: null, n: 0 };
  const value = (() => {
    switch (how) {
      case 'mean':
        return xs.reduce((a, b) => a + b, 0) / xs.length;
      case 'median':
        return quantile(xs, 0.5);
      case 'p10':
        return quantile(xs, 0.1);
      case 'p90':
        return quantile(xs, 0.9);
      case 'min':
        return xs[0]!;
      case 'max':
        return xs[xs.length - 1]!;
      case 'pass_rate':
        return xs.filter((x) => x >= passAt).length / xs.length;
    }
  })();
  return { value: Math.round(value * 1e6) / 1e6, n: xs.length };
}

/** The status a threshold gives an aggregate: ALERT is checked before WARNING; too few samples is NO_DATA. */
export function statusOf(agg: { value: number | null; n: number }, t: Threshold): MonitorStatus {
  if (agg.value === null || agg.n < t.min_samples) return 'NO_DATA';
  const v = agg.value;
  if ((t.alert_below !== undefined && v < t.alert_below) || (t.alert_above !== undefined && v > t.alert_above)) return 'ALERT';
  if ((t.warning_below !== undefined && v < t.warning_below) || (t.warning_above !== undefined && v > t.warning_above)) return 'WARNING';
  return 'OK';
}

/** The worst of several statuses (NO_DATA only when nothing had data). */
export function worst(statuses: MonitorStatus[]): MonitorStatus {
  return statuses.reduce<MonitorStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'NO_DATA');
}

/** The bound a threshold was crossed at (for messages), or the nearest one. */
export function boundOf(t: Threshold, s: MonitorStatus): { op: '<' | '>'; value: number } | undefined {
  if (s === 'ALERT') return t.alert_below !== undefined ? { op: '<', value: t.alert_below } : t.alert_above !== undefined ? { op: '>', value: t.alert_above } : undefined;
  if (s === 'WARNING') return t.warning_below !== undefined ? { op: '<', value: t.warning_below } : t.warning_above !== undefined ? { op: '>', value: t.warning_above } : undefined;
  const b = t.alert_below ?? t.warning_below;
  if (b !== undefined) return { op: '<', value: b };
  const a = t.alert_above ?? t.warning_above;
  return a !== undefined ? { op: '>', value: a } : undefined;
}
