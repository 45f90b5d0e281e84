import { describe, expect, it } from "vitest";
import { BMI_PROFILE, buildPatientBundle, conformingProfiles, isBmiObservation, loadMeasurePackage, tagWithProfiles, type FhirResource } from "@/lib/cms249";
import { assertProfilesCovered } from "@/lib/cms249/profiles";
import { isRetrievable } from "@/lib/cms249/requirements";

const QICORE = "http://hl7.org/fhir/us/qicore/StructureDefinition/";
const US_CORE_BMI = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-bmi";
const subject = { reference: "Patient/p1" };
const vitalSigns = [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "vital-signs" }] }];
const survey = [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "survey" }] }];
const bmiCode = { coding: [{ system: "http://loinc.org", code: "39156-5", display: "Body mass index (BMI) [Ratio]" }] };
const kgm2 = (value: number) => ({ value, unit: "kg/m2", system: "http://unitsofmeasure.org", code: "kg/m2" });

/** A BMI as US Core exporters (Synthea among them) write it. */
const bmi = (overrides: Partial<FhirResource> = {}): FhirResource => ({
  resourceType: "Observation",
  id: "bmi1",
  meta: { profile: [US_CORE_BMI] },
  status: "final",
  category: vitalSigns,
  code: bmiCode,
  subject,
  effectiveDateTime: "2025-03-01T10:00:00Z",
  valueQuantity: kgm2(19.5),
  ...overrides,
});

describe("QI-Core profile tagging", () => {
  it.each([
    ["Patient", "qicore-patient"],
    ["Encounter", "qicore-encounter"],
    ["Condition", "qicore-condition"],
    ["Procedure", "qicore-procedure"],
    ["ServiceRequest", "qicore-servicerequest"],
    ["MedicationRequest", "qicore-medicationrequest"],
    ["Medication", "qicore-medication"],
    ["Coverage", "qicore-coverage"],
  ])("every %s gets %s, whatever its codes (the profile fixes none)", (resourceType, profile) => {
    expect(conformingProfiles({ resourceType, id: "x", subject })).toEqual([QICORE + profile]);
    expect(conformingProfiles({ resourceType, id: "y", subject, code: { coding: [{ system: "http://example.org/local", code: "z" }] } })).toEqual([QICORE + profile]);
  });

  it("a vital-signs BMI in kg/m2 is a QI-Core observation and the FHIR BMI profile", () => {
    expect(conformingProfiles(bmi())).toEqual([QICORE + "qicore-observation", BMI_PROFILE]);
    expect(isBmiObservation(bmi({ effectiveDateTime: undefined, effectivePeriod: { start: "2025-03-01" } }))).toBe(true);
  });

  it("a BMI with no value but a data-absent reason is still a BMI (vs-2)", () => {
    expect(isBmiObservation(bmi({ valueQuantity: undefined, dataAbsentReason: { text: "refused" } }))).toBe(true);
    expect(isBmiObservation(bmi({ valueQuantity: undefined }))).toBe(false);
  });

  it("an ORAI score (survey, an integer) is a QI-Core observation and NOT a BMI", () => {
    const orai: FhirResource = {
      resourceType: "Observation",
      id: "orai",
      status: "final",
      category: survey,
      code: { coding: [{ system: "http://loinc.org", code: "98139-9" }] },
      subject,
      effectiveDateTime: "2025-01-01",
      valueInteger: 9,
    };
    expect(conformingProfiles(orai)).toEqual([QICORE + "qicore-observation"]);
  });

  it.each([
    ["not in the vital-signs category", { category: survey }],
    ["without the LOINC BMI code", { code: { coding: [{ system: "http://loinc.org", code: "8867-4" }] } }],
    ["the BMI code in another system", { code: { coding: [{ system: "http://snomed.info/sct", code: "39156-5" }] } }],
    ["in lb/in2", { valueQuantity: { value: 0.03, unit: "lb/in2", system: "http://unitsofmeasure.org", code: "[lb_av]/[in_i]2" } }],
    ["kg/m2 without the UCUM system", { valueQuantity: { value: 19, unit: "kg/m2", code: "kg/m2" } }],
    ["a value that is not a Quantity", { valueQuantity: undefined, valueString: "19.5" }],
    ["no effective time", { effectiveDateTime: undefined }],
  ])("a BMI-like observation %s does NOT get the BMI profile", (_what, overrides) => {
    const observation = bmi(overrides as Partial<FhirResource>);
    expect(isBmiObservation(observation)).toBe(false);
    expect(conformingProfiles(observation)).toEqual([QICORE + "qicore-observation"]);
  });

  it.each(["Immunization", "Device", "ExplanationOfBenefit", "Organization"])("a %s gets no profile (the measure reads none)", (resourceType) => {
    expect(conformingProfiles({ resourceType, id: "x", patient: subject })).toEqual([]);
  });

  it("keeps the tags a resource came with, adds each computed one once, and leaves the input alone", () => {
    const original = bmi();
    const tagged = tagWithProfiles(original);
    expect(tagged.meta?.profile).toEqual([US_CORE_BMI, QICORE + "qicore-observation", BMI_PROFILE]);
    expect(original.meta?.profile).toEqual([US_CORE_BMI]);
    expect(tagWithProfiles(tagged)).toBe(tagged);
    const twice = tagWithProfiles(bmi({ meta: { profile: [US_CORE_BMI, US_CORE_BMI], versionId: "3" } }));
    expect(twice.meta).toEqual({ profile: [US_CORE_BMI, US_CORE_BMI, QICORE + "qicore-observation", BMI_PROFILE], versionId: "3" });
    const untagged = tagWithProfiles({ resourceType: "Condition", id: "c" });
    expect(untagged.meta).toEqual({ profile: [QICORE + "qicore-condition"] });
  });

  it("covers every profile CMS249 retrieves, and refuses a package retrieving one it does not know", () => {
    expect(() => assertProfilesCovered(loadMeasurePackage().retrievedProfiles)).not.toThrow();
    const qicore6 = new Map([["Condition", new Set([QICORE + "qicore-condition-encounter-diagnosis"])]]);
    expect(() => assertProfilesCovered(qicore6)).toThrow(/no tagging rule.*qicore-condition-encounter-diagnosis/);
    expect(() => assertProfilesCovered(new Map([["Observation", new Set(["http://hl7.org/fhir/StructureDefinition/Observation"])]]))).not.toThrow();
  });
});

