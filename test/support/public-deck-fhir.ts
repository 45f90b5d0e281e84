// The public deck (test/fixtures/public-deck/data, the CSV files of SPEC section 3) written as
// FHIR R4 (section 3b), for the test that a FHIR import and a CSV import of the same facts give
// the same warehouse and the same numbers (test/integration/fhir-equivalence.test.ts).
//
// Written independently of lib/fhir, from the SPEC's table read backwards, and on purpose in
// the many shapes real data takes, so that the equivalence exercises the rules rather than one
// spelling of them: references forward and backward across files, Patient references as
// urn:uuid inside a Bundle, requesters as Practitioner, PractitionerRole or a bare NPI
// identifier, a non-qualifying coding before the qualifying one, received dates from a
// clmrecvddate supportingInfo or from `created` (with a time and zone), paid amounts under
// `paidtoprovider` or `benefit`, a focal insurance after a non-focal one, diagnoses listed out
// of sequence order, dates written as dateTimes.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import Papa from "papaparse";

type Row = Record<string, string>;
type Resource = { resourceType: string; id: string; [key: string]: unknown };

const CPT = "http://www.ama-assn.org/go/cpt";
const HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
const LOINC = "http://loinc.org";
const SNOMED = "http://snomed.info/sct";
const ICD10 = "http://hl7.org/fhir/sid/icd-10-cm";
const NPI = "http://hl7.org/fhir/sid/us-npi";
const SOPT = "urn:oid:2.16.840.1.113883.3.221.5";
const CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type";
const COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class";
const C4BB_INFO = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType";
const C4BB_ADJ = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication";
const C4BB_DISC = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator";
const ADJ = "http://terminology.hl7.org/CodeSystem/adjudication";
const CARE_ROLE = "http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole";
const POS = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set";

/** Source of Payment Typology codes for each product line (SPEC 3b, read backwards). */
const PAYMENT_CODES: Record<string, string[]> = {
  commercial: ["5", "6", "512"],
  medicare_advantage: ["11", "111"],
  medicare_ffs: ["1", "121"],
  medicaid: ["2", "21"],
  other: [],
};

function readCsv(folder: string, file: string): Row[] {
  const parsed = Papa.parse<Row>(readFileSync(path.join(folder, file), "utf8"), { header: true, skipEmptyLines: true });
  if (parsed.errors.length > 0) throw new Error(`${file}: ${parsed.errors[0]!.message}`);
  return parsed.data;
}

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
const safeId = (value: string) => value.replace(/[^A-Za-z0-9\-.]/g, "-").slice(0, 64);
const coding = (system: string, code: string) => ({ coding: [{ system, code }] });

export type DeckAsFhir = {
  patients: Resource[];
  organizations: Resource[];
  practitioners: Resource[];
  roles: Resource[];
  coverages: Resource[];
  serviceRequests: Resource[];
  claims: Resource[];
};

