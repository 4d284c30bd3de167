CREATE TABLE "model_prices" (
	"project_id" text NOT NULL,
	"model" text NOT NULL,
	"input_per_token" double precision NOT NULL,
	"output_per_token" double precision NOT NULL,
	"cache_read_per_token" double precision,
	"cache_write_per_token" double precision,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_prices_pk" PRIMARY KEY("project_id","model")
);
--> statement-breakpoint
ALTER TABLE "rag_traces" ADD COLUMN "cost_source" text;--> statement-breakpoint
ALTER TABLE "model_prices" ADD CONSTRAINT "model_prices_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Traces stored before costs were computed: a stored cost was sent with the trace; usage without one was not priced.
UPDATE "rag_traces" SET "cost_source" = CASE WHEN "cost_usd" IS NOT NULL THEN 'client' WHEN "input_tokens" IS NOT NULL OR "output_tokens" IS NOT NULL OR "token_count" IS NOT NULL THEN 'unpriced' END;
