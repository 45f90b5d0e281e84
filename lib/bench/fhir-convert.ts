import { once } from "node:events";
import { createReadStream, createWriteStream, mkdirSync, statSync, type WriteStream } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse";

// The facts of a CSV import folder (SPEC section 3) written as a FHIR R4 bulk export (section
// 3b), for the benchmark that times the FHIR import beside the CSV import of the same facts
// (lib/bench/fhir-import.ts). Streamed record by record, so that a data set of millions of
// members converts in constant memory (only the NPIs seen are held, a few thousand).
//
// One shape per resource, the plainest a payer or an EHR would send: every plan made known by a
// cancelled Coverage of its own (`plan-<plan_id>`), which every claim of that plan bills; one
// Coverage per enrollment span; one ServiceRequest per order; one ExplanationOfBenefit per run
// of consecutive lines sharing a claim version and what an EOB states once. An order's
// indication has no FHIR source (SPEC 3b) and is left out.

const CPT = "http://www.ama-assn.org/go/cpt";
const HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
const NPI = "http://hl7.org/fhir/sid/us-npi";
const ICD10 = "http://hl7.org/fhir/sid/icd-10-cm";
const SOPT = "urn:oid:2.16.840.1.113883.3.221.5";
const coding = (system: string, code: string) => ({ coding: [{ system, code }] });
const PAYMENT_CODE: Record<string, string | null> = { commercial: "5", medicare_advantage: "11", medicare_ffs: "121", medicaid: "2", other: null };

type Row = Record<string, string>;

export type FhirConversion = { files: { name: string; resources: number; bytes: number }[] };

/** Writes `<Type>.ndjson` files into `outFolder` from the CSV files of `csvFolder`. */
export async function convertCsvFolderToNdjson(csvFolder: string, outFolder: string): Promise<FhirConversion> {
  mkdirSync(outFolder, { recursive: true });
  const out = new Outputs(outFolder);
  const npis = new Set<string>();
  const organizations = new Set<string>();
  let firstMember: string | null = null;

  for await (const m of rows(csvFolder, "members.csv")) {
    firstMember ??= m.member_id!;
    const gender = { F: "female", M: "male" }[m.sex!.toUpperCase()] ?? "unknown";
    await out.write("Patient", { resourceType: "Patient", id: m.member_id, gender, birthDate: m.birth_date });
  }
  // What every Coverage of a plan says of it (a few dozen plans): payer, name, product line.
  const plans = new Map<string, Record<string, unknown>>();
  for await (const p of rows(csvFolder, "plans.csv")) {
    const org = `org-${p.payer!.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "")}`;
    if (!organizations.has(org)) {
      organizations.add(org);
      await out.write("Organization", { resourceType: "Organization", id: org, name: p.payer });
    }
    const code = PAYMENT_CODE[p.product_line!.toLowerCase()];
    const plan = {
      payor: [{ reference: `Organization/${org}` }],
      class: [{ type: coding("http://terminology.hl7.org/CodeSystem/coverage-class", "plan"), value: p.plan_id, name: p.plan_name }],
      ...(code ? { type: coding(SOPT, code) } : {}),
    };
    plans.set(p.plan_id!, plan);
    await out.write("Coverage", {
      resourceType: "Coverage",
      id: planCoverage(p.plan_id!),
      status: "cancelled",
      beneficiary: { reference: `Patient/${firstMember}` },
      ...plan,
    });
  }
  let spans = 0;
  for await (const c of rows(csvFolder, "coverage.csv")) {
    await out.write("Coverage", {
      resourceType: "Coverage",
      id: `cov-${++spans}`,
      status: "active",
      beneficiary: { reference: `Patient/${c.member_id}` },
      ...plans.get(c.plan_id!),
      period: { start: c.start_date, ...(c.end_date ? { end: c.end_date } : {}) },
    });
  }
  for await (const o of rows(csvFolder, "orders.csv")) {
    if (o.ordering_npi) npis.add(o.ordering_npi);
    await out.write("ServiceRequest", {
      resourceType: "ServiceRequest",
      id: o.order_id,
      status: o.status?.toLowerCase() === "cancelled" ? "revoked" : "active",
      intent: "order",
      code: coding(CPT, "77080"),
      subject: { reference: `Patient/${o.member_id}` },
      authoredOn: o.order_date,
      ...(o.ordering_npi ? { requester: { reference: `Practitioner/npi-${o.ordering_npi}` } } : {}),
    });
  }
  let group: Row[] = [];
  let groupKey = "";
  let claims = 0;
  const flush = async () => {
    if (group.length > 0) await out.write("ExplanationOfBenefit", explanationOfBenefit(group, ++claims, npis));
    group = [];
  };
  for await (const line of rows(csvFolder, "claim_lines.csv")) {
    const key = [line.claim_id, line.received_date, line.frequency_code, line.member_id, line.plan_id, line.claim_type!.toLowerCase(),
      line.diagnosis_codes, line.line_status!.toLowerCase() === "pending", line.rendering_npi === ""].join("|");
    if (key !== groupKey) await flush();
    groupKey = key;
    group.push(line);
  }
  await flush();
  for (const npi of npis) await out.write("Practitioner", { resourceType: "Practitioner", id: `npi-${npi}`, identifier: [{ system: NPI, value: npi }] });
  return out.close();
}

