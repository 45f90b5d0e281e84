-- Snapshots derived before this migration lack the new cubes: they are dropped, and the data's
-- snapshot is derived again on first use (lib/measures/snapshot.ts) or by the next import.
TRUNCATE "effective_lines", "dxa_studies", "order_facts", "fracture_episodes", "claims_lag", "claims_lag_days", "order_days", "episode_days", "screening_corners", "screening_months", "derived_snapshots", "derivation_basis";--> statement-breakpoint
CREATE TABLE "dxa_line_days" (
	"as_of" date NOT NULL,
	"service_date" date NOT NULL,
	"payer_key" text COLLATE "C" NOT NULL,
	"plan_id" text COLLATE "C" NOT NULL,
	"product_line" "product_line" NOT NULL,
	"lines" integer NOT NULL,
	"denied" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scan_days" (
	"as_of" date NOT NULL,
	"order_date" date NOT NULL,
	"payer_key" text COLLATE "C" NOT NULL,
	"plan_id" text COLLATE "C",
	"product_line" "product_line",
	"days_to_scan" smallint NOT NULL,
	"orders" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scan_months" (
	"as_of" date NOT NULL,
	"order_month" date NOT NULL,
	"payer_key" text COLLATE "C" NOT NULL,
	"plan_id" text COLLATE "C",
	"product_line" "product_line",
	"days_to_scan" smallint NOT NULL,
	"orders" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "dxa_line_days_date_idx" ON "dxa_line_days" USING btree ("service_date");--> statement-breakpoint
CREATE INDEX "scan_days_date_idx" ON "scan_days" USING btree ("order_date");--> statement-breakpoint
CREATE INDEX "scan_months_month_idx" ON "scan_months" USING btree ("order_month");