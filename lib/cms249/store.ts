import { sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Sql } from "@/db/client";
import { referencedId, type FhirResource, type MeasurementPeriod } from "./fhir";
import type { PatientResources } from "./bundle";
import { loadMeasurePackage, type MeasurePackage } from "./package";
import { mayBeInInitialPopulationSql } from "./prefilter";

// Reading patients' resources from `fhir_resources` (SPEC 3b: every resource as it came, keyed
// by type and id, with the patient it is about in `patient_id`, indexed with the type).

const dialect = new PgDialect();

/** The stored Patients who may be in the initial population (`prefilter.ts`), by id: the others'
 *  resources are never read. */
export async function listCandidatePatientIds(db: Sql, period: MeasurementPeriod): Promise<string[]> {
  const query = dialect.sqlToQuery(
    sql`SELECT id FROM fhir_resources WHERE resource_type = 'Patient' AND ${mayBeInInitialPopulationSql(sql.raw("resource"), period)} ORDER BY id`,
  );
  const rows = await db.query<{ id: string }>(query.sql, query.params);
  return rows.map((r) => r.id);
}

/** Each patient's stored resources of the types the measure retrieves, and the Medications her
 *  MedicationRequests reference, `batchSize` patients a query (fhir_resources_patient_idx). */
export async function* readStoredPatients(
  db: Sql,
  patientIds: readonly string[],
  options: { batchSize?: number; measurePackage?: MeasurePackage } = {},
): AsyncGenerator<PatientResources> {
  const pkg = options.measurePackage ?? loadMeasurePackage();
  const types = [...new Set(["Patient", ...pkg.retrievedProfiles.keys()])].filter((t) => t !== "Medication");
  const batchSize = options.batchSize ?? 500;
  for (let i = 0; i < patientIds.length; i += batchSize) {
    const ids = patientIds.slice(i, i + batchSize);
    const rows = await db.query<{ patient_id: string; resource: FhirResource | string }>(
      `SELECT patient_id, resource FROM fhir_resources WHERE patient_id = ANY($1::text[]) AND resource_type = ANY($2::text[]) ORDER BY patient_id, resource_type, id`,
      [ids, types],
    );
    const byPatient = new Map<string, FhirResource[]>(ids.map((id) => [id, []]));
    const medicationIds = new Set<string>();
    for (const row of rows) {
      const resource = typeof row.resource === "string" ? (JSON.parse(row.resource) as FhirResource) : row.resource;
      byPatient.get(row.patient_id)?.push(resource);
      const medication = resource.resourceType === "MedicationRequest" ? referencedId(resource.medicationReference, "Medication") : undefined;
      if (medication !== undefined) medicationIds.add(medication);
    }
    const medications = new Map<string, FhirResource>();
    if (medicationIds.size > 0) {
      const found = await db.query<{ id: string; resource: FhirResource | string }>(
        `SELECT id, resource FROM fhir_resources WHERE resource_type = 'Medication' AND id = ANY($1::text[])`,
        [[...medicationIds]],
      );
      for (const row of found) medications.set(row.id, typeof row.resource === "string" ? (JSON.parse(row.resource) as FhirResource) : row.resource);
    }
    for (const [patientId, resources] of byPatient) {
      const referenced = new Set<string>();
      for (const r of resources) {
        const id = r.resourceType === "MedicationRequest" ? referencedId(r.medicationReference, "Medication") : undefined;
        if (id !== undefined && medications.has(id)) referenced.add(id);
      }
      yield { patientId, resources: [...resources, ...[...referenced].map((id) => medications.get(id)!)] };
    }
  }
}
