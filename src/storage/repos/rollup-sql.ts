// The rollup arithmetic shared by every write that adds, removes or moves a trace or an evaluation,
// so trace_rollups and eval_rollups stay exact sums of the rows: a change is written as the old facts
// with sign -1 and the new ones with sign +1, in the same statement as the rows.

import { INTERNAL_TAG } from '../../core/schemas/trace.js';
import type { TraceRollupRow } from './rollups.js';

// Internal traces (the judge's calls) count in no usage rollup; aether_rebuild_rollups says the same.
const INTERNAL = `'${INTERNAL_TAG}'`;

const TRACE_ROLLUP_COLUMNS = `project_id, grain, dim, bucket, key, n, errors, input_tokens, output_tokens, tokens,
                                  cost_usd, latency_n, latency_sum, latency_hist`;
const TRACE_ROLLUP_MERGE = `on conflict (project_id, grain, dim, bucket, key) do update set
    n = r.n + excluded.n, errors = r.errors + excluded.errors, input_tokens = r.input_tokens + excluded.input_tokens,
    output_tokens = r.output_tokens + excluded.output_tokens, tokens = r.tokens + excluded.tokens,
    cost_usd = r.cost_usd + excluded.cost_usd, latency_n = r.latency_n + excluded.latency_n,
    latency_sum = r.latency_sum + excluded.latency_sum, latency_hist = aether_hist_add(r.latency_hist, excluded.latency_hist)`;

/**
 * `insert into trace_rollups` from a CTE named `facts` with columns project_id, ts, status, model,
 * provider, user_id, tags, input_tokens, output_tokens, token_count, cost_usd, latency_ms, sign.
 */
export const TRACE_ROLLUP_DELTA = `
  insert into trace_rollups as r (${TRACE_ROLLUP_COLUMNS})
  select f.project_id, d.grain, d.dim, date_trunc(d.grain, f.ts, 'UTC'), d.key, sum(f.sign), coalesce(sum(f.sign) filter (where f.status = 'error'), 0),
         coalesce(sum(f.sign * f.input_tokens), 0), coalesce(sum(f.sign * f.output_tokens), 0), coalesce(sum(f.sign * f.token_count), 0),
         coalesce(sum(f.sign * f.cost_usd), 0), coalesce(sum(f.sign) filter (where f.latency_ms is not null), 0), coalesce(sum(f.sign * f.latency_ms), 0),
         aether_hist_delta(coalesce(array_agg(f.lb) filter (where f.lb is not null and f.sign > 0), '{}'),
                           coalesce(array_agg(f.lb) filter (where f.lb is not null and f.sign < 0), '{}'))
    from (select x.*, case when x.latency_ms is null then null
                           else least(139, greatest(0, floor(ln(greatest(x.latency_ms, 1)) / ln(1.1))))::int end as lb
            from facts x
           where not (${INTERNAL} = any(coalesce(x.tags, '{}')))) f
    cross join lateral (
      select * from (values ('minute', 'all', ''), ('hour', 'all', ''), ('day', 'all', ''),
                            ('hour', 'model', f.model), ('day', 'model', f.model),
                            ('hour', 'provider', f.provider), ('day', 'provider', f.provider),
                            ('day', 'user', f.user_id)) v(grain, dim, key)
      union all select g, 'tag', tag from unnest(f.tags) tag, (values ('hour'), ('day')) gs(g)
    ) d
   where d.key is not null
   group by 1, 2, 3, 4, 5
  ${TRACE_ROLLUP_MERGE}`;

/** `insert into eval_rollups` from a CTE named `edelta` with columns project_id, metric, score, cost_usd, tokens, trace_ts, sign. */
export const EVAL_ROLLUP_DELTA = `
  insert into eval_rollups as r (project_id, grain, metric, bucket, n, score_sum, null_n, cost_usd, tokens)
  select d.project_id, g.grain, d.metric, date_trunc(g.grain, d.trace_ts, 'UTC'),
         sum(d.sign * (d.score is not null)::int), sum(d.sign * coalesce(d.score, 0)), sum(d.sign * (d.score is null)::int),
         sum(d.sign * d.cost_usd), sum(d.sign * d.tokens)
    from edelta d cross join (values ('minute'), ('hour'), ('day')) g(grain)
   group by 1, 2, 3, 4
  on conflict (project_id, grain, metric, bucket) do update set
    n = r.n + excluded.n, score_sum = r.score_sum + excluded.score_sum, null_n = r.null_n + excluded.null_n,
    cost_usd = r.cost_usd + excluded.cost_usd, tokens = r.tokens + excluded.tokens`;

/** What a trace contributes to the usage rollups (the columns TRACE_ROLLUP_DELTA reads from `facts`). */
export interface RollupFacts {
  project_id: string;
  ts: Date;
  status: string;
  model: string | null;
  provider: string | null;
  user_id: string | null;
  tags: string[] | null;
  input_tokens: number | null;
  output_tokens: number | null;
  token_count: number | null;
  cost_usd: number | null;
  latency_ms: number | null;
}

