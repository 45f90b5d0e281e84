import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildPatientBundle,
  evaluatePatients,
  mayBeInInitialPopulation,
  mayBeInInitialPopulationSql,
  type FhirResource,
  type MeasurementPeriod,
  type PatientResult,
} from "@/lib/cms249";
import { loadOfficialCases, patientWithQualifyingVisit } from "@/test/support/cms249-fixtures";

/*
 * The prefilter must never drop a patient the engine puts in the initial population. Checked
 * against the engine itself: patients who differ only in sex and birth date, each with a
 * qualifying visit inside the period, birth dates on and around both age boundaries (and
 * 29 February), partial dates, several period starts; then random ones (fast-check).
 */

interface Variant {
  id: string;
  patient: FhirResource;
  resources: FhirResource[];
  period: MeasurementPeriod;
}

const day = (date: string, days: number) => new Date(Date.UTC(+date.slice(0, 4), +date.slice(5, 7) - 1, +date.slice(8, 10) + days)).toISOString().slice(0, 10);
const yearsBefore = (date: string, years: number) => `${String(+date.slice(0, 4) - years).padStart(4, "0")}${date.slice(4)}`;
const oneYear = (start: string): MeasurementPeriod => ({ start, end: day(`${+start.slice(0, 4) + 1}${start.slice(4)}`, -1) });

let serial = 0;
function variant(period: MeasurementPeriod, patient: { gender?: unknown; birthDate?: unknown }): Variant {
  const id = `v${++serial}`;
  const resources = patientWithQualifyingVisit(id, patient, period.start);
  return { id, patient: resources[0]!, resources, period };
}

async function initialPopulationByEngine(variants: Variant[]): Promise<Map<string, boolean>> {
  const byPeriod = new Map<string, Variant[]>();
  for (const v of variants) byPeriod.set(`${v.period.start} ${v.period.end}`, [...(byPeriod.get(`${v.period.start} ${v.period.end}`) ?? []), v]);
  const result = new Map<string, boolean>();
  for (const group of byPeriod.values()) {
    const results: PatientResult[] = await evaluatePatients(
      group.map((v) => buildPatientBundle(v.resources)),
      group[0]!.period,
    );
    for (const r of results) {
      if ("error" in r) throw new Error(`${r.patientId}: ${r.error}`);
      result.set(r.patientId, r.populations.initialPopulation);
    }
  }
  return result;
}

const PERIOD_STARTS = ["2025-01-01", "2024-02-29", "2024-03-01", "2023-02-28", "2023-03-01", "2025-07-15"];

function boundaryVariants(): Variant[] {
  const variants: Variant[] = [];
  for (const start of PERIOD_STARTS) {
    const period = oneYear(start);
    const youngest = yearsBefore(start, 50); // turns 50 on the period start (may not be a real day: 29 February)
    const oldest = yearsBefore(start, 64); // turns 64 on the period start
    const anchors = [youngest, oldest].map((d) => (d.endsWith("02-29") ? `${d.slice(0, 4)}-02-28` : d));
    for (const anchor of anchors) for (let offset = -4; offset <= 4; offset++) variants.push(variant(period, { gender: "female", birthDate: day(anchor, offset) }));
    for (const anchor of anchors) {
      variants.push(variant(period, { gender: "female", birthDate: anchor.slice(0, 4) }));
      variants.push(variant(period, { gender: "female", birthDate: anchor.slice(0, 7) }));
      variants.push(variant(period, { gender: "female", birthDate: day(anchor, -40).slice(0, 7) }));
      variants.push(variant(period, { gender: "female", birthDate: day(anchor, 40).slice(0, 7) }));
    }
    for (const leap of ["1960-02-29", "1964-02-29", "1972-02-29", "1976-02-29"]) variants.push(variant(period, { gender: "female", birthDate: leap }));
    for (const gender of ["male", "other", "unknown", "Female", undefined]) variants.push(variant(period, { gender, birthDate: yearsBefore(start, 55) }));
    variants.push(variant(period, { gender: "female" }));
  }
  return variants;
}

