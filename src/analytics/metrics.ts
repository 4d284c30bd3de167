import type { Store, TraceRollupRow } from '../storage/index.js';
import { mergeHists, percentile, PERCENTILE_MAX_RELATIVE_ERROR } from './hist.js';
import { GRAINS, segments } from './window.js';

export interface Aggregate {
  traces: number;
  errors: number;
  error_rate: number | null;
  input_tokens: number;
  output_tokens: number;
  tokens: number;
  cost_usd: number;
  latency_ms: { mean: number | null; p50: number | null; p95: number | null; p99: number | null };
}

/** Sum rollup rows into one aggregate with histogram percentiles. */
export function aggregate(rows: TraceRollupRow[]): Aggregate {
  let n = 0, errors = 0, inT = 0, outT = 0, tok = 0, cost = 0, ln = 0, ls = 0;
  for (const r of rows) {
    n += r.n; errors += r.errors; inT += r.input_tokens; outT += r.output_tokens; tok += r.tokens; cost += r.cost_usd; ln += r.latency_n; ls += r.latency_sum;
  }
  const h = mergeHists(rows.map((r) => r.latency_hist));
  return {
    traces: n,
    errors,
    error_rate: n ? errors / n : null,
    input_tokens: inT,
    output_tokens: outT,
    tokens: tok,
    cost_usd: Math.round(cost * 1e8) / 1e8,
    latency_ms: { mean: ln ? ls / ln : null, p50: percentile(h, 0.5), p95: percentile(h, 0.95), p99: percentile(h, 0.99) },
  };
}

function groupBy<K>(rows: TraceRollupRow[], keyOf: (r: TraceRollupRow) => K): Map<K, TraceRollupRow[]> {
  const m = new Map<K, TraceRollupRow[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const g = m.get(k);
    if (g) g.push(r);
    else m.set(k, [r]);
  }
  return m;
}

const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export type Bucket = keyof typeof BUCKET_MS;

/** Metrics over rollups: summary, time series and breakdowns, each a handful of indexed reads. */
export function createAnalytics(store: Pick<Store, 'rollups'>) {
  async function evalSummary(projectId: string, from: Date, to: Date) {
    const rows = await store.rollups.evaluations(projectId, ['faithfulness', 'hallucination'], segments(from, to));
    const pick = (m: string) => rows.filter((r) => r.metric === m);
    const sum = (rs: typeof rows, k: 'n' | 'score_sum' | 'cost_usd') => rs.reduce((s, r) => s + r[k], 0);
    const f = pick('faithfulness');
    const h = pick('hallucination');
    return {
      hallucination_rate: sum(h, 'n') ? sum(h, 'score_sum') / sum(h, 'n') : null,
      mean_faithfulness: sum(f, 'n') ? sum(f, 'score_sum') / sum(f, 'n') : null,
      evaluated_traces: sum(h, 'n') || sum(f, 'n'),
    };
  }
  async function evalCost(projectId: string, from: Date, to: Date): Promise<number> {
    return Math.round((await store.rollups.evaluationCost(projectId, segments(from, to))) * 1e8) / 1e8;
  }
  return {
    async summary(projectId: string, from: Date, to: Date) {
      const [rows, ev, evalCostUsd] = await Promise.all([
        store.rollups.traces(projectId, 'all', segments(from, to)),
        evalSummary(projectId, from, to),
        evalCost(projectId, from, to),
      ]);
      const a = aggregate(rows);
      const minutes = (to.getTime() - from.getTime()) / 60_000;
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        ...a,
        throughput_per_min: a.traces / minutes,
        llm_cost_usd: a.cost_usd,
        evaluation_cost_usd: evalCostUsd,
        ...ev,
        percentile_max_relative_error: PERCENTILE_MAX_RELATIVE_ERROR,
      };
    },

    async timeseries(projectId: string, from: Date, to: Date, bucket: Bucket) {
      if (bucket !== 'minute') {
        const size = BUCKET_MS[bucket];
        from = new Date(Math.floor(from.getTime() / size) * size);
      }
      const grain = bucket;
      const [rows, evRows] = await Promise.all([
        store.rollups.traces(projectId, 'all', [{ grain, from, to }]),
        store.rollups.evaluations(projectId, ['hallucination', 'faithfulness'], [{ grain, from, to }]),
      ]);
      const size = BUCKET_MS[bucket];
      const key = (d: Date) => Math.floor(d.getTime() / size) * size;
      const groups = groupBy(rows, (r) => key(r.bucket));
      const hall = new Map<number, { n: number; s: number }>();
      for (const r of evRows.filter((x) => x.metric === 'hallucination')) {
        const g = hall.get(key(r.bucket)) ?? { n: 0, s: 0 };
        g.n += r.n;
        g.s += r.score_sum;
        hall.set(key(r.bucket), g);
      }
      const points = [];
      for (let t = key(from); t < to.getTime(); t += size) {
        const a = aggregate(groups.get(t) ?? []);
        const h = hall.get(t);
        points.push({
          t: new Date(t).toISOString(),
          traces: a.traces,
          errors: a.errors,
          error_rate: a.error_rate,
          tokens: a.tokens,
          cost_usd: a.cost_usd,
          latency_p50_ms: a.latency_ms.p50,
          latency_p95_ms: a.latency_ms.p95,
          hallucination_rate: h && h.n ? h.s / h.n : null,
        });
      }
      return { from: from.toISOString(), to: to.toISOString(), bucket, points };
    },

    async breakdown(projectId: string, from: Date, to: Date, by: 'model' | 'user' | 'tag' | 'provider', limit = 50) {
      // Dimensions keep hour and day rows (users: day only), so the range widens to those units.
      const segs = segments(from, to, GRAINS[by]);
      const { rows, totalKeys } = await store.rollups.top(projectId, by, segs, limit);
      const h0 = segs[0]!.from;
      const h1 = segs[segs.length - 1]!.to;
      const groups = groupBy(rows, (r) => r.key);
      const items = [...groups].map(([k, rs]) => ({ key: k, ...aggregate(rs) })).sort((a, b) => b.cost_usd - a.cost_usd || b.traces - a.traces || a.key.localeCompare(b.key));
      return { from: h0.toISOString(), to: h1.toISOString(), by, items, total_keys: totalKeys };
    },
  };
}

export type Analytics = ReturnType<typeof createAnalytics>;
