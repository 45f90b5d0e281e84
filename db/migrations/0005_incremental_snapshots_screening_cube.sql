-- Snapshots derived before this migration lack the screening cube, the claims-lag histogram and
-- order_days.orders: they are dropped, and the data's snapshot is derived again on first use
-- (lib/measures/snapshot.ts) or by the next import.
TRUNCATE "effective_lines", "dxa_studies", "order_facts", "fracture_episodes", "claims_lag", "order_days", "episode_days", "derived_snapshots";--> statement-breakpoint
CREATE TABLE "claims_lag_days" (
	"as_of" date NOT NULL,
	"received_date" date NOT NULL,
	"payer_key" text COLLATE "C" NOT NULL,
	"lag_days" integer NOT NULL,
	"lines" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "derivation_basis" (
	"snapshot_as_of" date NOT NULL,
	"import_batch_id" integer,
	"storage" jsonb NOT NULL,
	"claim_line_pages" integer NOT NULL,
	"facts" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "screening_corners" (
	"as_of" date NOT NULL,
	"plan_id" text COLLATE "C" NOT NULL,
	"month_from" integer NOT NULL,
	"month_to" integer NOT NULL,
	"denominator" integer NOT NULL,
	"numerator" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "screening_months" (
	"as_of" date NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"payer_key" text COLLATE "C" NOT NULL,
	"plan_id" text COLLATE "C" NOT NULL,
	"product_line" "product_line" NOT NULL,
	"denominator" integer NOT NULL,
	"numerator" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "claims_lag" DROP CONSTRAINT "claims_lag_as_of_payer_key";--> statement-breakpoint
DROP INDEX "effective_lines_code_member_idx";--> statement-breakpoint
DROP INDEX "episode_days_period_idx";--> statement-breakpoint
DROP INDEX "fracture_episodes_period_idx";--> statement-breakpoint
DROP INDEX "order_days_period_idx";--> statement-breakpoint
DROP INDEX "order_facts_period_idx";--> statement-breakpoint
ALTER TABLE "dxa_studies" DROP CONSTRAINT "dxa_studies_as_of_member_id_study_date_pk";--> statement-breakpoint
ALTER TABLE "fracture_episodes" DROP CONSTRAINT "fracture_episodes_as_of_member_id_episode_date_pk";--> statement-breakpoint
ALTER TABLE "order_facts" DROP CONSTRAINT "order_facts_as_of_order_id_pk";--> statement-breakpoint
ALTER TABLE "order_days" ADD COLUMN "orders" integer NOT NULL;--> statement-breakpoint
CREATE INDEX "screening_corners_cell_idx" ON "screening_corners" USING btree ("plan_id","month_from","month_to");--> statement-breakpoint
CREATE INDEX "screening_months_period_idx" ON "screening_months" USING btree ("period_end","period_start");--> statement-breakpoint
CREATE INDEX "dxa_studies_member_idx" ON "dxa_studies" USING btree ("member_id","study_date");--> statement-breakpoint
CREATE INDEX "dxa_studies_date_idx" ON "dxa_studies" USING btree ("study_date");--> statement-breakpoint
CREATE INDEX "effective_lines_code_date_idx" ON "effective_lines" USING btree ("procedure_code","service_date");--> statement-breakpoint
CREATE INDEX "effective_lines_member_idx" ON "effective_lines" USING btree ("member_id");--> statement-breakpoint
CREATE INDEX "fracture_episodes_member_idx" ON "fracture_episodes" USING btree ("member_id");--> statement-breakpoint
CREATE INDEX "order_facts_member_idx" ON "order_facts" USING btree ("member_id","order_date");--> statement-breakpoint
CREATE INDEX "episode_days_period_idx" ON "episode_days" USING btree ("episode_date");--> statement-breakpoint
CREATE INDEX "fracture_episodes_period_idx" ON "fracture_episodes" USING btree ("episode_date");--> statement-breakpoint
CREATE INDEX "order_days_period_idx" ON "order_days" USING btree ("order_date");--> statement-breakpoint
CREATE INDEX "order_facts_period_idx" ON "order_facts" USING btree ("order_date","payer_key");