import type pg from 'pg';
import { EVAL_ROLLUP_DELTA, TRACE_ROLLUP_DELTA } from './rollup-sql.js';

// One statement deletes a slice of a project's oldest traces with their spans, evaluations and
// pending jobs, and subtracts exactly those rows from the rollups: the rollups stay the sums of
// the rows that remain, and a crash between slices leaves nothing half-deleted. Two runners at
// once are safe: a row is deleted (and subtracted) by the one statement that removed it.
const PURGE_SQL = `
with gone as (
  delete from rag_traces t
   using (select id from rag_traces where project_id = $1 and ts < $2 order by ts limit $3) o
   where t.project_id = $1 and t.id = o.id
  returning t.project_id, t.id, t.ts, t.status, t.model, t.provider, t.user_id, t.tags, t.input_tokens, t.output_tokens,
            t.token_count, t.cost_usd, t.latency_ms
), sp as (
  delete from trace_spans s using gone g where s.project_id = g.project_id and s.trace_id = g.id returning 1
), jobs as (
  delete from eval_jobs j using gone g where j.project_id = g.project_id and j.trace_id = g.id returning 1
), ev as (
  delete from evaluations e using gone g where e.project_id = g.project_id and e.trace_id = g.id
  returning e.project_id, e.metric, e.score, e.cost_usd, e.tokens, e.trace_ts, -1 as sign
), facts as (
  select g.*, -1 as sign from gone g
), roll as (${TRACE_ROLLUP_DELTA}
  returning 1
), edelta as (
  select * from ev
), eroll as (${EVAL_ROLLUP_DELTA}
  returning 1
)
select (select count(*) from gone)::int as traces, (select count(*) from sp)::int as spans, (select count(*) from ev)::int as evaluations`;

/** What one purge removed. */
export interface Purged {
  traces: number;
  spans: number;
  evaluations: number;
}

/** Retention: which projects keep traces for how long, and the deletion of what is older. */
export function retentionRepo(pool: pg.Pool) {
  return {
    /** Every project with its retention in days (its own, else `defaultDays`); projects that keep everything are left out. */
    async policies(defaultDays: number | undefined): Promise<Array<{ projectId: string; days: number }>> {
      const r = await pool.query<{ id: string; days: number }>(
        'select id, coalesce(retention_days, $1::int) as days from projects where coalesce(retention_days, $1::int) > 0 order by id',
        [defaultDays ?? null],
      );
      return r.rows.map((x) => ({ projectId: x.id, days: x.days }));
    },
    /** Set a project's retention (null: the server default). */
    async set(projectId: string, days: number | null): Promise<void> {
      await pool.query('update projects set retention_days = $2 where id = $1', [projectId, days]);
    },
    async get(projectId: string): Promise<number | null> {
      const r = await pool.query<{ retention_days: number | null }>('select retention_days from projects where id = $1', [projectId]);
      return r.rows[0]?.retention_days ?? null;
    },
    /** Delete up to `limit` of the project's traces older than `before`; call again until it returns 0 traces. */
    async purge(projectId: string, before: Date, limit: number): Promise<Purged> {
      const r = await pool.query<Purged>(PURGE_SQL, [projectId, before, limit]);
      return r.rows[0] ?? { traces: 0, spans: 0, evaluations: 0 };
    },
    /** How many of the project's traces are older than `before` (for a dry run). */
    async count(projectId: string, before: Date): Promise<number> {
      const r = await pool.query<{ n: number }>('select count(*)::int as n from rag_traces where project_id = $1 and ts < $2', [projectId, before]);
      return r.rows[0]?.n ?? 0;
    },
  };
}
