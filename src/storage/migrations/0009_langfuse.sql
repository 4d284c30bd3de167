CREATE TABLE "langfuse_events" (
	"project_id" text NOT NULL,
	"event_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "langfuse_events_pk" PRIMARY KEY("project_id","event_id")
);
--> statement-breakpoint
CREATE TABLE "langfuse_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"name" text NOT NULL,
	"public_key" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "langfuse_trace_state" (
	"project_id" text NOT NULL,
	"trace_id" text NOT NULL,
	"state" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "langfuse_trace_state_pk" PRIMARY KEY("project_id","trace_id")
);
--> statement-breakpoint
ALTER TABLE "langfuse_events" ADD CONSTRAINT "langfuse_events_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "langfuse_keys" ADD CONSTRAINT "langfuse_keys_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "langfuse_trace_state" ADD CONSTRAINT "langfuse_trace_state_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "langfuse_events_created_idx" ON "langfuse_events" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "langfuse_keys_public_uq" ON "langfuse_keys" USING btree ("public_key");--> statement-breakpoint
CREATE INDEX "langfuse_keys_project_idx" ON "langfuse_keys" USING btree ("project_id");