-- Evaluations count in the window of their trace's time, not of when they were scored, and a trace
-- keeps one current result per metric (a re-evaluation under another evaluator version replaces it).
ALTER TABLE "evaluations" ADD COLUMN "trace_ts" timestamp with time zone;
--> statement-breakpoint
UPDATE "evaluations" e SET "trace_ts" = t."ts" FROM "rag_traces" t WHERE t."project_id" = e."project_id" AND t."id" = e."trace_id";
--> statement-breakpoint
UPDATE "evaluations" SET "trace_ts" = "created_at" WHERE "trace_ts" IS NULL;
--> statement-breakpoint
ALTER TABLE "evaluations" ALTER COLUMN "trace_ts" SET NOT NULL;
--> statement-breakpoint
-- Keep the newest result per trace × metric (older evaluator versions are stale).
DELETE FROM "evaluations" e USING "evaluations" n
 WHERE n."project_id" = e."project_id" AND n."trace_id" = e."trace_id" AND n."metric" = e."metric"
   AND (n."created_at", n."id") > (e."created_at", e."id");
--> statement-breakpoint
DROP INDEX IF EXISTS "evaluations_trace_metric_uq";
--> statement-breakpoint
CREATE UNIQUE INDEX "evaluations_trace_metric_uq" ON "evaluations" USING btree ("project_id","trace_id","metric");
--> statement-breakpoint
CREATE INDEX "evaluations_project_metric_trace_ts_idx" ON "evaluations" USING btree ("project_id","metric","trace_ts");
--> statement-breakpoint
-- A histogram delta: the histogram of `plus` bucket indices minus that of `minus` (a trace that moves).
CREATE OR REPLACE FUNCTION aether_hist_delta(plus int[], minus int[]) RETURNS int[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(x - y ORDER BY i) FROM unnest(aether_hist(plus), aether_hist(minus)) WITH ORDINALITY AS t(x, y, i)
$$;
--> statement-breakpoint
-- The rebuild function, with evaluation rollups bucketed by trace time.
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
           WHERE t.project_id = p AND d.key IS NOT NULL
          UNION ALL
          SELECT t.*, gs.g, 'tag', tag, date_trunc(gs.g, t.ts, 'UTC'),
                 CASE WHEN t.latency_ms IS NULL THEN NULL ELSE least(139, greatest(0, floor(ln(greatest(t.latency_ms, 1)) / ln(1.1))))::int END
            FROM rag_traces t CROSS JOIN LATERAL unnest(t.tags) AS tag CROSS JOIN (VALUES ('hour'), ('day')) AS gs(g) WHERE t.project_id = p) AS r
   GROUP BY r.project_id, r.grain, r.dim, r.bucket, r.key;
  DELETE FROM eval_rollups WHERE project_id = p;
  INSERT INTO eval_rollups
  SELECT e.project_id, g.grain, e.metric, date_trunc(g.grain, e.trace_ts, 'UTC'), count(e.score), coalesce(sum(e.score), 0),
         count(*) FILTER (WHERE e.score IS NULL), coalesce(sum(e.cost_usd), 0), coalesce(sum(e.tokens), 0)
    FROM evaluations e CROSS JOIN (VALUES ('minute'), ('hour'), ('day')) AS g(grain)
   WHERE e.project_id = p
   GROUP BY 1, 2, 3, 4;
$$;
--> statement-breakpoint
-- Re-bucket existing evaluation rollups by trace time.
DELETE FROM "eval_rollups";
--> statement-breakpoint
INSERT INTO eval_rollups
SELECT e.project_id, g.grain, e.metric, date_trunc(g.grain, e.trace_ts, 'UTC'), count(e.score), coalesce(sum(e.score), 0),
       count(*) FILTER (WHERE e.score IS NULL), coalesce(sum(e.cost_usd), 0), coalesce(sum(e.tokens), 0)
  FROM evaluations e CROSS JOIN (VALUES ('minute'), ('hour'), ('day')) AS g(grain)
 GROUP BY 1, 2, 3, 4;