/** The deck's facts as FHIR resources. */
export function publicDeckResources(csvFolder: string): DeckAsFhir {
  const plans = readCsv(csvFolder, "plans.csv");
  const members = readCsv(csvFolder, "members.csv");
  const coverage = readCsv(csvFolder, "coverage.csv");
  const orders = readCsv(csvFolder, "orders.csv");
  const lines = readCsv(csvFolder, "claim_lines.csv");

  const patients = members.map<Resource>((m, i) => ({
    resourceType: "Patient",
    id: m.member_id!,
    meta: { lastUpdated: "2026-01-01T00:00:00Z" },
    gender: { F: "female", M: "male" }[m.sex!.toUpperCase()] ?? (i % 2 === 0 ? "unknown" : "other"),
    birthDate: m.birth_date!,
  }));
  const firstMember = members[0]!.member_id!;

  const organizations = new Map<string, Resource>();
  const planById = new Map(plans.map((p) => [p.plan_id!, p]));
  const orgOf = (payer: string) => {
    const id = `org-${slug(payer)}`;
    if (!organizations.has(id)) organizations.set(id, { resourceType: "Organization", id, name: payer });
    return id;
  };

  let coverageCount = 0;
  const coverageFor = (plan: Row, id: string, extra: Record<string, unknown>): Resource => {
    const n = coverageCount++;
    const codes = PAYMENT_CODES[plan.product_line!.toLowerCase()] ?? [];
    const classes: unknown[] = [{ type: coding(COVERAGE_CLASS, "plan"), value: plan.plan_id, name: plan.plan_name }];
    // A group class too, sometimes before the plan class: the plan class still names the plan.
    if (n % 3 === 1) classes.unshift({ type: coding(COVERAGE_CLASS, "group"), value: `GRP-${n}`, name: "Employer group" });
    return {
      resourceType: "Coverage",
      id,
      ...(codes.length > 0
        ? { type: { coding: [...(n % 2 === 0 ? [{ system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "HIP" }] : []), { system: SOPT, code: codes[n % codes.length] }] } }
        : {}),
      payor: [{ reference: `Organization/${orgOf(plan.payer!)}`, ...(n % 4 === 0 ? { display: plan.payer } : {}) }],
      class: classes,
      ...extra,
    };
  };

  // Every plan is made known by a cancelled Coverage of its own (no span), which claims of
  // members without a span of that plan bill.
  const coverages: Resource[] = plans.map((p) =>
    coverageFor(p, `plan-${safeId(p.plan_id!)}`, { status: "cancelled", beneficiary: { reference: `Patient/${firstMember}` } }),
  );
  const spanOf = new Map<string, string>(); // member|plan → a Coverage id of that member and plan
  coverage.forEach((c, i) => {
    const id = `cov-${i}`;
    const start = i % 5 === 2 ? `${c.start_date}T00:00:00-05:00` : c.start_date;
    coverages.push(
      coverageFor(planById.get(c.plan_id!)!, id, {
        status: "active",
        beneficiary: { reference: `Patient/${c.member_id}` },
        period: { start, ...(c.end_date ? { end: c.end_date } : {}) },
      }),
    );
    spanOf.set(`${c.member_id}|${c.plan_id}`, id);
  });

  const npis = new Set<string>([...orders.map((o) => o.ordering_npi!), ...lines.map((l) => l.rendering_npi!)].filter(Boolean));
  const practitioners = [...npis].map<Resource>((npi) => ({ resourceType: "Practitioner", id: `npi-${npi}`, identifier: [{ system: NPI, value: npi }] }));
  const roles = [...npis].map<Resource>((npi) => ({ resourceType: "PractitionerRole", id: `role-${npi}`, practitioner: { reference: `Practitioner/npi-${npi}` } }));
  /** A reference to the practitioner of this NPI, in one of three shapes. */
  const practitionerRef = (npi: string, n: number) =>
    n % 3 === 0 ? { reference: `Practitioner/npi-${npi}` } : n % 3 === 1 ? { reference: `PractitionerRole/role-${npi}` } : { identifier: { system: NPI, value: npi } };

  const dxaCodes = [coding(CPT, "77080"), coding(LOINC, "24701-5"), { coding: [{ system: SNOMED, code: "312681000" }, { system: CPT, code: "77085" }] }, coding(LOINC, "38267-1")];
  const serviceRequests = orders.map<Resource>((o, i) => ({
    resourceType: "ServiceRequest",
    id: o.order_id!,
    status: o.status?.toLowerCase() === "cancelled" ? (i % 2 === 0 ? "revoked" : "entered-in-error") : i % 2 === 0 ? "active" : "completed",
    intent: ["order", "original-order", "filler-order"][i % 3],
    code: dxaCodes[i % dxaCodes.length],
    subject: { reference: `Patient/${o.member_id}` },
    authoredOn: i % 4 === 3 ? `${o.order_date}T23:30:00-05:00` : o.order_date,
    ...(o.ordering_npi ? { requester: practitionerRef(o.ordering_npi, i) } : {}),
  }));

  // One ExplanationOfBenefit per claim version and per set of lines that share what an EOB
  // says once: member, plan, claim type, diagnoses, pending or not, rendering NPI or none.
  const groups = new Map<string, Row[]>();
  for (const line of lines) {
    const key = [line.claim_id, line.received_date, line.frequency_code, line.member_id, line.plan_id, line.claim_type!.toLowerCase(),
      line.diagnosis_codes, line.line_status!.toLowerCase() === "pending", line.rendering_npi === ""].join("|");
    groups.set(key, [...(groups.get(key) ?? []), line]);
  }
  const claims: Resource[] = [];
  let n = 0;
  for (const group of groups.values()) {
    const first = group[0]!;
    const i = n++;
    const careTeamNpis = [...new Set(group.map((l) => l.rendering_npi!).filter(Boolean))];
    const diagnoses = first.diagnosis_codes ? first.diagnosis_codes.split(";").map((code, s) => ({ sequence: s + 1, diagnosisCodeableConcept: coding(ICD10, code.trim()) })) : [];
    const focalCoverage = spanOf.get(`${first.member_id}|${first.plan_id}`) ?? `plan-${safeId(first.plan_id!)}`;
    const otherPlan = plans.find((p) => p.plan_id !== first.plan_id)!;
    const received = first.received_date!;
    const frequency = first.frequency_code!;
    claims.push({
      resourceType: "ExplanationOfBenefit",
      id: safeId(`eob-${i}-${first.claim_id}`),
      identifier: [{ system: "https://payer.example/claim-number", value: first.claim_id }],
      status: frequency === "8" ? "cancelled" : "active",
      ...(frequency === "7" ? { related: [{ relationship: coding("http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship", "prior"), reference: { value: first.claim_id } }] } : {}),
      type: coding(CLAIM_TYPE, first.claim_type!.toLowerCase()),
      use: "claim",
      patient: { reference: `Patient/${first.member_id}` },
      // Received: from the CARIN Blue Button supportingInfo (created is then another day), or
      // from created (with a time in a zone: the date part as written).
      ...(i % 2 === 0
        ? {
            created: `${first.service_date}T08:00:00Z`,
            supportingInfo: [{ sequence: 1, category: coding(C4BB_INFO, "clmrecvddate"), timingDate: received }],
          }
        : { created: `${received}T22:15:00-08:00` }),
      outcome: first.line_status!.toLowerCase() === "pending" ? "queued" : i % 5 === 0 ? "partial" : "complete",
      insurance: [
        ...(i % 3 === 0 ? [{ focal: false, coverage: { reference: `Coverage/plan-${safeId(otherPlan.plan_id!)}` } }] : []),
        { focal: true, coverage: { reference: `Coverage/${focalCoverage}` } },
      ],
      ...(careTeamNpis.length > 0
        ? { careTeam: careTeamNpis.map((npi, k) => ({ sequence: k + 1, provider: practitionerRef(npi, i + k), role: coding(CARE_ROLE, (i + k) % 2 === 0 ? "rendering" : "performing") })) }
        : {}),
      // Listed last to first: the rule reads them in sequence order.
      diagnosis: [...diagnoses].reverse(),
      item: group.map((line, k) => {
        const code = line.procedure_code!;
        const system = /^[A-Za-z]/.test(code) ? HCPCS : CPT;
        const modifiers = line.modifiers ? line.modifiers.split(";").map((m) => coding(CPT, m.trim())) : [];
        const status = line.line_status!.toLowerCase();
        const paidCategory = (i + k) % 2 === 0 ? coding(C4BB_ADJ, "paidtoprovider") : coding(ADJ, "benefit");
        return {
          sequence: Number(line.line_number),
          ...(line.rendering_npi ? { careTeamSequence: [careTeamNpis.indexOf(line.rendering_npi) + 1] } : {}),
          productOrService: (i + k) % 4 === 1 ? { coding: [{ system: SNOMED, code: "241686001" }, { system, code }] } : coding(system, code),
          ...(modifiers.length > 0 ? { modifier: modifiers } : {}),
          ...((i + k) % 3 === 0 ? { servicedPeriod: { start: line.service_date, end: line.service_date } } : { servicedDate: line.service_date }),
          ...(line.place_of_service ? { locationCodeableConcept: coding(POS, line.place_of_service) } : {}),
          ...(line.units && line.units !== "1" ? { quantity: { value: Number(line.units) } } : (i + k) % 2 === 0 ? { quantity: { value: 1 } } : {}),
          ...(line.billed_amount ? { net: { value: Number(line.billed_amount), currency: "USD" } } : {}),
          adjudication: [
            ...(status === "denied" ? [{ category: coding(C4BB_DISC, "denialreason"), reason: coding("https://x12.org/codes/claim-adjustment-reason-codes", "50") }] : []),
            ...(line.paid_amount ? [{ category: paidCategory, amount: { value: Number(line.paid_amount), currency: "USD" } }] : []),
          ],
        };
      }),
    });
  }
  return { patients, organizations: [...organizations.values()], practitioners, roles, coverages, serviceRequests, claims };
}

