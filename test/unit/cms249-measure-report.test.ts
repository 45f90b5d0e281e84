import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  countPopulations,
  individualMeasureReport,
  loadMeasurePackage,
  proportionSummaryReport,
  summaryMeasureReport,
  type MeasureReport,
  type PatientPopulations,
} from "@/lib/cms249";
import { CMS249_FIXTURES, loadOfficialCases } from "@/test/support/cms249-fixtures";

const POPULATION_SYSTEM = "http://terminology.hl7.org/CodeSystem/measure-population";
const period = { start: "2025-01-01", end: "2025-12-31" };
const canonical = loadMeasurePackage().canonical;

/** FHIR R4 MeasureReport (https://hl7.org/fhir/R4/measurereport.html): the elements with
 *  cardinality 1..1 and the required bindings, checked on any report. */
function expectValidR4MeasureReport(report: MeasureReport) {
  const json = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
  expect(json).toEqual(report); // nothing undefined, nothing that does not survive JSON
  expect(json.resourceType).toBe("MeasureReport");
  expect(["complete", "pending", "error"]).toContain(report.status); // MeasureReportStatus, required
  expect(["individual", "subject-list", "summary", "data-collection"]).toContain(report.type); // MeasureReportType, required
  expect(report.measure).toMatch(/^\S+$/); // canonical(Measure), 1..1
  expect(report.period.start).toMatch(/^\d{4}-\d{2}-\d{2}/); // period 1..1
  expect(report.period.end >= report.period.start).toBe(true);
  if (report.type === "individual") expect(report.subject?.reference).toMatch(/^Patient\/[A-Za-z0-9\-.]{1,64}$/);
  expect(report.improvementNotation.coding[0]!.system).toBe("http://terminology.hl7.org/CodeSystem/measure-improvement-notation");
  for (const group of report.group) {
    for (const population of group.population) {
      expect(population.code.coding[0]!.system).toBe(POPULATION_SYSTEM);
      expect(Number.isInteger(population.count) && population.count >= 0).toBe(true);
    }
    if (group.measureScore) expect(Number.isFinite(group.measureScore.value)).toBe(true);
  }
}

const countsOf = (report: MeasureReport) => Object.fromEntries(report.group[0]!.population.map((p) => [p.code.coding[0]!.code, p.count]));

