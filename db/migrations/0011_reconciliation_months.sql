CREATE TABLE "reconciliation_months" (
	"as_of" date NOT NULL,
	"finding" text NOT NULL,
	"month" date NOT NULL,
	"payer_key" text COLLATE "C" NOT NULL,
	"plan_id" text COLLATE "C",
	"product_line" "product_line",
	"findings" integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX "reconciliation_months_month_idx" ON "reconciliation_months" USING btree ("month");