const ndjson = (resources: Resource[]) => resources.map((r) => `${JSON.stringify(r)}\n`).join("");

/** Writes the deck as a bulk export: one NDJSON file per type (Coverage in two parts), read
 *  in name order, so Coverages name Organizations and Patients of files read after them. */
export function writePublicDeckNdjson(csvFolder: string, outFolder: string): void {
  const deck = publicDeckResources(csvFolder);
  mkdirSync(outFolder, { recursive: true });
  const half = Math.ceil(deck.coverages.length / 2);
  const files: Record<string, Resource[]> = {
    "Patient.ndjson": deck.patients,
    "Organization.ndjson": deck.organizations,
    "Practitioner.000.ndjson": deck.practitioners,
    "PractitionerRole.000.ndjson": deck.roles,
    "Coverage.000.ndjson": deck.coverages.slice(0, half),
    "Coverage.001.ndjson": deck.coverages.slice(half),
    "ServiceRequest.ndjson": deck.serviceRequests,
    "ExplanationOfBenefit.ndjson": deck.claims,
  };
  for (const [name, resources] of Object.entries(files)) writeFileSync(path.join(outFolder, name), ndjson(resources));
}

/** Writes the deck as two Bundles: a transaction of everything but the claims (entries with
 *  urn:uuid fullUrls, Patient references by urn:uuid), and a collection of the claims. */
