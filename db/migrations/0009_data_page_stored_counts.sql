CREATE TABLE "reconciliation_days" (
	"as_of" date NOT NULL,
	"finding" text NOT NULL,
	"day" date NOT NULL,
	"payer_key" text COLLATE "C" NOT NULL,
	"plan_id" text COLLATE "C",
	"product_line" "product_line",
	"findings" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "snapshot_counts" (
	"as_of" date PRIMARY KEY NOT NULL,
	"built_at" timestamp with time zone NOT NULL,
	"members" integer NOT NULL,
	"plans" integer NOT NULL,
	"ehr_orders" integer NOT NULL,
	"claim_lines" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "snapshot_payer_counts" (
	"as_of" date NOT NULL,
	"payer_key" text COLLATE "C" NOT NULL,
	"payer_name" text NOT NULL,
	"position" integer NOT NULL,
	"plans" integer NOT NULL,
	"members" integer NOT NULL,
	CONSTRAINT "snapshot_payer_counts_as_of_payer_key_pk" PRIMARY KEY("as_of","payer_key")
);
--> statement-breakpoint
CREATE INDEX "reconciliation_days_day_idx" ON "reconciliation_days" USING btree ("day");