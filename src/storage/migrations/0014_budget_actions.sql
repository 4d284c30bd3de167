ALTER TABLE "budgets" ADD COLUMN "action" text DEFAULT 'alert' NOT NULL;--> statement-breakpoint
ALTER TABLE "budgets" ADD COLUMN "downgrade_model" text;