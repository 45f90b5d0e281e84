import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importFolder, type ImportResult } from "@/lib/import";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";

// A real FHIR R4 bulk export (test/fixtures/synthea-bulk-10, CC0: 13 Synthea patients, 5,945
// resources, US Core profiles, conditional references such as
// `Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|…`) imports without a problem and is
// kept whole. It has no Coverage, ServiceRequest or ExplanationOfBenefit: its patients become
// members, and nothing else becomes a row of section 3.

const DATA = path.resolve(import.meta.dirname, "../fixtures/synthea-bulk-10/data");

// Resources per type, counted from the files (one resource a line: `wc -l`).
const PER_TYPE = {
  AllergyIntolerance: 11,
  Condition: 555,
  Device: 16,
  Encounter: 1215,
  Immunization: 161,
  Location: 44,
  MedicationRequest: 1745,
  Organization: 43,
  Patient: 13,
  Practitioner: 43,
  PractitionerRole: 43,
  Procedure: 2056,
};

// The 13 patients' birthDate and gender, read off Patient.000.ndjson.
const MEMBERS = [
  ["129c6ac7-8d06-89de-ad63-0204a93e76c3", "1927-05-21", "F"],
  ["3af3708d-41f1-cd80-f3dd-ec5ac76072bf", "1960-04-13", "M"],
  ["63ee2253-bdd5-da55-2ad2-b4984d0ad700", "2011-03-23", "M"],
  ["6a4160eb-a793-2f86-2302-378626f46cce", "1963-07-15", "F"],
  ["79a66c97-6131-3213-f3c9-4606946ab056", "1927-05-21", "F"],
  ["7bc002fa-dc52-17d6-1563-fd8901826f7d", "1978-05-12", "F"],
  ["8e1a0a7c-e308-444b-075a-3c2b1f60f881", "1960-04-13", "M"],
  ["a4a401d1-a46a-eb4a-8a38-760d5d79d6ec", "1981-11-03", "F"],
  ["a5cb8ce9-cec6-6b23-0990-cbaf753578a4", "1927-05-21", "F"],
  ["bb6a9034-2f23-2508-d29d-35efee156dc9", "2007-07-11", "F"],
  ["ca15b832-01e4-41dd-6a52-97bd3e5510cb", "1986-11-19", "F"],
  ["cbc86e51-9eca-3855-76ec-c058f72c5761", "1995-12-30", "M"],
  ["fb7c882a-f897-e7c5-67e0-825e7fd55d15", "2002-07-30", "F"],
].map(([member_id, birth_date, sex]) => ({ member_id, birth_date, sex }));

describe.each(ENGINES)("the Synthea bulk export on %s", (engine) => {
  let db: TestDatabase;
  let first: ImportResult;

  beforeAll(async () => {
    db = await freshDatabase(engine);
    first = await importFolder(db, DATA, { importedBy: "test" });
  });
  afterAll(() => db?.dispose());

  it("imports without a problem or warning", () => {
    expect(first.problems).toEqual([]);
    expect(first.warnings).toEqual([]);
    expect(first.ok).toBe(true);
    expect(first.files.map((f) => [f.file.split(".")[0], f.rows, f.new])).toEqual(Object.entries(PER_TYPE).map(([type, n]) => [type, n, n]));
  });

  it("keeps every resource, each exactly as it came", async () => {
    const perType = await db.query<{ resource_type: string; n: number }>(
      `SELECT resource_type, count(*)::int AS n FROM fhir_resources GROUP BY resource_type ORDER BY resource_type`,
    );
    expect(Object.fromEntries(perType.map((r) => [r.resource_type, r.n]))).toEqual(PER_TYPE);
    const stored = new Map(
      (await db.query<{ key: string; resource: unknown }>(`SELECT resource_type || '/' || id AS key, resource FROM fhir_resources`)).map((r) => [r.key, r.resource]),
    );
    let compared = 0;
    for (const file of readdirSync(DATA).filter((f) => f.endsWith(".ndjson"))) {
      for (const line of readFileSync(path.join(DATA, file), "utf8").split("\n")) {
        if (line === "") continue;
        const resource = JSON.parse(line) as { resourceType: string; id: string };
        expect(stored.get(`${resource.resourceType}/${resource.id}`), `${file} ${resource.id}`).toEqual(resource);
        compared++;
      }
    }
    expect(compared).toBe(5945);
  });

  it("its 13 patients become members; nothing else becomes a row of section 3", async () => {
    expect(await db.query(`SELECT member_id, birth_date::text, sex::text FROM members ORDER BY member_id`)).toEqual(MEMBERS);
    expect(first.mapped).toEqual([{ table: "members", rows: 13, new: 13, changed: 0, unchanged: 0 }]);
    expect(
      await db.query(
        `SELECT (SELECT count(*) FROM plans)::int AS plans, (SELECT count(*) FROM coverage)::int AS coverage,
                (SELECT count(*) FROM ehr_orders)::int AS orders, (SELECT count(*) FROM claim_lines)::int AS lines`,
      ),
    ).toEqual([{ plans: 0, coverage: 0, orders: 0, lines: 0 }]);
  });

  it("every resource about a patient is found by that patient", async () => {
    const [row] = await db.query<{ with_patient: number; patients: number }>(
      `SELECT count(*) FILTER (WHERE patient_id IS NOT NULL)::int AS with_patient, count(DISTINCT patient_id)::int AS patients FROM fhir_resources`,
    );
    // Everything but Location, Organization, Practitioner and PractitionerRole is about a patient.
    expect(row).toEqual({ with_patient: 5945 - 44 - 43 - 43 - 43, patients: 13 });
  });

  it("a second import of the same export changes nothing", async () => {
    const before = await db.query(`SELECT resource_type, id, import_batch_id FROM fhir_resources ORDER BY resource_type, id`);
    const again = await importFolder(db, DATA, { importedBy: "test" });
    expect(again.problems).toEqual([]);
    expect(again.files.every((f) => f.new === 0 && f.changed === 0 && f.unchanged === f.rows)).toBe(true);
    expect(await db.query(`SELECT resource_type, id, import_batch_id FROM fhir_resources ORDER BY resource_type, id`)).toEqual(before);
  });
});
