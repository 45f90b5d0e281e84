import { describe, expect, it } from "vitest";
import { CENTRAL_DXA_LOINC, DXA_SCAN_VALUE_SET, productLineOfPaymentCode } from "@/lib/fhir/codes";
import { datePart } from "@/lib/fhir/dates";
import { readResource, type ClaimLineRow, type MappedRows, type ResourceReading } from "@/lib/fhir/map";
import { readReference } from "@/lib/fhir/references";
import { Invalid } from "@/lib/import/fields";

// SPEC section 3b, rule by rule, one resource at a time (lib/fhir/map.ts). Every expected value
// is read off the SPEC's table and its "details that two careful readers could take
// differently"; references that need other resources are checked in
// test/integration/fhir-import.test.ts.

const TODAY = "2025-09-30";
const read = (resource: Record<string, unknown>, bundle: Map<string, { type: string; id: string }> | null = null): ResourceReading =>
  readResource(resource as never, { today: TODAY, bundle });
/** The rows of a resource that must map without problems. */
const rows = (resource: Record<string, unknown>): MappedRows => {
  const reading = read(resource);
  expect(reading.problems).toEqual([]);
  expect(reading.rows).not.toBeNull();
  return reading.rows!;
};
const problemsOf = (resource: Record<string, unknown>) => read(resource).problems;

const CPT = "http://www.ama-assn.org/go/cpt";
const HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
const LOINC = "http://loinc.org";
const ICD10 = "http://hl7.org/fhir/sid/icd-10-cm";
const NPI = "http://hl7.org/fhir/sid/us-npi";
const SOPT = "urn:oid:2.16.840.1.113883.3.221.5";
const coding = (system: string, code: string) => ({ coding: [{ system, code }] });

describe("dates (SPEC 3b: the date part as written; a partial date is an error)", () => {
  it.each([
    ["2025-03-04", "2025-03-04"],
    ["2025-03-04T23:30:00-05:00", "2025-03-04"], // not converted to UTC (2025-03-05)
    ["2025-03-04T00:30:00+14:00", "2025-03-04"],
    ["2025-03-04T10:00:00Z", "2025-03-04"],
    ["2025-03-04T10:00:00.123Z", "2025-03-04"],
  ])("%s reads %s", (value, expected) => expect(datePart(value)).toBe(expected));

  it.each(["2025", "2025-03"])("the partial date %s is refused", (value) => {
    const verdict = datePart(value);
    expect(verdict).toBeInstanceOf(Invalid);
    expect((verdict as Invalid).reason).toMatch(/partial date/);
  });

  it.each(["2025-02-30", "2025-3-4", "20250304", "2025-03-04 10:00", 20250304])("%s is not a date", (value) => {
    expect(datePart(value)).toBeInstanceOf(Invalid);
  });
});

describe("references", () => {
  it("reads relative, absolute and versioned references as type and id", () => {
    expect(readReference({ reference: "Patient/p1" }, null)).toMatchObject({ kind: "resource", type: "Patient", id: "p1" });
    expect(readReference({ reference: "https://ehr.example/fhir/Patient/p-1.2" }, null)).toMatchObject({ kind: "resource", type: "Patient", id: "p-1.2" });
    expect(readReference({ reference: "Coverage/c1/_history/3" }, null)).toMatchObject({ kind: "resource", type: "Coverage", id: "c1" });
  });

  it("resolves a Bundle's urn:uuid and full URLs through its entries", () => {
    const bundle = new Map([["urn:uuid:4b0c7a52-0f7e-4a4b-9a57-3c1c2e7ad111", { type: "Patient", id: "p9" }]]);
    expect(readReference({ reference: "urn:uuid:4b0c7a52-0f7e-4a4b-9a57-3c1c2e7ad111" }, bundle)).toMatchObject({ kind: "resource", type: "Patient", id: "p9" });
    expect(readReference({ reference: "urn:uuid:00000000-0000-0000-0000-000000000000" }, bundle)).toMatchObject({ kind: "unreadable", reason: /no entry of this Bundle/ });
    expect(readReference({ reference: "urn:uuid:4b0c7a52-0f7e-4a4b-9a57-3c1c2e7ad111" }, null)).toMatchObject({ kind: "unreadable" });
  });

  it("reads an NPI given as a logical or conditional reference", () => {
    expect(readReference({ identifier: { system: NPI, value: "1234567893" } }, null)).toMatchObject({ kind: "npi", npi: "1234567893" });
    expect(readReference({ reference: `Practitioner?identifier=${NPI}|1234567893` }, null)).toMatchObject({ kind: "npi", npi: "1234567893" });
    expect(readReference({ reference: "Organization?identifier=https://x|1" }, null)).toMatchObject({ kind: "unreadable" });
  });

  it("a contained resource, an unknown type and a display alone", () => {
    expect(readReference({ reference: "#org1" }, null)).toMatchObject({ kind: "unreadable", reason: /contained/ });
    expect(readReference({ reference: "Patients/p1" }, null)).toMatchObject({ kind: "unreadable" });
    expect(readReference({ display: "Aetna" }, null)).toEqual({ kind: "absent", display: "Aetna" });
    expect(readReference(undefined, null)).toEqual({ kind: "absent", display: null });
  });
});

