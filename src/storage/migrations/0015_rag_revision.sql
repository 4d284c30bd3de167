DROP TABLE "rag_postings" CASCADE;--> statement-breakpoint
ALTER TABLE "rag_collections" ADD COLUMN "revision" bigint DEFAULT 0 NOT NULL;