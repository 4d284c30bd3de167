CREATE TABLE "rag_chunks" (
	"collection_id" text NOT NULL,
	"id" text NOT NULL,
	"document_id" text NOT NULL,
	"position" integer NOT NULL,
	"text" text NOT NULL,
	"title" text,
	"source" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"token_count" integer NOT NULL,
	"length" double precision NOT NULL,
	"embedder" text,
	"embedding" real[],
	CONSTRAINT "rag_chunks_pk" PRIMARY KEY("collection_id","id")
);
--> statement-breakpoint
CREATE TABLE "rag_collections" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"name" text NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"chunk_count" bigint DEFAULT 0 NOT NULL,
	"total_length" double precision DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rag_documents" (
	"collection_id" text NOT NULL,
	"id" text NOT NULL,
	"title" text,
	"source" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"content_hash" text NOT NULL,
	"chunk_count" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rag_documents_pk" PRIMARY KEY("collection_id","id")
);
--> statement-breakpoint
CREATE TABLE "rag_embedding_cache" (
	"project_id" text NOT NULL,
	"embedder" text NOT NULL,
	"content_hash" text NOT NULL,
	"embedding" real[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rag_embedding_cache_pk" PRIMARY KEY("project_id","embedder","content_hash")
);
--> statement-breakpoint
CREATE TABLE "rag_postings" (
	"collection_id" text NOT NULL,
	"term" text NOT NULL,
	"chunk_id" text NOT NULL,
	"tf" real NOT NULL,
	"length" real NOT NULL,
	CONSTRAINT "rag_postings_pk" PRIMARY KEY("collection_id","term","chunk_id")
);
--> statement-breakpoint
ALTER TABLE "rag_chunks" ADD CONSTRAINT "rag_chunks_collection_id_rag_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."rag_collections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rag_collections" ADD CONSTRAINT "rag_collections_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rag_documents" ADD CONSTRAINT "rag_documents_collection_id_rag_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."rag_collections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rag_embedding_cache" ADD CONSTRAINT "rag_embedding_cache_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rag_postings" ADD CONSTRAINT "rag_postings_collection_id_rag_collections_id_fk" FOREIGN KEY ("collection_id") REFERENCES "public"."rag_collections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rag_chunks_document_idx" ON "rag_chunks" USING btree ("collection_id","document_id");--> statement-breakpoint
CREATE INDEX "rag_chunks_metadata_idx" ON "rag_chunks" USING gin ("metadata");--> statement-breakpoint
CREATE UNIQUE INDEX "rag_collections_project_name_idx" ON "rag_collections" USING btree ("project_id","name");--> statement-breakpoint
CREATE INDEX "rag_postings_chunk_idx" ON "rag_postings" USING btree ("collection_id","chunk_id");