describe("Patient → a member", () => {
  const patient = (extra: Record<string, unknown>) => ({ resourceType: "Patient", id: "p1", birthDate: "1950-03-15", ...extra });

  it.each([
    ["female", "F"],
    ["male", "M"],
    ["other", "U"],
    ["unknown", "U"],
    [undefined, "U"],
  ])("gender %s is sex %s", (gender, sex) => {
    expect(rows(patient({ gender })).member).toEqual({ member_id: "p1", birth_date: "1950-03-15", sex, key_path: "Patient.id" });
  });

  it.each(["1950", "1950-03"])("a partial birth date (%s) is an error naming the element", (birthDate) => {
    const problems = problemsOf(patient({ birthDate }));
    expect(problems).toEqual([{ path: "Patient.birthDate", value: birthDate, reason: expect.stringMatching(/partial date/) }]);
    expect(read(patient({ birthDate })).rows).toBeNull();
  });

  it("a birth date is required and not after today (today is allowed)", () => {
    expect(problemsOf(patient({ birthDate: undefined }))).toEqual([{ path: "Patient.birthDate", value: "", reason: expect.stringMatching(/required/) }]);
    expect(problemsOf(patient({ birthDate: "2025-10-01" }))).toEqual([{ path: "Patient.birthDate", value: "2025-10-01", reason: "is after today (2025-09-30)" }]);
    expect(rows(patient({ birthDate: "2025-09-30" })).member?.birth_date).toBe("2025-09-30");
  });

  it("is the patient of its own row", () => {
    expect(read(patient({})).patientId).toBe("p1");
  });
});

