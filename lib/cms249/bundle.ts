import { referencedId, type FhirResource, type PatientBundle } from "./fhir";
import { loadMeasurePackage, type MeasurePackage } from "./package";
import { tagWithProfiles } from "./profiles";
import { isRetrievable } from "./requirements";

/** One patient's stored resources: her Patient, the resources whose subject (patient,
 *  beneficiary) she is, and the Medications her MedicationRequests reference. This is what the
 *  loader over `fhir_resources` yields. */
export interface PatientResources {
  patientId: string;
  resources: FhirResource[];
}

/** The engine's input for one patient: her Patient and the resources some retrieve of the
 *  measure can return, each tagged with the QI-Core profiles it conforms to (`profiles.ts`).
 *  The rest — types the measure never retrieves (Immunization, Device, Claim, …) and codes in
 *  none of its filters (`requirements.ts`) — cannot change a result, since the engine reads a
 *  patient's data only through retrieves, and would cost time in every retrieve of their type. */
export function buildPatientBundle(
  resources: readonly FhirResource[],
  pkg: MeasurePackage = loadMeasurePackage(),
  options: { keepUnretrievable?: boolean } = {},
): PatientBundle {
  const patients = resources.filter((r) => r.resourceType === "Patient");
  if (patients.length !== 1) {
    throw new Error(`a patient bundle needs exactly one Patient, found ${patients.length}`);
  }
  const entry: PatientBundle["entry"] = [];
  for (const resource of resources) {
    if (resource.resourceType !== "Patient" && !pkg.retrievedProfiles.has(resource.resourceType)) continue;
    const tagged = tagWithProfiles(resource);
    if (resource.resourceType === "Patient" || options.keepUnretrievable || isRetrievable(tagged, pkg.retrieves)) entry.push({ resource: tagged });
  }
  return { resourceType: "Bundle", type: "collection", entry };
}

export function patientIdOf(bundle: PatientBundle): string {
  const patient = bundle.entry.find((e) => e.resource.resourceType === "Patient")?.resource;
  if (!patient?.id) throw new Error("patient bundle without a Patient id");
  return patient.id;
}

/** The patient a resource is about, by the element that names her. */
export function subjectPatientId(resource: FhirResource): string | undefined {
  if (resource.resourceType === "Patient") return resource.id;
  for (const element of ["subject", "patient", "beneficiary"]) {
    const id = referencedId(resource[element], "Patient");
    if (id !== undefined) return id;
  }
  return undefined;
}

/** Groups resources held in memory (a bulk export's NDJSON, a test deck) by patient, the way
 *  the loader over `fhir_resources` does in SQL. Resources about no patient are dropped, except
 *  Medications, which go to every patient whose MedicationRequest references them. */
export function groupByPatient(resources: Iterable<FhirResource>): PatientResources[] {
  const byPatient = new Map<string, FhirResource[]>();
  const medications = new Map<string, FhirResource>();
  for (const resource of resources) {
    if (resource.resourceType === "Medication" && resource.id) {
      medications.set(resource.id, resource);
      continue;
    }
    const patientId = subjectPatientId(resource);
    if (patientId === undefined) continue;
    let list = byPatient.get(patientId);
    if (!list) byPatient.set(patientId, (list = []));
    list.push(resource);
  }
  const grouped: PatientResources[] = [];
  for (const [patientId, list] of byPatient) {
    if (!list.some((r) => r.resourceType === "Patient")) continue;
    const referenced = new Set<string>();
    for (const r of list) {
      const id = r.resourceType === "MedicationRequest" ? referencedId(r.medicationReference, "Medication") : undefined;
      if (id !== undefined && medications.has(id)) referenced.add(id);
    }
    grouped.push({ patientId, resources: [...list, ...[...referenced].map((id) => medications.get(id)!)] });
  }
  return grouped;
}