/** One trace_rollups row as traceRollupRows reads it from JSON (the bucket as an ISO string). */
export interface TraceRollupDelta extends Omit<TraceRollupRow, 'bucket'> {
  project_id: string;
  grain: 'minute' | 'hour' | 'day';
  dim: string;
  bucket: string;
}

const HIST_BUCKETS = 140;
const GRAIN_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const LN_1_1 = Math.log(1.1);

/** The log bucket of a latency, as TRACE_ROLLUP_DELTA computes it. */
const latencyBucket = (ms: number) => Math.min(HIST_BUCKETS - 1, Math.max(0, Math.floor(Math.log(Math.max(ms, 1)) / LN_1_1)));

/**
 * The rollup rows a set of new traces adds, aggregated here rather than in the statement: the same
 * grains, dimensions and sums as TRACE_ROLLUP_DELTA with sign +1 (internal traces left out), sorted
 * by key so concurrent writers on PostgreSQL take the row locks in one order. Aggregating in SQL
 * took about half of a 1,000-trace insert on the embedded store.
 */
export function traceRollupDeltas(facts: RollupFacts[]): TraceRollupDelta[] {
  const rows = new Map<string, TraceRollupDelta>();
  const isoOf = new Map<number, string>();
  const iso = (ms: number) => {
    let s = isoOf.get(ms);
    if (s === undefined) isoOf.set(ms, (s = new Date(ms).toISOString()));
    return s;
  };
  for (const f of facts) {
    if (f.tags?.includes(INTERNAL_TAG)) continue;
    const t = f.ts.getTime();
    const buckets = {
      minute: iso(Math.floor(t / GRAIN_MS.minute) * GRAIN_MS.minute),
      hour: iso(Math.floor(t / GRAIN_MS.hour) * GRAIN_MS.hour),
      day: iso(Math.floor(t / GRAIN_MS.day) * GRAIN_MS.day),
    };
    const lb = f.latency_ms === null ? -1 : latencyBucket(f.latency_ms);
    const add = (grain: keyof typeof GRAIN_MS, dim: string, key: string | null) => {
      if (key === null) return;
      const b = buckets[grain];
      const id = `${f.project_id}\u0000${grain}\u0000${dim}\u0000${b}\u0000${key}`;
      let r = rows.get(id);
      if (!r) {
        r = {
          project_id: f.project_id, grain, dim, bucket: b, key, n: 0, errors: 0, input_tokens: 0, output_tokens: 0, tokens: 0,
          cost_usd: 0, latency_n: 0, latency_sum: 0, latency_hist: new Array<number>(HIST_BUCKETS).fill(0),
        };
        rows.set(id, r);
      }
      r.n++;
      if (f.status === 'error') r.errors++;
      r.input_tokens += f.input_tokens ?? 0;
      r.output_tokens += f.output_tokens ?? 0;
      r.tokens += f.token_count ?? 0;
      r.cost_usd += f.cost_usd ?? 0;
      if (lb >= 0) {
        r.latency_n++;
        r.latency_sum += f.latency_ms!;
        r.latency_hist[lb]!++;
      }
    };
    add('minute', 'all', '');
    add('hour', 'all', '');
    add('day', 'all', '');
    add('hour', 'model', f.model);
    add('day', 'model', f.model);
    add('hour', 'provider', f.provider);
    add('day', 'provider', f.provider);
    add('day', 'user', f.user_id);
    for (const tag of f.tags ?? []) {
      add('hour', 'tag', tag);
      add('day', 'tag', tag);
    }
  }
  return [...rows.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, r]) => r);
}

/** A rollup row as traceRollupRows reads it: the histogram as its non-zero buckets (`hb`) and counts (`hn`). */
type SparseRollupRow = Omit<TraceRollupDelta, 'latency_hist'> & { hb: number[]; hn: number[] };

/** The JSON parameter of traceRollupRows for rows of traceRollupDeltas. */
export function rollupRowsJson(rows: TraceRollupDelta[]): string {
  const sparse: SparseRollupRow[] = rows.map(({ latency_hist, ...r }) => {
    const hb: number[] = [];
    const hn: number[] = [];
    latency_hist.forEach((c, b) => {
      if (c === 0) return;
      hb.push(b);
      hn.push(c);
    });
    return { ...r, hb, hn };
  });
  return JSON.stringify(sparse);
}

/**
 * `insert into trace_rollups` from rows of traceRollupDeltas, passed as the JSON parameter `param`
 * (rollupRowsJson), when the SQL condition `gate` holds (it is evaluated once, before any row is read).
 */
export const traceRollupRows = (param: string, gate: string) => `
  insert into trace_rollups as r (${TRACE_ROLLUP_COLUMNS})
  select project_id, grain, dim, bucket, key, n, errors, input_tokens, output_tokens, tokens, cost_usd, latency_n, latency_sum,
         aether_hist_add_sparse(null, hb, hn)
    from json_to_recordset(${param}::json) as x(project_id text, grain text, dim text, bucket timestamptz, key text, n bigint,
      errors bigint, input_tokens bigint, output_tokens bigint, tokens bigint, cost_usd float8, latency_n bigint,
      latency_sum float8, hb int[], hn int[])
   where ${gate}
  ${TRACE_ROLLUP_MERGE}`;
