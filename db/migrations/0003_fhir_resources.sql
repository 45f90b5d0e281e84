CREATE TABLE "fhir_resources" (
	"resource_type" text COLLATE "C" NOT NULL,
	"id" text COLLATE "C" NOT NULL,
	"resource" jsonb NOT NULL,
	"patient_id" text COLLATE "C",
	"referenced_value" text,
	"referenced_via" text,
	"source_file" text NOT NULL,
	"import_batch_id" integer NOT NULL,
	"source_line" integer NOT NULL,
	CONSTRAINT "fhir_resources_resource_type_id_pk" PRIMARY KEY("resource_type","id")
);
--> statement-breakpoint
CREATE INDEX "fhir_resources_patient_idx" ON "fhir_resources" USING btree ("patient_id","resource_type");