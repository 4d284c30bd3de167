import type pg from 'pg';

/** A project's own price for a model, USD per token. */
export interface StoredPrice {
  model: string;
  input_per_token: number;
  output_per_token: number;
  cache_read_per_token: number | null;
  cache_write_per_token: number | null;
  updated_at: Date;
}

/** A model seen in a project's traces with usage but no price. */
export interface UnpricedModel {
  model: string;
  traces: number;
  input_tokens: number;
  output_tokens: number;
  last_seen: Date;
}

const COLS = 'model, input_per_token, output_per_token, cache_read_per_token, cache_write_per_token, updated_at';

/** Per-project price overrides (table model_prices) and the models still unpriced. */
export function modelPricesRepo(pool: pg.Pool) {
  return {
    async list(projectId: string): Promise<StoredPrice[]> {
      return (await pool.query<StoredPrice>(`select ${COLS} from model_prices where project_id = $1 order by model`, [projectId])).rows;
    },
    async put(projectId: string, p: Omit<StoredPrice, 'updated_at'>): Promise<StoredPrice> {
      const r = await pool.query<StoredPrice>(
        `insert into model_prices (project_id, model, input_per_token, output_per_token, cache_read_per_token, cache_write_per_token)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (project_id, model) do update set input_per_token = excluded.input_per_token, output_per_token = excluded.output_per_token,
           cache_read_per_token = excluded.cache_read_per_token, cache_write_per_token = excluded.cache_write_per_token, updated_at = now()
         returning ${COLS}`,
        [projectId, p.model, p.input_per_token, p.output_per_token, p.cache_read_per_token, p.cache_write_per_token],
      );
      return r.rows[0]!;
    },
    async remove(projectId: string, model: string): Promise<boolean> {
      return ((await pool.query('delete from model_prices where project_id = $1 and model = $2', [projectId, model])).rowCount ?? 0) > 0;
    },
    /** Models of traces recorded as unpriced since `from`, most recently seen first. */
    async unpriced(projectId: string, from: Date): Promise<UnpricedModel[]> {
      const r = await pool.query<UnpricedModel>(
        `select model, count(*)::int as traces, coalesce(sum(input_tokens), 0)::int8 as input_tokens,
                coalesce(sum(output_tokens), 0)::int8 as output_tokens, max(ts) as last_seen
           from rag_traces
          where project_id = $1 and cost_source = 'unpriced' and ts >= $2 and model is not null
          group by model order by max(ts) desc limit 200`,
        [projectId, from],
      );
      return r.rows;
    },
  };
}

export type ModelPricesRepo = ReturnType<typeof modelPricesRepo>;
