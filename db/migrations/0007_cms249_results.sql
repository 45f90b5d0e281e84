CREATE TABLE "cms249_periods" (
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"fhir_batch_id" integer NOT NULL,
	"evaluated_at" timestamp with time zone NOT NULL,
	"patients" integer NOT NULL,
	"errors" integer NOT NULL,
	CONSTRAINT "cms249_periods_period_start_period_end_pk" PRIMARY KEY("period_start","period_end")
);
--> statement-breakpoint
CREATE TABLE "cms249_results" (
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"patient_id" text COLLATE "C" NOT NULL,
	"evaluation_key" text,
	"initial_population" boolean NOT NULL,
	"denominator" boolean NOT NULL,
	"denominator_exclusion" boolean NOT NULL,
	"numerator" boolean NOT NULL,
	"numerator_exclusion" boolean NOT NULL,
	"error" text,
	CONSTRAINT "cms249_results_period_start_period_end_patient_id_pk" PRIMARY KEY("period_start","period_end","patient_id")
);
--> statement-breakpoint
CREATE INDEX "cms249_results_key_idx" ON "cms249_results" USING btree ("evaluation_key");