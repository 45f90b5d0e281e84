// FHIR import folders written resource by resource, so that a test shows exactly what a data
// steward hands over, and line numbers can be read off the file (one resource a line).

export type Resource = { resourceType: string; id: string; [key: string]: unknown };

export const CPT = "http://www.ama-assn.org/go/cpt";
export const NPI = "http://hl7.org/fhir/sid/us-npi";
export const SOPT = "urn:oid:2.16.840.1.113883.3.221.5";
export const ICD10 = "http://hl7.org/fhir/sid/icd-10-cm";
export const coding = (system: string, code: string) => ({ coding: [{ system, code }] });

/** NDJSON text: one resource (or raw line) a line. */
export function ndjson(...lines: (Resource | string)[]): string {
  return lines.map((l) => `${typeof l === "string" ? l : JSON.stringify(l)}\n`).join("");
}

export function bundle(type: string, ...entries: { fullUrl?: string; resource: Resource }[]): string {
  return JSON.stringify({ resourceType: "Bundle", type, entry: entries });
}

export const organization = (id: string, name?: string): Resource => ({ resourceType: "Organization", id, ...(name ? { name } : {}) });

export const practitioner = (id: string, npi?: string): Resource => ({
  resourceType: "Practitioner",
  id,
  ...(npi ? { identifier: [{ system: NPI, value: npi }] } : {}),
});

export const practitionerRole = (id: string, practitionerId: string): Resource => ({
  resourceType: "PractitionerRole",
  id,
  practitioner: { reference: `Practitioner/${practitionerId}` },
});

export const patient = (id: string, birthDate: string | undefined, gender: string, extra: Record<string, unknown> = {}): Resource => ({
  resourceType: "Patient",
  id,
  gender,
  ...(birthDate ? { birthDate } : {}),
  ...extra,
});

export function coverage(
  id: string,
  o: { patient?: string; plan?: string; name?: string; payor?: Record<string, unknown>; code?: string; start?: string; end?: string; status?: string },
): Resource {
  return {
    resourceType: "Coverage",
    id,
    status: o.status ?? "active",
    ...(o.patient ? { beneficiary: { reference: `Patient/${o.patient}` } } : {}),
    ...(o.payor ? { payor: [o.payor] } : {}),
    ...(o.plan ? { class: [{ type: coding("http://terminology.hl7.org/CodeSystem/coverage-class", "plan"), value: o.plan, ...(o.name ? { name: o.name } : {}) }] } : {}),
    ...(o.code ? { type: coding(SOPT, o.code) } : {}),
    ...(o.start || o.end ? { period: { ...(o.start ? { start: o.start } : {}), ...(o.end ? { end: o.end } : {}) } } : {}),
  };
}

export function serviceRequest(id: string, o: { patient: string; authoredOn?: string; code?: string; requester?: Record<string, unknown>; status?: string }): Resource {
  return {
    resourceType: "ServiceRequest",
    id,
    status: o.status ?? "active",
    intent: "order",
    code: coding(CPT, o.code ?? "77080"),
    subject: { reference: `Patient/${o.patient}` },
    ...(o.authoredOn ? { authoredOn: o.authoredOn } : {}),
    ...(o.requester ? { requester: o.requester } : {}),
  };
}

export type ItemSpec = { sequence?: number; code: string; date: string; modifiers?: string[]; pos?: string; net?: number; paid?: number; careTeam?: number };