describe("what the measure's retrieves can return (bundle pruning)", () => {
  const pkg = loadMeasurePackage();
  const condition = (code: unknown): FhirResource => tagWithProfiles({ resourceType: "Condition", id: "c", subject, code });
  const snomed = (code: string) => ({ coding: [{ system: "http://snomed.info/sct", code }] });

  it("reads each retrieve's filter from the ELM: 23 Condition retrieves, all by value set; Encounter also unfiltered", () => {
    const conditions = pkg.retrieves.filter((r) => r.resourceType === "Condition");
    expect(conditions).toHaveLength(23);
    expect(conditions.every((r) => r.codeProperty === "code" && r.codes && r.codes.size > 0)).toBe(true);
    expect(pkg.retrieves.some((r) => r.resourceType === "Encounter" && r.codes === undefined)).toBe(true);
    const orai = pkg.retrieves.find((r) => r.resourceType === "Observation" && r.codes?.has("http://loinc.org|98139-9"));
    expect(orai?.codes?.size).toBe(1);
  });

  it("keeps a condition in one of CMS249's value sets and drops one in none", () => {
    expect(isRetrievable(condition(snomed("46177005")), pkg.retrieves)).toBe(true); // end-stage renal disease
    expect(isRetrievable(condition(snomed("44054006")), pkg.retrieves)).toBe(false); // type 2 diabetes
    expect(isRetrievable(condition({ coding: [{ system: "http://snomed.info/sct", code: "44054006" }, { system: "http://snomed.info/sct", code: "46177005" }] }), pkg.retrieves)).toBe(true);
    expect(isRetrievable(condition({ text: "renal failure" }), pkg.retrieves)).toBe(false); // no coding: nothing can match
    expect(isRetrievable(condition(undefined), pkg.retrieves)).toBe(false);
  });

  it("keeps what it cannot judge: a code that is not a CodeableConcept", () => {
    expect(isRetrievable(condition("46177005"), pkg.retrieves)).toBe(true);
    expect(isRetrievable(condition({ coding: [{ system: "http://snomed.info/sct", code: 46177005 }] }), pkg.retrieves)).toBe(true);
  });

  it("keeps every encounter and medication request (retrieved unfiltered too) and a BMI by its profile", () => {
    expect(isRetrievable(tagWithProfiles({ resourceType: "Encounter", id: "e", subject, type: [snomed("1")] }), pkg.retrieves)).toBe(true);
    expect(isRetrievable(tagWithProfiles({ resourceType: "MedicationRequest", id: "m", subject, medicationCodeableConcept: snomed("1") }), pkg.retrieves)).toBe(true);
    expect(isRetrievable(tagWithProfiles(bmi()), pkg.retrieves)).toBe(true);
    expect(isRetrievable(tagWithProfiles(bmi({ category: survey })), pkg.retrieves)).toBe(false);
  });

  it("a patient bundle holds the Patient and the retrievable resources only, tagged", () => {
    const bundle = buildPatientBundle(
      [
        { resourceType: "Patient", id: "p1", gender: "female", birthDate: "1970-01-01" },
        condition(snomed("46177005")),
        { ...condition(snomed("44054006")), id: "c2" },
        { resourceType: "Immunization", id: "i", patient: subject },
      ],
      pkg,
    );
    expect(bundle.entry.map((e) => `${e.resource.resourceType}/${e.resource.id} ${e.resource.meta?.profile?.join(" ")}`)).toEqual([
      `Patient/p1 ${QICORE}qicore-patient`,
      `Condition/c ${QICORE}qicore-condition`,
    ]);
  });
});