describe("Coverage → a plan and an enrollment span", () => {
  const coverage = (extra: Record<string, unknown> = {}) => ({
    resourceType: "Coverage",
    id: "cov1",
    status: "active",
    beneficiary: { reference: "Patient/p1" },
    payor: [{ reference: "Organization/o1" }],
    class: [{ type: coding("http://terminology.hl7.org/CodeSystem/coverage-class", "plan"), value: "PLAN-A", name: "Plan A" }],
    type: coding(SOPT, "5"),
    period: { start: "2024-01-01", end: "2024-12-31" },
    ...extra,
  });

  it.each([
    ["11", "medicare_advantage"],
    ["111", "medicare_advantage"],
    ["1", "medicare_ffs"],
    ["12", "medicare_ffs"],
    ["121", "medicare_ffs"],
    ["2", "medicaid"],
    ["21", "medicaid"],
    ["5", "commercial"],
    ["512", "commercial"],
    ["6", "commercial"],
    ["3", "other"],
    ["81", "other"],
    ["9", "other"],
  ])("payment typology code %s is product line %s", (code, productLine) => {
    expect(productLineOfPaymentCode(code)).toBe(productLine);
    expect(rows(coverage({ type: coding(SOPT, code) })).plan?.product_line).toBe(productLine);
  });

  it("reads the typology coding only, wherever it is among the codings; none is other", () => {
    expect(rows(coverage({ type: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "HIP" }, { system: SOPT, code: "2" }] } })).plan?.product_line).toBe("medicaid");
    expect(rows(coverage({ type: coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "5") })).plan?.product_line).toBe("other");
    expect(rows(coverage({ type: undefined })).plan?.product_line).toBe("other");
  });

  it("plan_id is the plan class, else the group class, else the Coverage id; plan_name its name, else plan_id", () => {
    const group = { type: coding("http://terminology.hl7.org/CodeSystem/coverage-class", "group"), value: "GRP-1", name: "Group 1" };
    const plan = { type: coding("http://terminology.hl7.org/CodeSystem/coverage-class", "plan"), value: "PLAN-B" };
    expect(rows(coverage({ class: [group, plan] })).plan).toMatchObject({ plan_id: "PLAN-B", plan_name: "PLAN-B" });
    expect(rows(coverage({ class: [group] })).plan).toMatchObject({ plan_id: "GRP-1", plan_name: "Group 1" });
    expect(rows(coverage({ class: undefined })).plan).toMatchObject({ plan_id: "cov1", plan_name: "cov1" });
    expect(read(coverage()).referencedValue).toBe("PLAN-A");
  });

  it("the payer is the Organization payor[0] references (resolved later), or the reference's display", () => {
    expect(rows(coverage()).plan).toMatchObject({ payer: null, payer_org_id: "o1" });
    expect(rows(coverage()).refs).toContainEqual({ path: "Coverage.payor[0]", raw: "Organization/o1", role: "payer", type: "Organization", id: "o1" });
    expect(rows(coverage({ payor: [{ display: "Humana" }] })).plan).toMatchObject({ payer: "Humana", payer_org_id: null });
    expect(rows(coverage({ payor: [{ reference: "Organization/o1", display: "Aetna" }] })).plan).toMatchObject({ payer: "Aetna", payer_org_id: "o1" });
    expect(rows(coverage({ payor: [{ reference: "Patient/p1", display: "Self pay" }] })).plan).toMatchObject({ payer: "Self pay", payer_org_id: null });
    expect(problemsOf(coverage({ payor: undefined }))).toEqual([{ path: "Coverage.payor[0]", value: "", reason: expect.stringMatching(/required/) }]);
    expect(problemsOf(coverage({ payor: [{ reference: "Patient/p1" }] }))).toEqual([{ path: "Coverage.payor[0]", value: "Patient/p1", reason: expect.stringMatching(/name is needed/) }]);
  });

  it("the span: member = beneficiary, dates = the date part of period.start / period.end, no end = still enrolled", () => {
    expect(rows(coverage()).span).toEqual({ member_id: "p1", plan_id: "PLAN-A", start_date: "2024-01-01", end_date: "2024-12-31", key_path: "Coverage.period.start" });
    expect(rows(coverage({ period: { start: "2024-01-01T00:00:00-05:00" } })).span).toMatchObject({ start_date: "2024-01-01", end_date: null });
  });

  it("no start, a partial one, an end before the start, a beneficiary that is no Patient: errors", () => {
    expect(problemsOf(coverage({ period: { end: "2024-12-31" } }))).toEqual([{ path: "Coverage.period.start", value: "", reason: expect.stringMatching(/required/) }]);
    expect(problemsOf(coverage({ period: { start: "2024-01" } }))).toEqual([{ path: "Coverage.period.start", value: "2024-01", reason: expect.stringMatching(/partial date/) }]);
    expect(problemsOf(coverage({ period: { start: "2024-06-01", end: "2024-05-31" } }))).toEqual([
      { path: "Coverage.period.end", value: "2024-05-31", reason: "is before period.start 2024-06-01" },
    ]);
    expect(problemsOf(coverage({ beneficiary: { reference: "RelatedPerson/r1" } }))).toEqual([
      { path: "Coverage.beneficiary", value: "RelatedPerson/r1", reason: "must reference a Patient" },
    ]);
  });

  it.each(["cancelled", "entered-in-error"])("a %s Coverage makes its plan known but gives no span, and needs no start", (status) => {
    const mapped = rows(coverage({ status, period: undefined, beneficiary: undefined }));
    expect(mapped.plan).toMatchObject({ plan_id: "PLAN-A" });
    expect(mapped.span).toBeUndefined();
  });

  it.each(["active", "draft"])("a %s Coverage gives a span", (status) => {
    expect(rows(coverage({ status })).span).toBeDefined();
  });
});