describe("CMS249 MeasureReports", () => {
  const inNumerator: PatientPopulations = { initialPopulation: true, denominator: true, denominatorExclusion: false, numerator: true, numeratorExclusion: false };

  it("individual: subject, each population 0 or 1, no score, lower is better", () => {
    const report = individualMeasureReport({ measure: canonical, period, patientId: "abc-1", populations: inNumerator, date: "2026-01-15T10:00:00Z" });
    expectValidR4MeasureReport(report);
    expect(report).toMatchObject({
      status: "complete",
      type: "individual",
      measure: "https://madie.cms.gov/Measure/AppropriateDXAScansForWomenUnder65FHIR|0.2.001",
      subject: { reference: "Patient/abc-1" },
      date: "2026-01-15T10:00:00Z",
      period: { start: "2025-01-01", end: "2025-12-31" },
      improvementNotation: { coding: [{ code: "decrease" }] },
    });
    expect(countsOf(report)).toEqual({ "initial-population": 1, denominator: 1, "denominator-exclusion": 0, numerator: 1, "numerator-exclusion": 0 });
    expect(report.group[0]!.measureScore).toBeUndefined();
  });

  it("individual reports carry exactly the populations of each official case's expected MeasureReport", () => {
    for (const c of loadOfficialCases()) {
      const file = JSON.parse(readFileSync(path.join(CMS249_FIXTURES, "cases", `${c.patientId}.json`), "utf8")) as { entry: { resource: Record<string, unknown> }[] };
      const official = file.entry.map((e) => e.resource).find((r) => r.resourceType === "MeasureReport") as unknown as MeasureReport;
      const ours = individualMeasureReport({ measure: canonical, period: c.period, patientId: c.patientId, populations: c.expected });
      expectValidR4MeasureReport(ours);
      expect(ours.group[0]!.population.map((p) => [p.code.coding[0]!.system, p.code.coding[0]!.code, p.count]), c.title).toEqual(
        official.group[0]!.population.map((p) => [p.code.coding[0]!.system, p.code.coding[0]!.code, p.count]),
      );
      expect(ours.period).toEqual(official.period);
      expect(ours.measure.split("|")[0]).toBe(official.measure);
    }
  });

  it("summary: population counts and score (numerator − exclusions) ÷ (denominator − exclusions)", () => {
    const patients: PatientPopulations[] = [
      ...Array(5).fill(inNumerator), // 5 in the numerator
      { ...inNumerator, numeratorExclusion: true }, // 1 excluded from it
      ...Array(2).fill({ ...inNumerator, numerator: false, denominatorExclusion: true }), // 2 excluded from the denominator
      ...Array(2).fill({ ...inNumerator, numerator: false }), // 2 in the denominator only
      ...Array(3).fill({ initialPopulation: false, denominator: false, denominatorExclusion: false, numerator: false, numeratorExclusion: false }),
    ];
    const counts = countPopulations(patients);
    expect(counts).toEqual({ initialPopulation: 10, denominator: 10, denominatorExclusion: 2, numerator: 6, numeratorExclusion: 1 });
    const report = summaryMeasureReport({ measure: canonical, period, counts, groupId: loadMeasurePackage().groupId });
    expectValidR4MeasureReport(report);
    expect(report.type).toBe("summary");
    expect(report.subject).toBeUndefined();
    expect(report.group[0]!.id).toBe("66460da2a7a1805d3b737654");
    expect(countsOf(report)).toEqual({ "initial-population": 10, denominator: 10, "denominator-exclusion": 2, numerator: 6, "numerator-exclusion": 1 });
    expect(report.group[0]!.measureScore).toEqual({ value: 5 / 8 }); // (6 − 1) ÷ (10 − 2)
  });

  it("summary of nobody, or of everybody excluded, has no score (not available, never 0)", () => {
    const none = summaryMeasureReport({ measure: canonical, period, counts: countPopulations([]) });
    expectValidR4MeasureReport(none);
    expect(none.group[0]!.measureScore).toBeUndefined();
    const allExcluded = summaryMeasureReport({ measure: canonical, period, counts: { initialPopulation: 3, denominator: 3, denominatorExclusion: 3, numerator: 0, numeratorExclusion: 0 } });
    expect(allExcluded.group[0]!.measureScore).toBeUndefined();
  });
});

describe("summary MeasureReports of our own proportion measures", () => {
  it("denominator, numerator, score, and the measure's direction", () => {
    const report = proportionSummaryReport({ measure: "https://dxa-tracker.example/Measure/order_follow_up", period, denominator: 40, numerator: 30, improvementNotation: "increase" });
    expectValidR4MeasureReport(report);
    expect(countsOf(report)).toEqual({ "initial-population": 40, denominator: 40, numerator: 30 });
    expect(report.group[0]!.measureScore).toEqual({ value: 0.75 });
    expect(report.improvementNotation.coding[0]!.code).toBe("increase");
  });

  it("a denominator of 0 gives no score; impossible counts are refused", () => {
    const empty = proportionSummaryReport({ measure: "m", period, denominator: 0, numerator: 0, improvementNotation: "increase" });
    expect(empty.group[0]!.measureScore).toBeUndefined();
    expect(() => proportionSummaryReport({ measure: "m", period, denominator: 3, numerator: 4, improvementNotation: "increase" })).toThrow(/numerator/);
    expect(() => proportionSummaryReport({ measure: "m", period, denominator: 2.5, numerator: 1, improvementNotation: "increase" })).toThrow(/integers/);
  });
});
