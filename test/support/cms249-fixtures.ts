import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { FhirResource, MeasurementPeriod, PatientPopulations } from "@/lib/cms249";

export const CMS249_FIXTURES = path.join(process.cwd(), "test", "fixtures", "cms249");
/** The Synthea bulk export, shared with the FHIR import's tests. */
export const SYNTHEA_EXPORT = path.join(process.cwd(), "test", "fixtures", "synthea-bulk-10", "data");

export interface OfficialCase {
  /** The Patient's id (also the file name). */
  patientId: string;
  /** The case's title from INDEX.txt, e.g. "DENEXPass OsteoporosisB4MP". */
  title: string;
  /** The case's resources without its expected MeasureReport. */
  resources: FhirResource[];
  /** The populations of the expected MeasureReport (count 1 → true). */
  expected: PatientPopulations;
  period: MeasurementPeriod;
}

const POPULATION_KEYS: Record<string, keyof PatientPopulations> = {
  "initial-population": "initialPopulation",
  denominator: "denominator",
  "denominator-exclusion": "denominatorExclusion",
  numerator: "numerator",
  "numerator-exclusion": "numeratorExclusion",
};

/** The 27 official test cases, each with its expected populations read from its MeasureReport. */
export function loadOfficialCases(): OfficialCase[] {
  const dir = path.join(CMS249_FIXTURES, "cases");
  const titles = new Map(
    readFileSync(path.join(dir, "INDEX.txt"), "utf8")
      .split("\n")
      .filter((line) => line.trim())
      .map((line) => [line.slice(0, 36), line.slice(36).trim()] as const),
  );
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => {
      const bundle = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as { entry: { resource: FhirResource }[] };
      const all = bundle.entry.map((e) => e.resource);
      const report = all.find((r) => r.resourceType === "MeasureReport");
      const patient = all.find((r) => r.resourceType === "Patient");
      if (!report || !patient?.id) throw new Error(`${file}: no MeasureReport or Patient`);
      const group = (report.group as { population: { code: { coding: { code: string }[] }; count: number }[] }[])[0]!;
      const expected = {} as PatientPopulations;
      for (const population of group.population) {
        const key = POPULATION_KEYS[population.code.coding[0]!.code];
        if (!key) throw new Error(`${file}: unknown population ${population.code.coding[0]!.code}`);
        if (population.count !== 0 && population.count !== 1) throw new Error(`${file}: count ${population.count}`);
        expected[key] = population.count === 1;
      }
      if (Object.keys(expected).length !== 5) throw new Error(`${file}: expected five populations`);
      const period = report.period as MeasurementPeriod;
      return {
        patientId: patient.id,
        title: titles.get(patient.id) ?? "",
        resources: all.filter((r) => r.resourceType !== "MeasureReport"),
        expected,
        period: { start: period.start, end: period.end },
      };
    });
}

/** Every resource of the Synthea bulk export (13 patients), as its NDJSON files hold them. */
export function loadSyntheaExport(): FhirResource[] {
  const dir = SYNTHEA_EXPORT;
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ndjson"))
    .sort()
    .flatMap((file) =>
      readFileSync(path.join(dir, file), "utf8")
        .split("\n")
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as FhirResource),
    );
}

/** A copy of a case's resources under new ids: the patient's id and every resource id get
 *  `suffix`, and references follow. For volume (speed, workers, cache) tests. */
export function replicateCase(resources: readonly FhirResource[], suffix: string): FhirResource[] {
  const ids = new Set(resources.map((r) => r.id).filter((id): id is string => typeof id === "string"));
  let text = JSON.stringify(resources);
  for (const id of ids) text = text.split(`"${id}"`).join(`"${id}-${suffix}"`).split(`/${id}"`).join(`/${id}-${suffix}"`);
  return JSON.parse(text) as FhirResource[];
}

/** A patient whose only record is a finished telephone visit (SNOMED 185317003, value set
 *  "Telephone Visits", as in the official case "IPPass 50FemaleWithQualEnc") at noon on `visitDate`:
 *  in the initial population exactly when her sex and age qualify. */
export function patientWithQualifyingVisit(id: string, patient: { gender?: unknown; birthDate?: unknown }, visitDate: string): FhirResource[] {
  return [
    { resourceType: "Patient", id, ...patient },
    {
      resourceType: "Encounter",
      id: `${id}-visit`,
      status: "finished",
      class: { system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "AMB" },
      type: [{ coding: [{ system: "http://snomed.info/sct", code: "185317003" }] }],
      subject: { reference: `Patient/${id}` },
      period: { start: `${visitDate}T12:00:00.000Z`, end: `${visitDate}T12:15:00.000Z` },
    },
  ];
}