describe("ServiceRequest for a central DXA → an EHR order", () => {
  const request = (extra: Record<string, unknown> = {}) => ({
    resourceType: "ServiceRequest",
    id: "sr1",
    status: "active",
    intent: "order",
    code: coding(CPT, "77080"),
    subject: { reference: "Patient/p1" },
    authoredOn: "2025-02-03",
    ...extra,
  });

  it.each(["order", "original-order", "reflex-order", "filler-order", "instance-order"])("intent %s is an order", (intent) => {
    expect(rows(request({ intent })).order).toEqual({
      order_id: "sr1",
      member_id: "p1",
      order_date: "2025-02-03",
      ordering_npi: null,
      npi_type: null,
      npi_id: null,
      status: "active",
      key_path: "ServiceRequest.id",
    });
  });

  it.each(["proposal", "plan", "directive", "option"])("intent %s is not (kept as it came, no order)", (intent) => {
    expect(read(request({ intent }))).toMatchObject({ rows: null, problems: [] });
  });

  it("codes: CPT 77080 and 77085, the DXA LOINC codes other than the radius/ulna and calcaneus ones", () => {
    expect(rows(request({ code: coding(CPT, "77085") })).order).toBeDefined();
    const central = DXA_SCAN_VALUE_SET.loinc.filter((c) => !["24890-6", "38262-2", "38265-5", "38266-3"].includes(c));
    expect([...CENTRAL_DXA_LOINC].sort()).toEqual(central.sort());
    expect(central).toHaveLength(10);
    for (const code of central) expect(rows(request({ code: coding(LOINC, code) })).order, code).toBeDefined();
    for (const code of ["24890-6", "38262-2", "38265-5", "38266-3"]) expect(read(request({ code: coding(LOINC, code) })).rows, code).toBeNull();
    for (const code of ["77081", "77078", "3096F"]) expect(read(request({ code: coding(CPT, code) })).rows, code).toBeNull();
  });

  it("systems match exactly; any coding may qualify", () => {
    expect(read(request({ code: coding(`${CPT}/`, "77080") })).rows).toBeNull();
    expect(read(request({ code: coding("http://loinc.org/", "24701-5") })).rows).toBeNull();
    expect(read(request({ code: coding(LOINC, "77080") })).rows).toBeNull();
    expect(rows(request({ code: { coding: [{ system: "http://snomed.info/sct", code: "312681000" }, { system: LOINC, code: "38267-1" }] } })).order).toBeDefined();
  });

  it.each([
    ["revoked", "cancelled"],
    ["entered-in-error", "cancelled"],
    ["active", "active"],
    ["completed", "active"],
    ["draft", "active"],
    ["on-hold", "active"],
  ])("status %s is %s", (status, expected) => {
    expect(rows(request({ status })).order?.status).toBe(expected);
  });

  it("the order date is authoredOn's date part, required", () => {
    expect(rows(request({ authoredOn: "2025-02-03T22:00:00-08:00" })).order?.order_date).toBe("2025-02-03");
    expect(problemsOf(request({ authoredOn: undefined }))).toEqual([{ path: "ServiceRequest.authoredOn", value: "", reason: expect.stringMatching(/required/) }]);
    expect(problemsOf(request({ authoredOn: "2025" }))).toEqual([{ path: "ServiceRequest.authoredOn", value: "2025", reason: expect.stringMatching(/partial/) }]);
  });

  it("the ordering NPI: from the Practitioner (Role) referenced, from an NPI reference, none from anyone else", () => {
    expect(rows(request({ requester: { reference: "Practitioner/pr1" } }))).toMatchObject({
      order: { ordering_npi: null, npi_type: "Practitioner", npi_id: "pr1" },
      refs: expect.arrayContaining([{ path: "ServiceRequest.requester", raw: "Practitioner/pr1", role: "npi", type: "Practitioner", id: "pr1" }]),
    });
    expect(rows(request({ requester: { reference: "PractitionerRole/role1" } })).order).toMatchObject({ npi_type: "PractitionerRole", npi_id: "role1" });
    expect(rows(request({ requester: { reference: "PractitionerRole/role1" } })).refs).toContainEqual({
      path: "ServiceRequest.requester",
      raw: "PractitionerRole/role1",
      role: "npi",
      type: "PractitionerRole",
      id: "role1",
    });
    expect(rows(request({ requester: { identifier: { system: NPI, value: "1234567893" } } })).order).toMatchObject({ ordering_npi: "1234567893", npi_id: null });
    expect(rows(request({ requester: { reference: "Organization/o1" } })).order).toMatchObject({ ordering_npi: null, npi_type: null, npi_id: null });
    expect(problemsOf(request({ requester: { identifier: { system: NPI, value: "1234567890" } } }))).toEqual([
      { path: "ServiceRequest.requester", value: "1234567890", reason: "NPI check digit is wrong" },
    ]);
  });

  it("the member is the subject, which must be a Patient", () => {
    expect(rows(request()).refs).toContainEqual({ path: "ServiceRequest.subject", raw: "Patient/p1", role: "member", type: "Patient", id: "p1" });
    expect(problemsOf(request({ subject: { reference: "Group/g1" } }))).toEqual([{ path: "ServiceRequest.subject", value: "Group/g1", reason: "must reference a Patient" }]);
  });
});

