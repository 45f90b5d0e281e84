// Code systems and codes that SPEC section 3b reads. Systems match exactly, character for
// character: `http://www.ama-assn.org/go/cpt` is CPT, `http://www.ama-assn.org/go/cpt/` is not.

export const SYSTEMS = {
  cpt: "http://www.ama-assn.org/go/cpt",
  hcpcs: "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
  loinc: "http://loinc.org",
  icd10cm: "http://hl7.org/fhir/sid/icd-10-cm",
  npi: "http://hl7.org/fhir/sid/us-npi",
  claimType: "http://terminology.hl7.org/CodeSystem/claim-type",
  /** Source of Payment Typology (PHDSC), the payer type of a Coverage. */
  sourceOfPayment: "urn:oid:2.16.840.1.113883.3.221.5",
} as const;

/** CPT codes of a central DXA study (SPEC section 2). */
export const CENTRAL_DXA_CPT: ReadonlySet<string> = new Set(["77080", "77085"]);

/**
 * The LOINC codes of the value set "DXA (Dual energy Xray Absorptiometry) Scan",
 * 2.16.840.1.113883.3.464.1003.113.12.1051 (version 20180310, expansion with LOINC 2.76), as the
 * CMS249 package publishes it (shared/examples/cms249/measure-bundle.json; CC0 1.0).
 */
export const DXA_SCAN_VALUE_SET = {
  url: "http://cts.nlm.nih.gov/fhir/ValueSet/2.16.840.1.113883.3.464.1003.113.12.1051",
  version: "20180310",
  loinc: [
    "24701-5", // DXA Femur [Mass/Area] Bone density
    "24890-6", // DXA Radius and Ulna [Mass/Area] Bone density
    "24966-4", // DXA Lumbar spine [Mass/Area] Bone density
    "38261-4", // DXA Hip [Mass/Area] Bone density
    "38262-2", // DXA Calcaneus [Mass/Area] Bone density
    "38263-0", // DXA Femur [T-score] Bone density
    "38264-8", // DXA Hip [T-score] Bone density
    "38265-5", // DXA Radius and Ulna [T-score] Bone density
    "38266-3", // DXA Calcaneus [T-score] Bone density
    "38267-1", // DXA Lumbar spine [T-score] Bone density
    "38268-9", // DXA Skeletal system Views for bone density
    "46278-8", // DXA Hip - left [Mass/Area] Bone density
    "46279-6", // DXA Hip - right [Mass/Area] Bone density
    "46383-6", // DXA Bone [Mass/Area] Bone density
  ],
} as const;

/** Peripheral sites of the value set (radius/ulna, calcaneus): not a central DXA (SPEC 3b). */
const PERIPHERAL_DXA_LOINC = new Set(["24890-6", "38262-2", "38265-5", "38266-3"]);

/** LOINC codes that make a ServiceRequest an order for a central DXA. */
export const CENTRAL_DXA_LOINC: ReadonlySet<string> = new Set(DXA_SCAN_VALUE_SET.loinc.filter((c) => !PERIPHERAL_DXA_LOINC.has(c)));

/** ServiceRequest.intent values that are orders: `order` and its kinds. */
export const ORDER_INTENTS: ReadonlySet<string> = new Set(["order", "original-order", "reflex-order", "filler-order", "instance-order"]);

/** ServiceRequest.status values that make the order cancelled. */
export const CANCELLED_REQUEST_STATUSES: ReadonlySet<string> = new Set(["revoked", "entered-in-error"]);

/** Coverage.status values that give no enrollment span (the plan is still known). */
export const SPANLESS_COVERAGE_STATUSES: ReadonlySet<string> = new Set(["cancelled", "entered-in-error"]);

export type ProductLine = "commercial" | "medicare_advantage" | "medicare_ffs" | "medicaid" | "other";

/** SPEC 3b: the product line of a Source of Payment Typology code (null: no such coding). */
export function productLineOfPaymentCode(code: string | null): ProductLine {
  if (code === null) return "other";
  if (code.startsWith("11")) return "medicare_advantage";
  if (code.startsWith("1")) return "medicare_ffs";
  if (code.startsWith("2")) return "medicaid";
  if (code.startsWith("5") || code.startsWith("6")) return "commercial";
  return "other";
}
