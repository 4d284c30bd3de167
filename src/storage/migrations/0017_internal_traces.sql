-- Internal traces (the platform's own LLM calls, tagged aether:internal) count in no usage rollup:
-- the rebuild says what the incremental rollup SQL says (src/storage/repos/rollup-sql.ts).
CREATE OR REPLACE FUNCTION aether_rebuild_rollups(p text) RETURNS void LANGUAGE sql AS $$
  DELETE FROM trace_rollups WHERE project_id = p;
  INSERT INTO trace_rollups
  SELECT r.project_id, r.grain, r.dim, r.bucket, r.key, count(*), count(*) FILTER (WHERE r.status = 'error'),
         coalesce(sum(r.input_tokens), 0), coalesce(sum(r.output_tokens), 0), coalesce(sum(r.token_count), 0), coalesce(sum(r.cost_usd), 0),
         count(r.latency_ms), coalesce(sum(r.latency_ms), 0), aether_hist(array_agg(r.lb) FILTER (WHERE r.lb IS NOT NULL))
    FROM (SELECT t.*, d.grain, d.dim, d.key, date_trunc(d.grain, t.ts, 'UTC') AS bucket,
                 CASE WHEN t.latency_ms IS NULL THEN NULL ELSE least(139, greatest(0, floor(ln(greatest(t.latency_ms, 1)) / ln(1.1))))::int END AS lb
            FROM rag_traces t
           CROSS JOIN LATERAL (VALUES ('minute', 'all', ''), ('hour', 'all', ''), ('day', 'all', ''), ('hour', 'model', t.model), ('day', 'model', t.model),
                                      ('hour', 'provider', t.provider), ('day', 'provider', t.provider), ('day', 'user', t.user_id)
                               ) AS d(grain, dim, key)
           WHERE t.project_id = p AND d.key IS NOT NULL AND NOT ('aether:internal' = ANY(coalesce(t.tags, '{}')))
          UNION ALL
          SELECT t.*, gs.g, 'tag', tag, date_trunc(gs.g, t.ts, 'UTC'),
                 CASE WHEN t.latency_ms IS NULL THEN NULL ELSE least(139, greatest(0, floor(ln(greatest(t.latency_ms, 1)) / ln(1.1))))::int END
            FROM rag_traces t CROSS JOIN LATERAL unnest(t.tags) AS tag CROSS JOIN (VALUES ('hour'), ('day')) AS gs(g)
           WHERE t.project_id = p AND NOT ('aether:internal' = ANY(coalesce(t.tags, '{}')))) AS r
   GROUP BY r.project_id, r.grain, r.dim, r.bucket, r.key;
  DELETE FROM eval_rollups WHERE project_id = p;
  INSERT INTO eval_rollups
  SELECT e.project_id, g.grain, e.metric, date_trunc(g.grain, e.trace_ts, 'UTC'), count(e.score), coalesce(sum(e.score), 0),
         count(*) FILTER (WHERE e.score IS NULL), coalesce(sum(e.cost_usd), 0), coalesce(sum(e.tokens), 0)
    FROM evaluations e CROSS JOIN (VALUES ('minute'), ('hour'), ('day')) AS g(grain)
   WHERE e.project_id = p
   GROUP BY 1, 2, 3, 4;
$$;
