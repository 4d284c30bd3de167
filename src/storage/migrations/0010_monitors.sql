CREATE TABLE "monitor_items" (
	"project_id" text NOT NULL,
	"source_key" text NOT NULL,
	"monitor_id" text NOT NULL,
	"item_id" text NOT NULL,
	"state" text DEFAULT 'claimed' NOT NULL,
	"run_id" text NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"scored_at" timestamp with time zone,
	CONSTRAINT "monitor_items_pk" PRIMARY KEY("project_id","source_key","monitor_id","item_id")
);
--> statement-breakpoint
CREATE TABLE "monitor_results" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"monitor_id" text NOT NULL,
	"run_id" text NOT NULL,
	"source_key" text NOT NULL,
	"item_id" text NOT NULL,
	"trace_id" text,
	"metric" text NOT NULL,
	"score" double precision,
	"label" text,
	"reason" text,
	"evaluator" text NOT NULL,
	"cost_usd" double precision DEFAULT 0 NOT NULL,
	"query" text,
	"response" text,
	"item_ts" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "monitor_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"monitor_id" text NOT NULL,
	"trigger" text NOT NULL,
	"dry_run" boolean DEFAULT false NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"window_from" timestamp with time zone,
	"window_to" timestamp with time zone,
	"items_seen" integer DEFAULT 0 NOT NULL,
	"sampled" integer DEFAULT 0 NOT NULL,
	"scored" integer DEFAULT 0 NOT NULL,
	"skipped_duplicates" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"cost_usd" double precision DEFAULT 0 NOT NULL,
	"duration_ms" integer,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"aggregates" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"metric_status" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "monitors" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"name" text NOT NULL,
	"origin" text DEFAULT 'api' NOT NULL,
	"spec" jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"status" text DEFAULT 'NO_DATA' NOT NULL,
	"metric_status" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"window_end" timestamp with time zone,
	"last_run_at" timestamp with time zone,
	"next_run_at" timestamp with time zone,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "monitor_items" ADD CONSTRAINT "monitor_items_monitor_id_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."monitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_results" ADD CONSTRAINT "monitor_results_monitor_id_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."monitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitor_runs" ADD CONSTRAINT "monitor_runs_monitor_id_monitors_id_fk" FOREIGN KEY ("monitor_id") REFERENCES "public"."monitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitors" ADD CONSTRAINT "monitors_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "monitor_results_item_uq" ON "monitor_results" USING btree ("project_id","monitor_id","source_key","item_id","metric");--> statement-breakpoint
CREATE INDEX "monitor_results_run_idx" ON "monitor_results" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "monitor_runs_monitor_idx" ON "monitor_runs" USING btree ("monitor_id","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "monitors_project_name_uq" ON "monitors" USING btree ("project_id","name");--> statement-breakpoint
CREATE INDEX "monitors_next_run_idx" ON "monitors" USING btree ("next_run_at");