/** A plan's Coverage id: a FHIR id (letters, digits, '-', '.'; at most 64). */
function planCoverage(planId: string): string {
  return `plan-${planId.replace(/[^A-Za-z0-9\-.]/g, "-")}`.slice(0, 64);
}

function explanationOfBenefit(lines: Row[], n: number, npis: Set<string>): Record<string, unknown> {
  const first = lines[0]!;
  const rendering = [...new Set(lines.map((l) => l.rendering_npi!).filter(Boolean))];
  for (const npi of rendering) npis.add(npi);
  const status = first.line_status!.toLowerCase();
  return {
    resourceType: "ExplanationOfBenefit",
    id: `eob-${n}`,
    identifier: [{ value: first.claim_id }],
    status: first.frequency_code === "8" ? "cancelled" : "active",
    ...(first.frequency_code === "7" ? { related: [{ relationship: coding("http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship", "prior") }] } : {}),
    type: coding("http://terminology.hl7.org/CodeSystem/claim-type", first.claim_type!.toLowerCase()),
    use: "claim",
    patient: { reference: `Patient/${first.member_id}` },
    created: first.received_date,
    outcome: status === "pending" ? "queued" : "complete",
    insurance: [{ focal: true, coverage: { reference: `Coverage/${planCoverage(first.plan_id!)}` } }],
    ...(rendering.length > 0
      ? { careTeam: rendering.map((npi, i) => ({ sequence: i + 1, provider: { reference: `Practitioner/npi-${npi}` }, role: coding("http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole", "rendering") })) }
      : {}),
    ...(first.diagnosis_codes
      ? { diagnosis: first.diagnosis_codes.split(";").map((code, i) => ({ sequence: i + 1, diagnosisCodeableConcept: coding(ICD10, code.trim()) })) }
      : {}),
    item: lines.map((line) => ({
      sequence: Number(line.line_number),
      ...(line.rendering_npi ? { careTeamSequence: [rendering.indexOf(line.rendering_npi) + 1] } : {}),
      productOrService: coding(/^[A-Za-z]/.test(line.procedure_code!) ? HCPCS : CPT, line.procedure_code!),
      ...(line.modifiers ? { modifier: line.modifiers.split(";").map((m) => coding(CPT, m.trim())) } : {}),
      servicedDate: line.service_date,
      ...(line.place_of_service ? { locationCodeableConcept: coding("https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set", line.place_of_service) } : {}),
      ...(line.units && line.units !== "1" ? { quantity: { value: Number(line.units) } } : {}),
      ...(line.billed_amount ? { net: { value: Number(line.billed_amount) } } : {}),
      adjudication: [
        ...(line.line_status!.toLowerCase() === "denied" ? [{ category: coding("http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator", "denialreason") }] : []),
        ...(line.paid_amount ? [{ category: coding("http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudication", "paidtoprovider"), amount: { value: Number(line.paid_amount) } }] : []),
      ],
    })),
  };
}

async function* rows(folder: string, file: string): AsyncGenerator<Row> {
  const full = path.join(folder, file);
  try {
    statSync(full);
  } catch {
    return;
  }
  yield* createReadStream(full).pipe(parse({ columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), bom: true })) as AsyncIterable<Row>;
}

/** One NDJSON file per resource type, written as resources come, waiting when a file's buffer
 *  is full. */
class Outputs {
  private readonly streams = new Map<string, { stream: WriteStream; name: string; resources: number }>();

  constructor(private readonly folder: string) {}

  async write(type: string, resource: Record<string, unknown>): Promise<void> {
    let file = this.streams.get(type);
    if (!file) {
      const name = `${type}.ndjson`;
      file = { stream: createWriteStream(path.join(this.folder, name)), name, resources: 0 };
      this.streams.set(type, file);
    }
    file.resources++;
    if (!file.stream.write(`${JSON.stringify(resource)}\n`)) await once(file.stream, "drain");
  }

  async close(): Promise<FhirConversion> {
    const files: FhirConversion["files"] = [];
    for (const { stream, name, resources } of this.streams.values()) {
      await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
      files.push({ name, resources, bytes: statSync(path.join(this.folder, name)).size });
    }
    return { files };
  }
}
