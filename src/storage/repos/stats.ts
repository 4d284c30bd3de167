import type pg from 'pg';

export interface WindowStats {
  n: number;
  value: number | null;
}

/** Window aggregates the alert rules read: small, indexed range scans on (project_id, ts). */
export function statsRepo(pool: pg.Pool) {
  const one = async (sql: string, params: unknown[]): Promise<WindowStats> => {
    const r = await pool.query<{ n: number; value: number | null }>(sql, params);
    return { n: Number(r.rows[0]?.n ?? 0), value: r.rows[0]?.value ?? null };
  };
  return {
    /** Share of faithfulness scores below `threshold` among evaluations written since `from`. */
    hallucinationRate: (projectId: string, from: Date, threshold: number) =>
      one(
        `select count(*)::int as n, avg(case when score < $3 then 1.0 else 0.0 end)::float8 as value
           from evaluations where project_id = $1 and metric = 'faithfulness' and score is not null and created_at >= $2`,
        [projectId, from, threshold],
      ),
    /** Exact p95 of latency over traces since `from`. */
    latencyP95: (projectId: string, from: Date) =>
      one(
        `select count(*)::int as n, percentile_cont(0.95) within group (order by latency_ms)::float8 as value
           from rag_traces where project_id = $1 and ts >= $2 and latency_ms is not null`,
        [projectId, from],
      ),
    errorRate: (projectId: string, from: Date) =>
      one(
        `select count(*)::int as n, avg(case when status = 'error' then 1.0 else 0.0 end)::float8 as value
           from rag_traces where project_id = $1 and ts >= $2`,
        [projectId, from],
      ),
    /** LLM spend between two times, in total or per user/model (top 50 spenders). */
    async spend(projectId: string, from: Date, to: Date, by?: 'user_id' | 'model'): Promise<Array<{ key: string | null; usd: number; n: number }>> {
      const group = by ? `${by}` : 'null::text';
      const r = await pool.query<{ key: string | null; usd: number; n: number }>(
        `select ${group} as key, coalesce(sum(cost_usd), 0)::float8 as usd, count(*)::int as n
           from rag_traces where project_id = $1 and ts >= $2 and ts < $3 ${by ? `and ${by} is not null` : ''}
          group by 1 order by 2 desc limit 50`,
        [projectId, from, to],
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
          where e.project_id = $1 and e.metric = 'faithfulness' and e.score is not null and e.created_at >= $2 and t.model is not null
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