describe("ExplanationOfBenefit → claim lines", () => {
  const item = (extra: Record<string, unknown> = {}) => ({ sequence: 1, productOrService: coding(CPT, "77080"), servicedDate: "2025-03-01", ...extra });
  const eob = (extra: Record<string, unknown> = {}) => ({
    resourceType: "ExplanationOfBenefit",
    id: "eob1",
    status: "active",
    type: coding("http://terminology.hl7.org/CodeSystem/claim-type", "professional"),
    use: "claim",
    patient: { reference: "Patient/p1" },
    created: "2025-03-10T09:00:00-05:00",
    insurance: [{ focal: true, coverage: { reference: "Coverage/cov1" } }],
    outcome: "complete",
    item: [item()],
    ...extra,
  });
  const lines = (extra: Record<string, unknown> = {}): ClaimLineRow[] => rows(eob(extra)).lines!;
  const line = (extra: Record<string, unknown> = {}): ClaimLineRow => {
    const all = lines(extra);
    expect(all).toHaveLength(1);
    return all[0]!;
  };

  it("one line per item, with every column of claim_lines", () => {
    expect(line()).toEqual({
      claim_id: "eob1",
      line_number: "1",
      frequency_code: "1",
      received_date: "2025-03-10",
      member_id: "p1",
      coverage_id: "cov1",
      claim_type: "professional",
      service_date: "2025-03-01",
      procedure_code: "77080",
      modifiers: "{}",
      place_of_service: null,
      line_status: "paid",
      units: "1",
      billed_amount: null,
      paid_amount: null,
      rendering_npi: null,
      npi_type: null,
      npi_id: null,
      diagnosis_codes: "{}",
      key_path: "ExplanationOfBenefit.item[0].sequence",
    });
  });

  it("is read only for use claim (or none) and type professional or institutional of the claim-type system", () => {
    expect(line({ use: undefined }).claim_type).toBe("professional");
    expect(line({ type: coding("http://terminology.hl7.org/CodeSystem/claim-type", "institutional") }).claim_type).toBe("institutional");
    for (const use of ["preauthorization", "predetermination"]) expect(read(eob({ use })).rows, use).toBeNull();
    for (const type of ["pharmacy", "oral", "vision"]) expect(read(eob({ type: coding("http://terminology.hl7.org/CodeSystem/claim-type", type) })).rows, type).toBeNull();
    expect(read(eob({ type: coding("http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimType", "professional") })).rows).toBeNull();
  });

  it("claim_id is the first identifier's value (shared by the versions), else the id", () => {
    expect(line({ identifier: [{ system: "https://payer.example", value: "CLM-9" }, { value: "other" }] }).claim_id).toBe("CLM-9");
    expect(line({ identifier: [{ system: "https://payer.example" }] }).claim_id).toBe("eob1");
  });

  it("frequency: 8 when cancelled, else 7 when a related claim is the prior one, else 1", () => {
    const prior = [{ relationship: coding("http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship", "prior"), reference: { value: "CLM-9" } }];
    const associated = [{ relationship: coding("http://terminology.hl7.org/CodeSystem/ex-relatedclaimrelationship", "associated") }];
    expect(line({ status: "cancelled" }).frequency_code).toBe("8");
    expect(line({ status: "cancelled", related: prior }).frequency_code).toBe("8");
    expect(line({ related: prior }).frequency_code).toBe("7");
    expect(line({ related: associated }).frequency_code).toBe("1");
    expect(line({ status: "draft" }).frequency_code).toBe("1");
  });

  it("received: the clmrecvddate supportingInfo's timingDate, else created (date part, as written)", () => {
    const info = (code: string, timingDate: string) => ({ sequence: 1, category: coding("http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBSupportingInfoType", code), timingDate });
    expect(line({ supportingInfo: [info("admissionperiod", "2025-01-01"), info("clmrecvddate", "2025-03-12")] }).received_date).toBe("2025-03-12");
    expect(line({ supportingInfo: [info("billingnetworkcontractingstatus", "2025-01-01")] }).received_date).toBe("2025-03-10");
    expect(line({ created: "2025-03-10T23:59:00-10:00" }).received_date).toBe("2025-03-10");
    expect(problemsOf(eob({ created: "2025-03" }))).toEqual([{ path: "ExplanationOfBenefit.created", value: "2025-03", reason: expect.stringMatching(/partial/) }]);
    expect(problemsOf(eob({ created: undefined }))).toEqual([{ path: "ExplanationOfBenefit.created", value: "", reason: expect.stringMatching(/required/) }]);
  });

  it("the plan is that of the focal insurance's Coverage, else of the first", () => {
    const insurance = [
      { focal: false, coverage: { reference: "Coverage/other" } },
      { focal: true, coverage: { reference: "Coverage/billed" } },
    ];
    const focal = rows(eob({ insurance }));
    expect(focal.lines![0]!.coverage_id).toBe("billed");
    expect(focal.refs).toContainEqual({ path: "ExplanationOfBenefit.insurance[1].coverage", raw: "Coverage/billed", role: "plan", type: "Coverage", id: "billed" });
    expect(focal.refs!.map((r) => r.id)).not.toContain("other");
    const first = rows(eob({ insurance: [{ coverage: { reference: "Coverage/a" } }, { coverage: { reference: "Coverage/b" } }] }));
    expect(first.refs).toContainEqual(expect.objectContaining({ path: "ExplanationOfBenefit.insurance[0].coverage", id: "a" }));
    expect(problemsOf(eob({ insurance: [] }))).toEqual([{ path: "ExplanationOfBenefit.insurance", value: "", reason: expect.stringMatching(/required/) }]);
  });

  it("service date: servicedDate, else servicedPeriod.start, else billablePeriod.start", () => {
    const billablePeriod = { start: "2025-02-27", end: "2025-02-28" };
    expect(line({ billablePeriod }).service_date).toBe("2025-03-01");
    expect(line({ billablePeriod, item: [item({ servicedDate: undefined, servicedPeriod: { start: "2025-02-28T10:00:00Z" } })] }).service_date).toBe("2025-02-28");
    expect(line({ billablePeriod, item: [item({ servicedDate: undefined })] }).service_date).toBe("2025-02-27");
    expect(problemsOf(eob({ item: [item({ servicedDate: undefined })] }))).toEqual([
      { path: "ExplanationOfBenefit.item[0].servicedDate", value: "", reason: expect.stringMatching(/required/) },
    ]);
  });

  it("procedure: the CPT or HCPCS coding; an item with neither is skipped", () => {
    const items = [
      item({ sequence: 1, productOrService: { coding: [{ system: "http://snomed.info/sct", code: "312681000" }, { system: CPT, code: "77085" }] } }),
      item({ sequence: 2, productOrService: coding(HCPCS, "g0130") }),
      item({ sequence: 3, productOrService: coding("http://hl7.org/fhir/sid/ndc", "00093-7146-56") }),
      item({ sequence: 4, productOrService: coding(`${CPT}/`, "77080") }),
    ];
    expect(lines({ item: items }).map((l) => [l.line_number, l.procedure_code])).toEqual([
      ["1", "77085"],
      ["2", "G0130"],
    ]);
    expect(problemsOf(eob({ item: [item({ productOrService: coding(CPT, "7708") })] }))).toEqual([
      { path: "ExplanationOfBenefit.item[0].productOrService.coding[0].code", value: "7708", reason: expect.stringMatching(/5-character/) },
    ]);
  });

  it("line status: denied on outcome error or a denialreason adjudication, pending when queued, else paid", () => {
    const denial = { category: coding("http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBAdjudicationDiscriminator", "denialreason"), reason: coding("https://x12.org", "50") };
    expect(line({ outcome: "error" }).line_status).toBe("denied");
    expect(line({ item: [item({ adjudication: [denial] })] }).line_status).toBe("denied");
    expect(line({ outcome: "queued", item: [item({ adjudication: [denial] })] }).line_status).toBe("denied");
    expect(line({ outcome: "queued" }).line_status).toBe("pending");
    expect(line({ outcome: "partial" }).line_status).toBe("paid");
    expect(line({ outcome: "complete" }).line_status).toBe("paid");
  });

  it("units: quantity.value, default 1, a whole number ≥ 1", () => {
    expect(line({ item: [item({ quantity: { value: 3 } })] }).units).toBe("3");
    for (const value of [1.5, 0, "2"]) {
      expect(problemsOf(eob({ item: [item({ quantity: { value } })] })), String(value)).toEqual([
        { path: "ExplanationOfBenefit.item[0].quantity.value", value: String(value), reason: expect.stringMatching(/whole number/) },
      ]);
    }
  });

  it("amounts: billed = net.value; paid = the paidtoprovider adjudication, else benefit", () => {
    const adjudication = (code: string, value: number) => ({ category: coding("http://terminology.hl7.org/CodeSystem/adjudication", code), amount: { value, currency: "USD" } });
    const both = line({ item: [item({ net: { value: 150 }, adjudication: [adjudication("benefit", 80), adjudication("paidtoprovider", 98.5), adjudication("submitted", 150)] })] });
    expect([both.billed_amount, both.paid_amount]).toEqual(["150", "98.5"]);
    expect(line({ item: [item({ adjudication: [adjudication("submitted", 150), adjudication("benefit", 80)] })] }).paid_amount).toBe("80");
    expect(line({ item: [item({ adjudication: [adjudication("submitted", 150)] })] }).paid_amount).toBeNull();
    expect(problemsOf(eob({ item: [item({ net: { value: -5 } })] }))).toEqual([
      { path: "ExplanationOfBenefit.item[0].net.value", value: "-5", reason: expect.stringMatching(/decimal ≥ 0/) },
    ]);
  });

  it("rendering NPI: the item's careTeamSequence member that is performing or rendering, else the first such member", () => {
    const role = (code: string) => coding("http://hl7.org/fhir/us/carin-bb/CodeSystem/C4BBClaimCareTeamRole", code);
    const npi = (value: string) => ({ identifier: { system: NPI, value } });
    const careTeam = [
      { sequence: 1, provider: npi("1234567893"), role: role("referring") },
      { sequence: 2, provider: npi("1245319599"), role: role("performing") },
      { sequence: 3, provider: { reference: "Practitioner/pr3" }, role: role("rendering") },
    ];
    const items = [
      item({ sequence: 1, careTeamSequence: [3] }),
      item({ sequence: 2, careTeamSequence: [1] }), // referring only: the first performing/rendering one
      item({ sequence: 3 }),
      item({ sequence: 4, careTeamSequence: [1, 3] }),
    ];
    const mapped = rows(eob({ careTeam, item: items }));
    expect(mapped.lines!.map((l) => [l.line_number, l.rendering_npi, l.npi_type, l.npi_id])).toEqual([
      ["1", null, "Practitioner", "pr3"],
      ["2", "1245319599", null, null],
      ["3", "1245319599", null, null],
      ["4", null, "Practitioner", "pr3"],
    ]);
    expect(mapped.refs).toContainEqual({ path: "ExplanationOfBenefit.careTeam[2].provider", raw: "Practitioner/pr3", role: "npi", type: "Practitioner", id: "pr3" });
    expect(line({ careTeam: [careTeam[0]] }).rendering_npi).toBeNull();
  });

  it("diagnoses: the ICD-10-CM codes in sequence order (not item.diagnosisSequence), at most 12", () => {
    const diagnosis = (sequence: number, system: string, code: string) => ({ sequence, diagnosisCodeableConcept: coding(system, code) });
    const listed = [diagnosis(3, ICD10, "M81.0"), diagnosis(1, ICD10, "s72.001a"), diagnosis(2, "http://snomed.info/sct", "71620000"), diagnosis(4, ICD10, "Z13.820")];
    const both = lines({ diagnosis: listed, item: [item({ diagnosisSequence: [3] }), item({ sequence: 2 })] });
    expect(both.map((l) => l.diagnosis_codes)).toEqual(["{S72001A,M810,Z13820}", "{S72001A,M810,Z13820}"]);
    const thirteen = Array.from({ length: 13 }, (_, i) => diagnosis(i + 1, ICD10, "M81.0"));
    expect(problemsOf(eob({ diagnosis: thirteen }))).toEqual([{ path: "ExplanationOfBenefit.diagnosis", value: expect.any(String), reason: "at most 12 diagnosis codes" }]);
    expect(problemsOf(eob({ diagnosis: [diagnosis(1, ICD10, "NOT-A-CODE")] }))).toEqual([
      { path: "ExplanationOfBenefit.diagnosis[0].diagnosisCodeableConcept.coding[0].code", value: "NOT-A-CODE", reason: expect.stringMatching(/ICD-10-CM/) },
    ]);
  });

  it("modifiers joined, at most 4; the place of service from locationCodeableConcept", () => {
    const modifier = (code: string) => coding(CPT, code);
    const pos = { coding: [{ system: "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set", code: "22" }] };
    expect(line({ item: [item({ modifier: [modifier("tc"), modifier("59")], locationCodeableConcept: pos })] })).toMatchObject({ modifiers: "{TC,59}", place_of_service: "22" });
    expect(problemsOf(eob({ item: [item({ modifier: ["TC", "26", "59", "XU", "GA"].map(modifier) })] }))).toEqual([
      { path: "ExplanationOfBenefit.item[0].modifier", value: "TC;26;59;XU;GA", reason: "at most 4 modifiers" },
    ]);
  });

  it("line numbers are item.sequence, a whole number ≥ 1", () => {
    expect(lines({ item: [item({ sequence: 2 }), item({ sequence: 7 })] }).map((l) => l.line_number)).toEqual(["2", "7"]);
    expect(problemsOf(eob({ item: [item({ sequence: 0 })] }))).toEqual([
      { path: "ExplanationOfBenefit.item[0].sequence", value: "0", reason: expect.stringMatching(/whole number ≥ 1/) },
    ]);
  });

  it("the member is the patient; the EOB is about that patient", () => {
    expect(read(eob()).patientId).toBe("p1");
    expect(problemsOf(eob({ patient: { reference: "#p1" } }))).toEqual([{ path: "ExplanationOfBenefit.patient", value: "#p1", reason: expect.stringMatching(/contained/) }]);
  });
});

