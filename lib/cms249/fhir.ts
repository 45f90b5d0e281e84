/** The little of FHIR R4 JSON this module needs to name. Resources stay plain JSON: the engine
 *  reads them as they are. */
export interface FhirResource {
  resourceType: string;
  id?: string;
  meta?: { profile?: string[]; [key: string]: unknown };
  [key: string]: unknown;
}

export interface Coding {
  system?: string;
  code?: string;
  display?: string;
}

export interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}

/** One patient's data as the engine takes it: the Patient and the resources about her. */
export interface PatientBundle {
  resourceType: "Bundle";
  type: "collection";
  entry: { resource: FhirResource }[];
}

/** A measurement period: calendar dates, both ends included (`YYYY-MM-DD`). */
export interface MeasurementPeriod {
  start: string;
  end: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function assertPeriod(period: MeasurementPeriod): void {
  if (!DATE.test(period.start) || !DATE.test(period.end) || period.start > period.end) {
    throw new Error(`measurement period must be two dates YYYY-MM-DD, start ≤ end: ${period.start} … ${period.end}`);
  }
}

export function codings(concept: unknown): Coding[] {
  if (concept === null || typeof concept !== "object") return [];
  const list = (concept as CodeableConcept).coding;
  return Array.isArray(list) ? list : [];
}

export function hasCoding(concept: unknown, system: string, code: string): boolean {
  return codings(concept).some((c) => c.system === system && c.code === code);
}

/** The id a reference names when it points at a resource of `type`: `Patient/1`,
 *  `https://server/fhir/Patient/1`, `Patient/1/_history/2`. (A stored resource's references are
 *  resolved by the import; a `urn:uuid:` left in one names no stored resource.) */
export function referencedId(reference: unknown, type: string): string | undefined {
  if (reference === null || typeof reference !== "object") return undefined;
  const ref = (reference as { reference?: unknown }).reference;
  if (typeof ref !== "string") return undefined;
  const parts = ref.split("/");
  const at = parts.lastIndexOf(type);
  if (at < 0 || at + 1 >= parts.length) return undefined;
  return parts[at + 1];
}
