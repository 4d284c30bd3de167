import type pg from 'pg';
import { newId } from '../../core/ids.js';

export interface ExperimentRecord {
  id: string;
  projectId: string;
  name: string;
  status: string;
  promptName: string | null;
  unit: string;
  variants: unknown[];
  settings: Record<string, unknown>;
  winner: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
}

/** Per-variant counts over the traces that record the experiment in their metadata. */
export interface VariantStats {
  variant: string;
  n: number;
  errors: number;
  /** Traces with a hallucination verdict, and how many were hallucinated. */
  evaluated: number;
  hallucinated: number;
  /** No error and not hallucinated. */
  successes: number;
  latencyP50: number | null;
  latencyP95: number | null;
  costMean: number | null;
  /** Mean, variance and count of an extra evaluation metric's scores, when asked for. */
  metricN: number;
  metricMean: number | null;
  metricVar: number | null;
}

interface Row {
  id: string; project_id: string; name: string; status: string; prompt_name: string | null; unit: string; variants: unknown[];
  settings: Record<string, unknown>; winner: string | null; created_at: Date; updated_at: Date; started_at: Date | null; ended_at: Date | null;
}
const COLS = 'id, project_id, name, status, prompt_name, unit, variants, settings, winner, created_at, updated_at, started_at, ended_at';
const toRecord = (r: Row): ExperimentRecord => ({
  id: r.id, projectId: r.project_id, name: r.name, status: r.status, promptName: r.prompt_name, unit: r.unit, variants: r.variants,
  settings: r.settings, winner: r.winner, createdAt: r.created_at, updatedAt: r.updated_at, startedAt: r.started_at, endedAt: r.ended_at,
});

/** A/B experiments and their per-variant results. */
export function experimentsRepo(pool: pg.Pool) {
  return {
    async create(e: { projectId: string; name: string; promptName: string | null; unit: string; variants: unknown[]; settings: Record<string, unknown> }): Promise<ExperimentRecord> {
      const r = await pool.query<Row>(
        `insert into experiments (id, project_id, name, prompt_name, unit, variants, settings) values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb) returning ${COLS}`,
        [newId(), e.projectId, e.name, e.promptName, e.unit, JSON.stringify(e.variants), JSON.stringify(e.settings)],
      );
      return toRecord(r.rows[0]!);
    },
    async get(projectId: string, id: string): Promise<ExperimentRecord | undefined> {
      const r = await pool.query<Row>(`select ${COLS} from experiments where project_id = $1 and id = $2`, [projectId, id]);
      return r.rows[0] ? toRecord(r.rows[0]) : undefined;
    },
    async list(projectId: string, status?: string): Promise<ExperimentRecord[]> {
      const r = await pool.query<Row>(`select ${COLS} from experiments where project_id = $1 and ($2::text is null or status = $2) order by created_at desc limit 500`, [projectId, status ?? null]);
      return r.rows.map(toRecord);
    },
    /** Move to `to` only from one of `from` (so two processes cannot both start or complete it). */
    async transition(projectId: string, id: string, from: string[], to: string, winner?: string | null): Promise<ExperimentRecord | undefined> {
      const r = await pool.query<Row>(
        `update experiments set status = $4, updated_at = now(),
            started_at = case when $4 = 'running' and started_at is null then now() else started_at end,
            ended_at = case when $4 = 'completed' then now() else ended_at end,
            winner = case when $6 then $5 else winner end
          where project_id = $1 and id = $2 and status = any($3::text[]) returning ${COLS}`,
        [projectId, id, from, to, winner ?? null, winner !== undefined],
      );
      return r.rows[0] ? toRecord(r.rows[0]) : undefined;
    },
    async updateSettings(projectId: string, id: string, settings: Record<string, unknown>): Promise<ExperimentRecord | undefined> {
      const r = await pool.query<Row>(`update experiments set settings = $3::jsonb, updated_at = now() where project_id = $1 and id = $2 returning ${COLS}`, [projectId, id, JSON.stringify(settings)]);
      return r.rows[0] ? toRecord(r.rows[0]) : undefined;
    },
    async remove(projectId: string, id: string): Promise<boolean> {
      return ((await pool.query('delete from experiments where project_id = $1 and id = $2', [projectId, id])).rowCount ?? 0) > 0;
    },
    /** Results per variant from traces whose metadata has `experiment_id` = id, with their evaluations. */
    async stats(projectId: string, id: string, metric: string | null): Promise<VariantStats[]> {
      const r = await pool.query<{ variant: string; n: number; errors: number; evaluated: number; hallucinated: number; successes: number; p50: number | null; p95: number | null; cost: number | null; mn: number; mm: number | null; mv: number | null }>(
        `select t.metadata->>'experiment_variant' as variant,
                count(*)::int as n,
                count(*) filter (where t.status = 'error')::int as errors,
                count(h.score)::int as evaluated,
                count(*) filter (where h.score >= 1)::int as hallucinated,
                count(*) filter (where t.status <> 'error' and coalesce(h.score, 0) < 1)::int as successes,
                percentile_cont(0.5) within group (order by t.latency_ms)::float8 as p50,
                percentile_cont(0.95) within group (order by t.latency_ms)::float8 as p95,
                avg(t.cost_usd)::float8 as cost,
                count(m.score)::int as mn, avg(m.score)::float8 as mm, var_samp(m.score)::float8 as mv
           from rag_traces t
           left join lateral (select max(e.score) as score from evaluations e where e.project_id = t.project_id and e.trace_id = t.id and e.metric = 'hallucination') h on true
           left join lateral (select avg(e.score) as score from evaluations e where e.project_id = t.project_id and e.trace_id = t.id and e.metric = $3) m on true
          where t.project_id = $1 and t.metadata->>'experiment_id' = $2 and t.metadata ? 'experiment_variant'
          group by 1`,
        [projectId, id, metric],
      );
      return r.rows.map((x) => ({
        variant: x.variant, n: x.n, errors: x.errors, evaluated: x.evaluated, hallucinated: x.hallucinated, successes: x.successes,
        latencyP50: x.p50, latencyP95: x.p95, costMean: x.cost, metricN: x.mn, metricMean: x.mm, metricVar: x.mv,
      }));
    },
  };
}

export type ExperimentsRepo = ReturnType<typeof experimentsRepo>;
