CREATE TYPE "public"."claim_type" AS ENUM('professional', 'institutional');--> statement-breakpoint
CREATE TYPE "public"."import_outcome" AS ENUM('running', 'succeeded', 'rejected', 'failed');--> statement-breakpoint
CREATE TYPE "public"."line_status" AS ENUM('paid', 'denied', 'pending');--> statement-breakpoint
CREATE TYPE "public"."order_indication" AS ENUM('screening', 'fracture', 'glucocorticoid', 'monitoring', 'other');--> statement-breakpoint
CREATE TYPE "public"."order_source" AS ENUM('ehr', 'claim');--> statement-breakpoint
CREATE TYPE "public"."order_status" AS ENUM('active', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."product_line" AS ENUM('commercial', 'medicare_advantage', 'medicare_ffs', 'medicaid', 'other');--> statement-breakpoint
CREATE TYPE "public"."sex" AS ENUM('F', 'M', 'U');--> statement-breakpoint
CREATE TABLE "payers" (
	"key" text PRIMARY KEY NOT NULL,
	"display_name" text NOT NULL,
	"sort_order" integer NOT NULL,
	"listed" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plans" (
	"plan_id" text PRIMARY KEY NOT NULL,
	"payer_key" text NOT NULL,
	"plan_name" text NOT NULL,
	"product_line" "product_line" NOT NULL,
	"import_batch_id" integer NOT NULL,
	"source_line" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coverage" (
	"member_id" text NOT NULL,
	"plan_id" text NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date,
	"import_batch_id" integer NOT NULL,
	"source_line" integer NOT NULL,
	CONSTRAINT "coverage_member_id_plan_id_start_date_pk" PRIMARY KEY("member_id","plan_id","start_date")
);
--> statement-breakpoint
CREATE TABLE "members" (
	"member_id" text PRIMARY KEY NOT NULL,
	"birth_date" date NOT NULL,
	"sex" "sex" NOT NULL,
	"import_batch_id" integer NOT NULL,
	"source_line" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ehr_orders" (
	"order_id" text PRIMARY KEY NOT NULL,
	"member_id" text NOT NULL,
	"order_date" date NOT NULL,
	"ordering_npi" text,
	"indication" "order_indication",
	"status" "order_status" DEFAULT 'active' NOT NULL,
	"import_batch_id" integer NOT NULL,
	"source_line" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "claim_lines" (
	"claim_id" text NOT NULL,
	"received_date" date NOT NULL,
	"frequency_code" smallint NOT NULL,
	"line_number" integer NOT NULL,
	"member_id" text NOT NULL,
	"plan_id" text NOT NULL,
	"claim_type" "claim_type" NOT NULL,
	"service_date" date NOT NULL,
	"procedure_code" text NOT NULL,
	"modifiers" text[] NOT NULL,
	"place_of_service" text,
	"line_status" "line_status" NOT NULL,
	"units" integer DEFAULT 1 NOT NULL,
	"billed_amount" numeric(14, 2),
	"paid_amount" numeric(14, 2),
	"rendering_npi" text,
	"diagnosis_codes" text[] NOT NULL,
	"import_batch_id" integer NOT NULL,
	"source_line" integer NOT NULL,
	CONSTRAINT "claim_lines_claim_id_received_date_frequency_code_line_number_pk" PRIMARY KEY("claim_id","received_date","frequency_code","line_number")
);
--> statement-breakpoint
CREATE TABLE "import_batches" (
	"id" serial PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"imported_by" text NOT NULL,
	"source" text NOT NULL,
	"outcome" "import_outcome" NOT NULL,
	"files" jsonb NOT NULL,
	"data_as_of" date,
	"row_count" bigint DEFAULT 0 NOT NULL,
	"error_count" integer DEFAULT 0 NOT NULL,
	"errors" jsonb NOT NULL,
	"warnings" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "claims_lag" (
	"as_of" date NOT NULL,
	"payer_key" text NOT NULL,
	"lines" integer NOT NULL,
	"median_days" double precision NOT NULL,
	"p90_days" double precision NOT NULL,
	CONSTRAINT "claims_lag_as_of_payer_key_pk" PRIMARY KEY("as_of","payer_key")
);
--> statement-breakpoint
CREATE TABLE "derived_snapshots" (
	"as_of" date PRIMARY KEY NOT NULL,
	"built_at" timestamp with time zone NOT NULL,
	"import_batch_id" integer
);
--> statement-breakpoint
CREATE TABLE "dxa_studies" (
	"as_of" date NOT NULL,
	"member_id" text NOT NULL,
	"study_date" date NOT NULL,
	"line_count" integer NOT NULL,
	"denied_line_count" integer NOT NULL,
	"has_global" boolean NOT NULL,
	"has_tc" boolean NOT NULL,
	"has_professional" boolean NOT NULL,
	"billing_complete" boolean NOT NULL,
	"result_date" date,
	"plan_id" text,
	"payer_key" text NOT NULL,
	CONSTRAINT "dxa_studies_as_of_member_id_study_date_pk" PRIMARY KEY("as_of","member_id","study_date")
);
--> statement-breakpoint
CREATE TABLE "effective_lines" (
	"as_of" date NOT NULL,
	"claim_id" text NOT NULL,
	"line_number" integer NOT NULL,
	"received_date" date NOT NULL,
	"member_id" text NOT NULL,
	"plan_id" text NOT NULL,
	"service_date" date NOT NULL,
	"procedure_code" text NOT NULL,
	"modifiers" text[] NOT NULL,
	"has_not_performed" boolean NOT NULL,
	"line_status" "line_status" NOT NULL,
	"rendering_npi" text,
	"diagnosis_codes" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "episode_days" (
	"as_of" date NOT NULL,
	"episode_date" date NOT NULL,
	"payer_key" text NOT NULL,
	"plan_id" text,
	"product_line" "product_line",
	"episodes" integer NOT NULL,
	"followed_up" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fracture_episodes" (
	"as_of" date NOT NULL,
	"member_id" text NOT NULL,
	"episode_date" date NOT NULL,
	"line_count" integer NOT NULL,
	"plan_id" text,
	"payer_key" text NOT NULL,
	"product_line" "product_line",
	"follow_up_date" date,
	"follow_up_days" smallint,
	CONSTRAINT "fracture_episodes_as_of_member_id_episode_date_pk" PRIMARY KEY("as_of","member_id","episode_date")
);
--> statement-breakpoint
CREATE TABLE "order_days" (
	"as_of" date NOT NULL,
	"order_date" date NOT NULL,
	"payer_key" text NOT NULL,
	"plan_id" text,
	"product_line" "product_line",
	"live" integer NOT NULL,
	"done_30" integer NOT NULL,
	"done_60" integer NOT NULL,
	"done_90" integer NOT NULL,
	"done_180" integer NOT NULL,
	"documented_30" integer NOT NULL,
	"documented_60" integer NOT NULL,
	"documented_90" integer NOT NULL,
	"documented_180" integer NOT NULL,
	"live_ehr" integer NOT NULL,
	"captured" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "order_facts" (
	"as_of" date NOT NULL,
	"order_id" text NOT NULL,
	"source" "order_source" NOT NULL,
	"member_id" text NOT NULL,
	"order_date" date NOT NULL,
	"status" "order_status" NOT NULL,
	"ordering_npi" text,
	"indication" "order_indication",
	"captured" boolean NOT NULL,
	"plan_id" text,
	"payer_key" text NOT NULL,
	"product_line" "product_line",
	"study_date" date,
	"days_to_scan" integer,
	"result_documented" boolean NOT NULL,
	CONSTRAINT "order_facts_as_of_order_id_pk" PRIMARY KEY("as_of","order_id")
);
--> statement-breakpoint
ALTER TABLE "plans" ADD CONSTRAINT "plans_payer_key_payers_key_fk" FOREIGN KEY ("payer_key") REFERENCES "public"."payers"("key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "plans_payer_key_idx" ON "plans" USING btree ("payer_key");--> statement-breakpoint
CREATE INDEX "coverage_member_start_idx" ON "coverage" USING btree ("member_id","start_date");--> statement-breakpoint
CREATE INDEX "ehr_orders_member_date_idx" ON "ehr_orders" USING btree ("member_id","order_date");--> statement-breakpoint
CREATE INDEX "effective_lines_code_member_idx" ON "effective_lines" USING btree ("as_of","procedure_code","member_id","service_date");--> statement-breakpoint
CREATE INDEX "episode_days_period_idx" ON "episode_days" USING btree ("as_of","episode_date");--> statement-breakpoint
CREATE INDEX "fracture_episodes_period_idx" ON "fracture_episodes" USING btree ("as_of","episode_date");--> statement-breakpoint
CREATE INDEX "order_days_period_idx" ON "order_days" USING btree ("as_of","order_date");--> statement-breakpoint
CREATE INDEX "order_facts_period_idx" ON "order_facts" USING btree ("as_of","order_date","payer_key");--> statement-breakpoint
-- The five payers of SPEC section 2, always listed in this order, and the bucket for orders and
-- episodes that no coverage can be attributed to. Other payers are added by imports.
INSERT INTO "payers" ("key", "display_name", "sort_order", "listed") VALUES
  ('aetna', 'Aetna', 1, true),
  ('bcbs', 'Blue Cross Blue Shield', 2, true),
  ('cigna', 'Cigna Health', 3, true),
  ('uhc', 'UnitedHealthcare', 4, true),
  ('medicare', 'Medicare', 5, true),
  ('unknown', 'Unknown payer', 1000000, false);
