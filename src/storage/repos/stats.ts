import type pg from 'pg';

export interface WindowStats {
  n: number;
  value: number | null;
}

/** k of n: hallucinated of evaluated, failed of all. */
export interface RateStats {
  n: number;
  k: number;
}

/**
 * Window aggregates the alert rules read: small, indexed range scans. Every window is [from, to) on
 * the trace's time, as in the summary, time series and breakdowns.
 */
export function statsRepo(pool: pg.Pool) {
  const one = async (sql: string, params: unknown[]): Promise<WindowStats> => {
    const r = await pool.query<{ n: number; value: number | null }>(sql, params);
    return { n: Number(r.rows[0]?.n ?? 0), value: r.rows[0]?.value ?? null };
  };
  const rate = async (sql: string, params: unknown[]): Promise<RateStats> => {
    const r = await pool.query<{ n: number; k: number }>(sql, params);
    return { n: Number(r.rows[0]?.n ?? 0), k: Number(r.rows[0]?.k ?? 0) };
  };
  return {
    /** Traces with faithfulness below `threshold` (k) among traces with a faithfulness score (n). */
    hallucinationRate: (projectId: string, from: Date, to: Date, threshold: number) =>
      rate(
        `select count(*)::int as n, count(*) filter (where score < $4)::int as k
           from evaluations where project_id = $1 and metric = 'faithfulness' and score is not null and trace_ts >= $2 and trace_ts < $3`,
        [projectId, from, to, threshold],
      ),
    /** Exact p95 of latency over the window's traces. */
    latencyP95: (projectId: string, from: Date, to: Date) =>
      one(
        `select count(*)::int as n, percentile_cont(0.95) within group (order by latency_ms)::float8 as value
           from rag_traces where project_id = $1 and ts >= $2 and ts < $3 and latency_ms is not null`,
        [projectId, from, to],
      ),
    /** Failed traces (k) among the window's traces (n). */
    errorRate: (projectId: string, from: Date, to: Date) =>
      rate(
        `select count(*)::int as n, count(*) filter (where status = 'error')::int as k
           from rag_traces where project_id = $1 and ts >= $2 and ts < $3`,
        [projectId, from, to],
      ),
    /** LLM spend between two times, in total or per user/model (top 50 spenders, or the one `key`). */
    async spend(projectId: string, from: Date, to: Date, by?: 'user_id' | 'model', key?: string): Promise<Array<{ key: string | null; usd: number; n: number }>> {
      const group = by ? `${by}` : 'null::text';
      const one = by && key !== undefined;
      const r = await pool.query<{ key: string | null; usd: number; n: number }>(
        `select ${group} as key, coalesce(sum(cost_usd), 0)::float8 as usd, count(*)::int as n
           from rag_traces where project_id = $1 and ts >= $2 and ts < $3 ${by ? `and ${by} is not null` : ''} ${one ? `and ${by} = $4` : ''}
          group by 1 order by 2 desc limit 50`,
        one ? [projectId, from, to, key] : [projectId, from, to],
      );
      return r.rows;
    },
    /** Spend in the hour before `at` and in the same hour on each of the previous `days` days (index 0 = now). */
    async hourlySpendSeries(projectId: string, at: Date, days: number): Promise<number[]> {
      const r = await pool.query<{ d: number; usd: number }>(
        `select d, coalesce((select sum(cost_usd) from rag_traces t
                    where t.project_id = $1 and t.ts >= $2::timestamptz - make_interval(days => d) - interval '1 hour'
                      and t.ts < $2::timestamptz - make_interval(days => d)), 0)::float8 as usd
           from generate_series(0, $3::int) d order by d`,
        [projectId, at, days],
      );
      return r.rows.map((x) => x.usd);
    },
  };
}

export type StatsRepo = ReturnType<typeof statsRepo>;

/** Cost-recommendation inputs: per-model cost and faithfulness, and repeated identical requests. */
export function costInsightsRepo(pool: pg.Pool) {
  return {
    async modelQuality(projectId: string, from: Date): Promise<Array<{ model: string; evaluated: number; faithfulness: number }>> {
      const r = await pool.query<{ model: string; evaluated: number; faithfulness: number }>(
        `select t.model, count(*)::int as evaluated, avg(e.score)::float8 as faithfulness
           from evaluations e join rag_traces t on t.project_id = e.project_id and t.id = e.trace_id
          where e.project_id = $1 and e.metric = 'faithfulness' and e.score is not null and e.trace_ts >= $2 and t.model is not null
          group by t.model`,
        [projectId, from],
      );
      return r.rows;
    },
    async repeatedRequests(projectId: string, from: Date): Promise<{ repeats: number; cost_usd: number; distinct_repeated: number }> {
      const r = await pool.query<{ repeats: number; cost_usd: number; distinct_repeated: number }>(
        `select coalesce(sum(n - 1), 0)::int as repeats, coalesce(sum(cost - first_cost), 0)::float8 as cost_usd, count(*)::int as distinct_repeated
           from (select count(*) as n, sum(coalesce(cost_usd, 0)) as cost,
                        (array_agg(coalesce(cost_usd, 0) order by ts))[1] as first_cost
                   from rag_traces where project_id = $1 and ts >= $2
                  group by md5(query), coalesce(model, '') having count(*) > 1) g`,
        [projectId, from],
      );
      return r.rows[0] ?? { repeats: 0, cost_usd: 0, distinct_repeated: 0 };
    },
  };
}
