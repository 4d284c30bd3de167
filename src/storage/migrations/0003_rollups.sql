CREATE TABLE "eval_rollups" (
	"project_id" text NOT NULL,
	"grain" text NOT NULL,
	"metric" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"n" bigint NOT NULL,
	"score_sum" double precision NOT NULL,
	"null_n" bigint NOT NULL,
	"cost_usd" double precision NOT NULL,
	"tokens" bigint NOT NULL,
	CONSTRAINT "eval_rollups_pk" PRIMARY KEY("project_id","grain","metric","bucket")
);
--> statement-breakpoint
CREATE TABLE "trace_rollups" (
	"project_id" text NOT NULL,
	"grain" text NOT NULL,
	"dim" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"key" text NOT NULL,
	"n" bigint NOT NULL,
	"errors" bigint NOT NULL,
	"input_tokens" bigint NOT NULL,
	"output_tokens" bigint NOT NULL,
	"tokens" bigint NOT NULL,
	"cost_usd" double precision NOT NULL,
	"latency_n" bigint NOT NULL,
	"latency_sum" double precision NOT NULL,
	"latency_hist" integer[] NOT NULL,
	CONSTRAINT "trace_rollups_pk" PRIMARY KEY("project_id","grain","dim","bucket","key")
);
--> statement-breakpoint
-- A latency histogram (140 buckets, bucket k holds [1.1^k, 1.1^(k+1)) ms) from a list of bucket indices.
CREATE OR REPLACE FUNCTION aether_hist(b int[]) RETURNS int[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  h int[] := array_fill(0, ARRAY[140]);
  x int;
BEGIN
  IF b IS NOT NULL THEN
    FOREACH x IN ARRAY b LOOP
      h[x + 1] := h[x + 1] + 1;
    END LOOP;
  END IF;
  RETURN h;
END
$$;--> statement-breakpoint
-- Element-wise sum of two histograms (a may be the stored one, b the delta; b may be negative).
CREATE OR REPLACE FUNCTION aether_hist_add(a int[], b int[]) RETURNS int[] LANGUAGE sql IMMUTABLE AS $$
  SELECT array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
$$;--> statement-breakpoint
-- Rebuild rollups from the rows (after a restore or a bulk load that bypassed them).
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
  SELECT e.project_id, g.grain, e.metric, date_trunc(g.grain, e.created_at, 'UTC'), count(e.score), coalesce(sum(e.score), 0),
         count(*) FILTER (WHERE e.score IS NULL), coalesce(sum(e.cost_usd), 0), coalesce(sum(e.tokens), 0)
    FROM evaluations e CROSS JOIN (VALUES ('minute'), ('hour'), ('day')) AS g(grain)
   WHERE e.project_id = p
   GROUP BY 1, 2, 3, 4;
$$;
