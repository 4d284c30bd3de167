import type pg from 'pg';
import { errors } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Evaluation, EvaluationQuery, Page } from '../../core/index.js';
import { Params, preparedQuery } from '../sql.js';
import { EVAL_ROLLUP_DELTA } from './rollup-sql.js';

/** One metric's result for one trace, ready to store. */
export type NewEvaluation = Omit<Evaluation, 'id' | 'created_at'> & { project_id: string };

interface Row extends Omit<Evaluation, 'created_at'> {
  created_at: Date;
}

const toEvaluation = (r: Row): Evaluation => ({
  id: r.id,
  trace_id: r.trace_id,
  metric: r.metric,
  metric_version: r.metric_version,
  evaluator: r.evaluator,
  score: r.score,
  label: r.label,
  reason: r.reason,
  details: r.details,
  cost_usd: r.cost_usd,
  tokens: r.tokens,
  created_at: r.created_at.toISOString(),
});

const COLS = 'id, trace_id, metric, metric_version, evaluator, score, label, reason, details, cost_usd, tokens, created_at';

// Upsert results and keep eval_rollups exact: a replaced row's old values are subtracted (the `old`
// CTE sees the table as it was before this statement) and the new ones added. Rows and rollups carry
// the trace's time, so an evaluation counts in the window of its trace however late it is scored;
// one row per trace × metric, so a result under another evaluator version replaces the previous one.
const UPSERT_SQL = `
with x as (
  select x.*, coalesce(t.ts, now()) as trace_ts
    from jsonb_to_recordset($1::jsonb) as x(id text, project_id text, trace_id text, metric text, metric_version text,
      evaluator text, score float8, label text, reason text, details jsonb, cost_usd float8, tokens int)
    left join rag_traces t on t.project_id = x.project_id and t.id = x.trace_id
), old as (
  select e.project_id, e.metric, e.score, e.cost_usd, e.tokens, e.trace_ts, -1 as sign
    from evaluations e join x on e.project_id = x.project_id and e.trace_id = x.trace_id and e.metric = x.metric
), up as (
  insert into evaluations (id, project_id, trace_id, metric, metric_version, evaluator, score, label, reason, details, cost_usd, tokens, trace_ts)
  select id, project_id, trace_id, metric, metric_version, evaluator, score, label, reason, details, cost_usd, tokens, trace_ts from x
  on conflict (project_id, trace_id, metric) do update set
    metric_version = excluded.metric_version, evaluator = excluded.evaluator, score = excluded.score, label = excluded.label,
    reason = excluded.reason, details = excluded.details, cost_usd = excluded.cost_usd, tokens = excluded.tokens,
    trace_ts = excluded.trace_ts, created_at = now()
  returning project_id, metric, score, cost_usd, tokens, trace_ts, 1 as sign
), edelta as (
  select * from up union all select * from old
)${EVAL_ROLLUP_DELTA}`;

/** Rows per upsert statement (see upsert). */
const UPSERT_CHUNK = 40;

/** Evaluations: one row per project × trace × metric; re-evaluation replaces it. */
export function evaluationsRepo(pool: pg.Pool) {
  return {
    async upsert(rows: NewEvaluation[]): Promise<void> {
      if (rows.length === 0) return;
      // One statement may touch a row once: of two results for one trace × metric, the later wins.
      const latest = new Map(rows.map((r) => [`${r.project_id}\u0000${r.trace_id}\u0000${r.metric}`, r]));
      const withIds = [...latest.values()].map((r) => ({ id: newId(), ...r }));
      // Bounded statements: the embedded store runs one statement at a time, so a scoring batch's
      // write (a few hundred rows with their rollups) would hold an ingest acknowledgement for
      // ~100 ms; in chunks it waits for one chunk at most. A job is completed only after all its
      // chunks, and a retried upsert replaces what a crash left half-written.
      for (let i = 0; i < withIds.length; i += UPSERT_CHUNK) {
        await preparedQuery(pool, 'upsert_evaluations', UPSERT_SQL, [JSON.stringify(withIds.slice(i, i + UPSERT_CHUNK))]);
      }
    },

    async forTrace(projectId: string, traceId: string): Promise<Evaluation[]> {
      const r = await pool.query<Row>(`select ${COLS} from evaluations where project_id = $1 and trace_id = $2 order by metric, metric_version`, [projectId, traceId]);
      return r.rows.map(toEvaluation);
    },

    async list(projectId: string, q: EvaluationQuery): Promise<Page<Evaluation>> {
      const p = new Params();
      const where = [`project_id = ${p.add(projectId)}`];
      if (q.trace_id) where.push(`trace_id = ${p.add(q.trace_id)}`);
      if (q.metric) where.push(`metric = ${p.add(q.metric)}`);
      if (q.label) where.push(`label = ${p.add(q.label)}`);
      if (q.min_score !== undefined) where.push(`score >= ${p.add(q.min_score)}`);
      if (q.max_score !== undefined) where.push(`score <= ${p.add(q.max_score)}`);
      if (q.from) where.push(`created_at >= ${p.add(q.from)}`);
      if (q.to) where.push(`created_at < ${p.add(q.to)}`);
      if (q.cursor) {
        const [at, id] = decode(q.cursor);
        where.push(`(created_at, id) < (${p.add(at)}::timestamptz, ${p.add(id)})`);
      }
      const r = await pool.query<Row>(
        `select ${COLS} from evaluations where ${where.join(' and ')} order by created_at desc, id desc limit ${p.add(q.limit + 1)}`,
        p.values,
      );
      const rows = r.rows.slice(0, q.limit);
      const last = rows[rows.length - 1];
      const next = r.rows.length > q.limit && last ? Buffer.from(JSON.stringify([last.created_at.toISOString(), last.id])).toString('base64url') : null;
      return { data: rows.map(toEvaluation), next_cursor: next };
    },

    /** Evaluation spend per UTC day of the traces' time (as the summary counts it). */
    async costByDay(projectId: string, from: Date, to: Date): Promise<Array<{ day: string; cost_usd: number; tokens: number; evaluations: number }>> {
      const r = await pool.query<{ day: string; cost_usd: number; tokens: number; evaluations: number }>(
        `select to_char(date_trunc('day', trace_ts at time zone 'UTC'), 'YYYY-MM-DD') as day,
                coalesce(sum(cost_usd), 0)::float8 as cost_usd, coalesce(sum(tokens), 0)::int8 as tokens, count(*)::int8 as evaluations
           from evaluations where project_id = $1 and trace_ts >= $2 and trace_ts < $3
          group by 1 order by 1`,
        [projectId, from, to],
      );
      return r.rows;
    },
  };
}

function decode(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    // fall through
  }
  throw errors.validation([{ field: 'cursor', message: 'is not a cursor this API issued; pass next_cursor unchanged' }]);
}

/** Stored evaluation configs (raw JSON; the evals module validates and fills defaults). */
export function evaluationConfigsRepo(pool: pg.Pool) {
  return {
    async get(projectId: string): Promise<unknown> {
      const r = await pool.query<{ config: unknown }>('select config from evaluation_configs where project_id = $1', [projectId]);
      return r.rows[0]?.config;
    },
    async put(projectId: string, config: unknown): Promise<void> {
      await pool.query(
        `insert into evaluation_configs (project_id, config, updated_at) values ($1, $2, now())
         on conflict (project_id) do update set config = excluded.config, updated_at = now()`,
        [projectId, JSON.stringify(config)],
      );
    },
  };
}
