import { index, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { identifier } from "./identifier";
import { provenance } from "./provenance";

// FHIR R4 resources as they came (SPEC section 3b), one row per resource type and id, whatever
// the type: the mapped ones (Patient, Coverage, ServiceRequest, ExplanationOfBenefit) also
// became rows of the warehouse tables; every resource is read by FHIR-based measures (SPEC
// section 5b). An import that brings a resource again replaces it only when it differs other
// than in `meta` (lib/fhir/upsert.ts).
export const fhirResources = pgTable(
  "fhir_resources",
  {
    resourceType: identifier("resource_type").notNull(),
    id: identifier("id").notNull(),
    resource: jsonb("resource").notNull(),
    /** The patient the resource is about: a Patient's own id, else the Patient its `subject`,
     *  `patient` or `beneficiary` references; null for Organization, Practitioner, … */
    patientId: identifier("patient_id"),
    /** What a reference to this resource reads, extracted once at import (lib/fhir/map.ts) so
     *  that a later import referring to it needs no second reading of its JSON: an
     *  Organization's name, a Practitioner's NPI, a Coverage's plan_id, a PractitionerRole's
     *  practitioner NPI when it names it. */
    referencedValue: text("referenced_value"),
    /** A PractitionerRole's `practitioner` reference (`Practitioner/<id>`), followed for its NPI. */
    referencedVia: text("referenced_via"),
    /** The file of the import the current version came from (a bulk NDJSON file or a Bundle);
     *  `source_line` is its line, or the Bundle entry's index. */
    sourceFile: text("source_file").notNull(),
    ...provenance(),
  },
  (t) => [
    primaryKey({ columns: [t.resourceType, t.id] }),
    // FHIR-based measures (CMS249) read one patient's resources of a type; the importer looks
    // up a Patient's resources the same way.
    index("fhir_resources_patient_idx").on(t.patientId, t.resourceType),
  ],
);