describe("the prefilter never drops a patient of the engine's initial population", () => {
  it("around every age boundary, for six period starts, with partial dates, leap days and every sex", async () => {
    const variants = boundaryVariants();
    const engine = await initialPopulationByEngine(variants);
    const dropped = variants.filter((v) => !mayBeInInitialPopulation(v.patient, v.period));
    const wronglyDropped = dropped.filter((v) => engine.get(v.id)).map((v) => `${v.period.start} ${JSON.stringify(v.patient)}`);
    expect(wronglyDropped).toEqual([]);
    // Not vacuous: the engine counts some and not others on both sides of each boundary, and
    // the filter drops most of those it does not count.
    const counted = variants.filter((v) => engine.get(v.id)).length;
    expect(counted).toBeGreaterThan(60);
    expect(variants.length - counted).toBeGreaterThan(60);
    expect(dropped.length).toBeGreaterThan((variants.length - counted) * 0.6);
    // The exact window, per the engine: 50 on the period start is in, the day after 64 is out.
    const at = (start: string, birthDate: string) => variants.find((v) => v.period.start === start && v.patient.birthDate === birthDate)!;
    expect(engine.get(at("2025-01-01", "1975-01-01").id)).toBe(true);
    expect(engine.get(at("2025-01-01", "1975-01-02").id)).toBe(false);
    expect(engine.get(at("2025-01-01", "1961-01-02").id)).toBe(true);
    expect(engine.get(at("2025-01-01", "1961-01-01").id)).toBe(false);
  });

  it("for random birth dates near the boundaries and random sexes (fast-check)", async () => {
    // Period starts from 25 dates (each period is one engine call), birth dates anywhere within
    // about two years of either boundary.
    const sample = fc.sample(
      fc.record({
        year: fc.constantFrom(2001, 2004, 2019, 2024, 2031),
        monthDay: fc.constantFrom("01-01", "02-28", "03-01", "07-15", "12-31"),
        boundary: fc.constantFrom(50, 64),
        offset: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer({ min: -800, max: 800 })),
        gender: fc.constantFrom("female", "female", "female", "male", "other", "unknown"),
      }),
      { numRuns: 200, seed: 249 },
    );
    const variants = sample.map(({ year, monthDay, boundary, offset, gender }) => {
      const start = `${year}-${monthDay}`;
      return variant(oneYear(start), { gender, birthDate: day(yearsBefore(start, boundary), offset) });
    });
    const engine = await initialPopulationByEngine(variants);
    const wronglyDropped = variants.filter((v) => engine.get(v.id) && !mayBeInInitialPopulation(v.patient, v.period));
    expect(wronglyDropped.map((v) => `${v.period.start} ${JSON.stringify(v.patient)}`)).toEqual([]);
    expect(variants.filter((v) => engine.get(v.id)).length).toBeGreaterThan(10);
  });

  it("keeps every official case whose expected MeasureReport has her in the initial population", () => {
    const cases = loadOfficialCases();
    const inPopulation = cases.filter((c) => c.expected.initialPopulation);
    expect(inPopulation.length).toBeGreaterThan(20);
    for (const c of inPopulation) expect(mayBeInInitialPopulation(c.resources.find((r) => r.resourceType === "Patient")!, c.period), c.title).toBe(true);
  });
});

describe("the prefilter as SQL gives the same answer as the function", () => {
  let pg: PGlite;
  beforeAll(async () => {
    pg = new PGlite();
    await pg.exec("CREATE TABLE patients (id text PRIMARY KEY, resource jsonb NOT NULL)");
  });
  afterAll(async () => {
    await pg.close();
  });

  it("over the boundary variants and odd values, for every period start", async () => {
    const patients = boundaryVariants().map((v) => v.patient);
    const odd = [{ birthDate: "" }, { birthDate: "1970-06-01T00:00:00Z" }, { birthDate: 1970 }, { birthDate: null }, { gender: null, birthDate: "1970-01-01" }, { gender: "female", birthDate: "1970-01-01" }];
    odd.forEach((o, i) => patients.push({ resourceType: "Patient", id: `odd${i}`, gender: "female", ...o }));
    for (const p of patients) await pg.query("INSERT INTO patients VALUES ($1, $2)", [p.id, JSON.stringify(p)]);
    const dialect = new PgDialect();
    for (const start of PERIOD_STARTS) {
      const period = oneYear(start);
      const query = dialect.sqlToQuery(sql`SELECT id FROM patients WHERE ${mayBeInInitialPopulationSql(sql.raw("resource"), period)} ORDER BY id`);
      const rows = await pg.query<{ id: string }>(query.sql, query.params);
      const expected = patients.filter((p) => mayBeInInitialPopulation(p, period)).map((p) => p.id!).sort();
      expect(rows.rows.map((r) => r.id).sort(), start).toEqual(expected);
      expect(expected.length).toBeGreaterThan(20);
    }
  });
});