describe("what a reference to a resource reads", () => {
  it("an Organization its name, a Practitioner its NPI, a PractitionerRole its practitioner", () => {
    expect(read({ resourceType: "Organization", id: "o1", name: "Aetna" }).referencedValue).toBe("Aetna");
    expect(read({ resourceType: "Practitioner", id: "pr1", identifier: [{ system: "http://other", value: "x" }, { system: NPI, value: "1234567893" }] }).referencedValue).toBe("1234567893");
    expect(read({ resourceType: "PractitionerRole", id: "r1", practitioner: { reference: "Practitioner/pr1" } })).toMatchObject({ referencedValue: null, referencedVia: "Practitioner/pr1" });
    expect(read({ resourceType: "PractitionerRole", id: "r1", practitioner: { identifier: { system: NPI, value: "1234567893" } } })).toMatchObject({ referencedValue: "1234567893", referencedVia: null });
  });

  it("anything else is kept without rows, with the patient it is about", () => {
    expect(read({ resourceType: "Encounter", id: "e1", subject: { reference: "Patient/p1" } })).toEqual({ patientId: "p1", referencedValue: null, referencedVia: null, rows: null, problems: [] });
    expect(read({ resourceType: "Device", id: "d1", patient: { reference: "Patient/p2" } }).patientId).toBe("p2");
    expect(read({ resourceType: "Location", id: "l1" }).patientId).toBeNull();
  });
});
