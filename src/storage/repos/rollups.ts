import type pg from 'pg';

export interface TraceRollupRow {
  bucket: Date;
  key: string;
  n: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  tokens: number;
  cost_usd: number;
  latency_n: number;
  latency_sum: number;
  latency_hist: number[];
}

export interface EvalRollupRow {
  bucket: Date;
  metric: string;
  n: number;
  score_sum: number;
  null_n: number;
  cost_usd: number;
  tokens: number;
}

/** A time range read at one grain: [from, to) on bucket starts. */
export interface Segment {
  grain: 'minute' | 'hour' | 'day';
  from: Date;
  to: Date;
}

/** Reads rollup rows (maintained by the trace and evaluation writes) for analytics. */
export function rollupsRepo(pool: pg.Pool) {
  const ranges = (segments: Segment[], p: unknown[]) =>
    segments
      .map((s) => {
        p.push(s.grain, s.from, s.to);
        const n = p.length;
        return `(grain = $${n - 2} and bucket >= $${n - 1} and bucket < $${n})`;
      })
      .join(' or ');
  return {
    async traces(projectId: string, dim: string, segments: Segment[], key?: string): Promise<TraceRollupRow[]> {
      if (segments.length === 0) return [];
      const p: unknown[] = [projectId, dim];
      const where = ranges(segments, p);
      if (key !== undefined) p.push(key);
      const r = await pool.query<TraceRollupRow>(
        `select bucket, key, n, errors, input_tokens, output_tokens, tokens, cost_usd, latency_n, latency_sum, latency_hist
           from trace_rollups where project_id = $1 and dim = $2 and (${where}) ${key !== undefined ? `and key = $${p.length}` : ''}`,
        p,
      );
      return r.rows;
    },
    /** Top keys of a dimension by cost over the segments, with their rows (histograms for those keys only). */
    async top(projectId: string, dim: string, segments: Segment[], limit: number): Promise<{ rows: TraceRollupRow[]; totalKeys: number }> {
      if (segments.length === 0) return { rows: [], totalKeys: 0 };
      const p: unknown[] = [projectId, dim];
      const where = ranges(segments, p);
      p.push(limit);
      const keys = await pool.query<{ key: string; total: number }>(
        `select key, count(*) over ()::int as total from trace_rollups where project_id = $1 and dim = $2 and (${where})
          group by key having sum(n) > 0 order by sum(cost_usd) desc, sum(n) desc, key limit $${p.length}`,
        p,
      );
      if (keys.rows.length === 0) return { rows: [], totalKeys: 0 };
      p[p.length - 1] = keys.rows.map((k) => k.key);
      const r = await pool.query<TraceRollupRow>(
        `select bucket, key, n, errors, input_tokens, output_tokens, tokens, cost_usd, latency_n, latency_sum, latency_hist
           from trace_rollups where project_id = $1 and dim = $2 and (${where}) and key = any($${p.length}::text[])`,
        p,
      );
      return { rows: r.rows, totalKeys: keys.rows[0]!.total };
    },
    async evaluations(projectId: string, metrics: string[], segments: Segment[]): Promise<EvalRollupRow[]> {
      if (segments.length === 0) return [];
      const p: unknown[] = [projectId, metrics];
      const where = ranges(segments, p);
      const r = await pool.query<EvalRollupRow>(
        `select bucket, metric, n, score_sum, null_n, cost_usd, tokens from eval_rollups
          where project_id = $1 and metric = any($2::text[]) and (${where})`,
        p,
      );
      return r.rows;
    },
    /** Evaluation (judge) spend over the segments, all metrics. */
    async evaluationCost(projectId: string, segments: Segment[]): Promise<number> {
      if (segments.length === 0) return 0;
      const p: unknown[] = [projectId];
      const where = ranges(segments, p);
      const r = await pool.query<{ usd: number }>(`select coalesce(sum(cost_usd), 0)::float8 as usd from eval_rollups where project_id = $1 and (${where})`, p);
      return r.rows[0]?.usd ?? 0;
    },
    /** Recompute a project's rollups from its rows (after a bulk load that bypassed them). */
    async rebuild(projectId: string): Promise<void> {
      await pool.query('select aether_rebuild_rollups($1)', [projectId]);
    },
  };
}

export type RollupsRepo = ReturnType<typeof rollupsRepo>;