export function writePublicDeckBundles(csvFolder: string, outFolder: string): void {
  const deck = publicDeckResources(csvFolder);
  mkdirSync(outFolder, { recursive: true });
  const uuid = (n: number) => `urn:uuid:00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  const resources = [...deck.coverages, ...deck.serviceRequests, ...deck.patients, ...deck.organizations, ...deck.practitioners, ...deck.roles];
  const fullUrl = new Map(resources.map((r, i) => [`${r.resourceType}/${r.id}`, uuid(i + 1)]));
  const viaUuid = (resource: Resource): Resource => {
    const ref = (element: unknown) => {
      const reference = (element as { reference?: string } | undefined)?.reference;
      return reference?.startsWith("Patient/") ? { ...(element as object), reference: fullUrl.get(reference)! } : element;
    };
    if (resource.resourceType === "Coverage") return { ...resource, beneficiary: ref(resource.beneficiary) };
    if (resource.resourceType === "ServiceRequest") return { ...resource, subject: ref(resource.subject) };
    return resource;
  };
  const transaction = {
    resourceType: "Bundle",
    type: "transaction",
    entry: resources.map((r) => ({
      fullUrl: fullUrl.get(`${r.resourceType}/${r.id}`),
      resource: viaUuid(r),
      request: { method: "PUT", url: `${r.resourceType}/${r.id}` },
    })),
  };
  const collection = { resourceType: "Bundle", type: "collection", entry: deck.claims.map((r) => ({ fullUrl: `https://payer.example/fhir/ExplanationOfBenefit/${r.id}`, resource: r })) };
  writeFileSync(path.join(outFolder, "deck.json"), JSON.stringify(transaction, null, 1));
  writeFileSync(path.join(outFolder, "claims.json"), JSON.stringify(collection));
}
