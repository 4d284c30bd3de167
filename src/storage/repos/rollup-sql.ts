// The rollup arithmetic shared by every write that adds, removes or moves a trace or an evaluation,
// so trace_rollups and eval_rollups stay exact sums of the rows: a change is written as the old facts
// with sign -1 and the new ones with sign +1, in the same statement as the rows.

import { INTERNAL_TAG } from '../../core/schemas/trace.js';

// Internal traces (the judge's calls) count in no usage rollup; aether_rebuild_rollups says the same.
const INTERNAL = `'${INTERNAL_TAG}'`;

/**
 * `insert into trace_rollups` from a CTE named `facts` with columns project_id, ts, status, model,
 * provider, user_id, tags, input_tokens, output_tokens, token_count, cost_usd, latency_ms, sign.
 */
export const TRACE_ROLLUP_DELTA = `
  insert into trace_rollups as r (project_id, grain, dim, bucket, key, n, errors, input_tokens, output_tokens, tokens,
                                  cost_usd, latency_n, latency_sum, latency_hist)
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
  on conflict (project_id, grain, dim, bucket, key) do update set
    n = r.n + excluded.n, errors = r.errors + excluded.errors, input_tokens = r.input_tokens + excluded.input_tokens,
    output_tokens = r.output_tokens + excluded.output_tokens, tokens = r.tokens + excluded.tokens,
    cost_usd = r.cost_usd + excluded.cost_usd, latency_n = r.latency_n + excluded.latency_n,
    latency_sum = r.latency_sum + excluded.latency_sum, latency_hist = aether_hist_add(r.latency_hist, excluded.latency_hist)`;

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
