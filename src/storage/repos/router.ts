import type pg from 'pg';

/** Additive sums for one project × model × task type; the repo decays the stored sums before adding. */
export interface CatalogDelta {
  project_id: string;
  model: string;
  task_type: string;
  calls: number;
  errors: number;
  lat_w: number;
  lat_log: number;
  lat_log2: number;
  ttft_w: number;
  ttft_log: number;
  ttft_log2: number;
  tpot_w: number;
  tpot_sum: number;
  out_w: number;
  out_sum: number;
  q_alpha: number;
  q_beta: number;
  q_count: number;
}

/** A stored catalog row (sums decayed to `updated_at`). */
export interface CatalogRow extends CatalogDelta {
  updated_at: Date;
}

/** A trace with a quality score: a labelled example for the router's nearest-neighbour index. */
export interface QualityOutcome {
  project_id: string;
  trace_id: string;
  model: string;
  /** The trace's provider (a gateway trace's endpoint), so the outcome is learned under the same name as live feedback. */
  provider: string | null;
  query: string;
  metric: string;
  score: number;
  task_type: string | null;
  created_at: Date;
}

const SUMS = ['calls', 'errors', 'lat_w', 'lat_log', 'lat_log2', 'ttft_w', 'ttft_log', 'ttft_log2', 'tpot_w', 'tpot_sum', 'out_w', 'out_sum', 'q_alpha', 'q_beta'] as const;
const key = (d: CatalogDelta) => `${d.project_id}\u0000${d.model}\u0000${d.task_type}`;

// Each stored sum is first decayed by 0.5^(age / half-life), then the delta is added: an exponential
// moving sum that needs no background job and is exact whichever process writes.
const UPSERT_SQL = `
insert into router_catalog (project_id, model, task_type, ${SUMS.join(', ')}, q_count, updated_at)
select project_id, model, task_type, ${SUMS.join(', ')}, q_count, now()
  from jsonb_to_recordset($1::jsonb) as x(project_id text, model text, task_type text, ${SUMS.map((s) => `${s} float8`).join(', ')}, q_count int8)
on conflict (project_id, model, task_type) do update set
  ${SUMS.map((s) => `${s} = router_catalog.${s} * power(0.5, greatest(0, extract(epoch from now() - router_catalog.updated_at)) / $2) + excluded.${s}`).join(',\n  ')},
  q_count = router_catalog.q_count + excluded.q_count,
  updated_at = now()`;

/** The router's catalog and settings. */
export function routerRepo(pool: pg.Pool) {
  return {
    /** Add deltas (several for one key are summed first: one statement may touch a row once). */
    async increment(deltas: CatalogDelta[], halfLifeSeconds: number): Promise<void> {
      if (deltas.length === 0) return;
      const merged = new Map<string, CatalogDelta>();
      for (const d of deltas) {
        const m = merged.get(key(d));
        if (!m) {
          merged.set(key(d), { ...d });
          continue;
        }
        for (const s of SUMS) m[s] += d[s];
        m.q_count += d.q_count;
      }
      await pool.query(UPSERT_SQL, [JSON.stringify([...merged.values()]), halfLifeSeconds]);
    },

    /** Catalog rows changed after `since` (all rows when undefined), decayed to now. */
    async rowsSince(since: Date | undefined, halfLifeSeconds: number): Promise<CatalogRow[]> {
      const decay = `power(0.5, greatest(0, extract(epoch from now() - updated_at)) / $1)`;
      const r = await pool.query<CatalogRow>(
        `select project_id, model, task_type, ${SUMS.map((s) => `${s} * ${decay} as ${s}`).join(', ')}, q_count, updated_at
           from router_catalog ${since ? 'where updated_at > $2' : ''} order by updated_at`,
        since ? [halfLifeSeconds, since] : [halfLifeSeconds],
      );
      return r.rows.map((x) => ({ ...x, q_count: Number(x.q_count) }));
    },

    /** The newest quality outcomes of a project (evaluations of the given metrics joined to their traces). */
    async outcomes(projectId: string, metrics: string[], opts: { since?: Date | undefined; limit: number }): Promise<QualityOutcome[]> {
      const r = await pool.query<QualityOutcome>(
        `select e.project_id, e.trace_id, t.model, t.provider, t.query, e.metric, e.score, e.created_at,
                coalesce(t.metadata->'aether.route'->>'task_type', t.metadata->>'task_type') as task_type
           from evaluations e join rag_traces t on t.project_id = e.project_id and t.id = e.trace_id
          where e.project_id = $1 and e.metric = any($2::text[]) and e.score is not null and t.model is not null
            ${opts.since ? 'and e.created_at > $4' : ''}
          order by e.created_at desc limit $3`,
        opts.since ? [projectId, metrics, opts.limit, opts.since] : [projectId, metrics, opts.limit],
      );
      return r.rows;
    },

    /** Routed traces per UTC day and chosen model (traces whose metadata records `aether.route`). */
    async traffic(projectId: string, from: Date): Promise<Array<{ day: string; model: string; policy: string; task_type: string; traces: number }>> {
      const r = await pool.query<{ day: string; model: string; policy: string; task_type: string; traces: string }>(
        `select to_char(date_trunc('day', ts at time zone 'UTC'), 'YYYY-MM-DD') as day,
                coalesce(metadata->'aether.route'->>'model', model, '?') as model,
                coalesce(metadata->'aether.route'->>'policy', '?') as policy,
                coalesce(metadata->'aether.route'->>'task_type', '?') as task_type, count(*)::text as traces
           from rag_traces where project_id = $1 and ts >= $2 and metadata ? 'aether.route'
          group by 1, 2, 3, 4 order by 1, 2`,
        [projectId, from],
      );
      return r.rows.map((x) => ({ ...x, traces: Number(x.traces) }));
    },

    async getSettings(projectId: string): Promise<unknown> {
      const r = await pool.query<{ config: unknown }>('select config from router_settings where project_id = $1', [projectId]);
      return r.rows[0]?.config;
    },

    async putSettings(projectId: string, config: unknown): Promise<void> {
      await pool.query(
        `insert into router_settings (project_id, config, updated_at) values ($1, $2, now())
         on conflict (project_id) do update set config = excluded.config, updated_at = now()`,
        [projectId, JSON.stringify(config)],
      );
    },
  };
}

export type RouterRepo = ReturnType<typeof routerRepo>;