export function eob(
  id: string,
  o: {
    claim?: string;
    patient: string;
    coverage: string;
    created?: string;
    received?: string;
    status?: string;
    prior?: boolean;
    outcome?: string;
    type?: string;
    diagnoses?: string[];
    rendering?: Record<string, unknown>;
    items: ItemSpec[];
  },
): Resource {
  return {
    resourceType: "ExplanationOfBenefit",
    id,
    ...(o.claim ? { identifier: [{ system: "https://payer.example/claim", value: o.claim }] } : {}),
    status: o.status ?? "active",
    ...(o.prior ? { related: [{ relationship: coding("http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship", "prior") }] } : {}),
    type: coding("http://terminology.hl7.org/CodeSystem/claim-type", o.type ?? "professional"),
    use: "claim",
    patient: { reference: `Patient/${o.patient}` },
    ...(o.created ? { created: o.created } : {}),
    ...(o.received
      ? { supportingInfo: [{ sequence: 1, category: coding("http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType", "clmrecvddate"), timingDate: o.received }] }
      : {}),
    insurance: [{ focal: true, coverage: { reference: `Coverage/${o.coverage}` } }],
    outcome: o.outcome ?? "complete",
    ...(o.rendering ? { careTeam: [{ sequence: 1, provider: o.rendering, role: coding("http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole", "rendering") }] } : {}),
    ...(o.diagnoses ? { diagnosis: o.diagnoses.map((code, i) => ({ sequence: i + 1, diagnosisCodeableConcept: coding(ICD10, code) })) } : {}),
    item: o.items.map((item, i) => ({
      sequence: item.sequence ?? i + 1,
      productOrService: coding(/^[A-Z]/.test(item.code) ? "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets" : CPT, item.code),
      servicedDate: item.date,
      ...(item.modifiers ? { modifier: item.modifiers.map((m) => coding(CPT, m)) } : {}),
      ...(item.pos ? { locationCodeableConcept: coding("https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set", item.pos) } : {}),
      ...(item.net !== undefined ? { net: { value: item.net } } : {}),
      ...(item.paid !== undefined ? { adjudication: [{ category: coding("http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication", "paidtoprovider"), amount: { value: item.paid } }] } : {}),
    })),
  };
}

const AETNA = { reference: "Organization/o-aetna" };
const BCBS = { reference: "Organization/o-bcbs" };

/** A small FHIR warehouse, each file's resources on lines 1, 2, …: p1 has an EHR order (sr1,
 *  requested through a PractitionerRole) captured by a 3096F line (C1), completed by a 77080
 *  study (C2); p2 is covered by BCBS and has a study billed to Medicare Part B, a plan known
 *  only from a cancelled Coverage (C3), and a hip fracture before it (C4). Files are read in name order, so Coverages name
 *  Organizations and Patients of files read after them. */
export const BASE_FHIR = {
  "Coverage.ndjson": ndjson(
    coverage("cov1", { patient: "p1", plan: "AET-PPO", name: "Aetna Choice POS II", payor: AETNA, code: "5", start: "2020-01-01" }),
    coverage("cov2", { patient: "p2", plan: "BCBS-PPO", name: "Blue Cross PPO", payor: BCBS, code: "6", start: "2021-01-01", end: "2025-12-31" }),
    coverage("plan-mcr", { status: "cancelled", patient: "p1", plan: "MCR-B", name: "Medicare Part B", payor: { display: "Medicare" }, code: "121" }),
  ),
  "ExplanationOfBenefit.ndjson": ndjson(
    eob("e1", { claim: "C1", patient: "p1", coverage: "cov1", created: "2025-01-20T10:00:00-05:00", rendering: { reference: "Practitioner/pr1" }, items: [{ code: "3096F", date: "2025-01-10", pos: "11" }] }),
    eob("e2", { claim: "C2", patient: "p1", coverage: "cov1", created: "2025-02-25", received: "2025-02-20", diagnoses: ["M81.0"], items: [{ code: "77080", date: "2025-02-14", pos: "22", net: 150, paid: 98.5 }] }),
    eob("e3", { claim: "C3", patient: "p2", coverage: "plan-mcr", created: "2025-04-10", items: [{ code: "77080", date: "2025-04-02", modifiers: ["TC"] }, { code: "77080", date: "2025-04-02", modifiers: ["26"] }] }),
    eob("e4", { claim: "C4", patient: "p2", coverage: "cov2", type: "institutional", created: "2025-03-12", diagnoses: ["S72.001A", "W19.XXXA"], items: [{ code: "27236", date: "2025-03-03", pos: "21", net: 9000, paid: 7000 }] }),
  ),
  "Organization.ndjson": ndjson(organization("o-aetna", "Aetna"), organization("o-bcbs", "Blue Cross Blue Shield")),
  "Patient.ndjson": ndjson(patient("p1", "1950-03-15", "female"), patient("p2", "1948-11-02", "male")),
  "Practitioner.ndjson": ndjson(practitioner("pr1", "1234567893")),
  "PractitionerRole.ndjson": ndjson(practitionerRole("role1", "pr1")),
  "ServiceRequest.ndjson": ndjson(serviceRequest("sr1", { patient: "p1", authoredOn: "2025-01-10", requester: { reference: "PractitionerRole/role1" } })),
};
