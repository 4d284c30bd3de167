CREATE TABLE "router_catalog" (
	"project_id" text NOT NULL,
	"model" text NOT NULL,
	"task_type" text NOT NULL,
	"calls" double precision DEFAULT 0 NOT NULL,
	"errors" double precision DEFAULT 0 NOT NULL,
	"lat_w" double precision DEFAULT 0 NOT NULL,
	"lat_log" double precision DEFAULT 0 NOT NULL,
	"lat_log2" double precision DEFAULT 0 NOT NULL,
	"ttft_w" double precision DEFAULT 0 NOT NULL,
	"ttft_log" double precision DEFAULT 0 NOT NULL,
	"ttft_log2" double precision DEFAULT 0 NOT NULL,
	"tpot_w" double precision DEFAULT 0 NOT NULL,
	"tpot_sum" double precision DEFAULT 0 NOT NULL,
	"out_w" double precision DEFAULT 0 NOT NULL,
	"out_sum" double precision DEFAULT 0 NOT NULL,
	"q_alpha" double precision DEFAULT 0 NOT NULL,
	"q_beta" double precision DEFAULT 0 NOT NULL,
	"q_count" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "router_catalog_pk" PRIMARY KEY("project_id","model","task_type")
);
--> statement-breakpoint
CREATE TABLE "router_settings" (
	"project_id" text PRIMARY KEY NOT NULL,
	"config" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "router_catalog" ADD CONSTRAINT "router_catalog_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "router_settings" ADD CONSTRAINT "router_settings_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "router_catalog_updated_idx" ON "router_catalog" USING btree ("updated_at");