import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sql } from "@/db/client";
import { convertCsvFolderToNdjson } from "@/lib/bench/fhir-convert";
import { generateDataset } from "@/lib/generate";
import { importFolder } from "@/lib/import";
import { resolveSnapshot, type GroupBy, type MeasureKey } from "@/lib/measures";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { writePublicDeckBundles, writePublicDeckNdjson } from "../support/public-deck-fhir";
import { compute, QUALITY_OFFICER } from "../support/viewers";

// SPEC 3b: "A FHIR import and a CSV import of the same facts give the same warehouse and the
// same numbers." The public deck (test/fixtures/public-deck) is imported three times, each
// into a database of its own: as its CSV files, as a bulk NDJSON export, and as two Bundles
// (test/support/public-deck-fhir.ts writes them). Every warehouse table, every derived fact and
// every measure row must agree, and the measures must equal the deck's expected.json.
//
// One value has no FHIR source: an order's indication (SPEC 3b: "indication empty"). It is
// compared apart: empty on the FHIR side.

const DECK = path.resolve(import.meta.dirname, "../fixtures/public-deck");
type Counts = { denominator: number; numerator: number; pending: number };
type DeckCase = {
  as_of: string;
  params: { from: string; to: string; window: 30 | 60 | 90 | 180; asOf?: string };
  expected: Record<string, Record<string, Counts>>;
};
const cases = JSON.parse(readFileSync(path.join(DECK, "expected.json"), "utf8")) as DeckCase[];

// Warehouse tables, then derived facts; provenance (which import, which line) differs by design.
const TABLES = ["payers", "plans", "members", "coverage", "ehr_orders", "claim_lines"];
const DERIVED = ["derived_snapshots", "effective_lines", "dxa_studies", "order_facts", "fracture_episodes", "order_days", "episode_days", "claims_lag"];
const NOT_COMPARED = new Set(["import_batch_id", "source_line", "indication", "built_at"]);

/** A table's rows without provenance, in a fixed order (every column compared). */
async function tableValues(sql: Sql, table: string): Promise<unknown[]> {
  const columns = await sql.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  const compared = columns.map((c) => `"${c.name}"`).filter((c) => !NOT_COMPARED.has(c.slice(1, -1)));
  expect(compared.length, table).toBeGreaterThan(0);
  return sql.query(`SELECT ${compared.join(", ")} FROM ${table} ORDER BY ${compared.map((c) => `${c}::text`).join(", ")}`);
}

type Source = "csv" | "ndjson" | "bundles";
const FHIR_SOURCES = ["ndjson", "bundles"] as const;

describe.each(ENGINES)("the public deck imported as CSV, as bulk NDJSON and as Bundles, on %s", (engine) => {
  const dbs = {} as Record<Source, TestDatabase>;
  const folders: string[] = [];

  beforeAll(async () => {
    const ndjsonFolder = mkdtempSync(path.join(tmpdir(), "dxa-deck-ndjson-"));
    const bundleFolder = mkdtempSync(path.join(tmpdir(), "dxa-deck-bundles-"));
    folders.push(ndjsonFolder, bundleFolder);
    writePublicDeckNdjson(path.join(DECK, "data"), ndjsonFolder);
    writePublicDeckBundles(path.join(DECK, "data"), bundleFolder);
    const sources: Record<Source, string> = { csv: path.join(DECK, "data"), ndjson: ndjsonFolder, bundles: bundleFolder };
    for (const [source, folder] of Object.entries(sources) as [Source, string][]) {
      dbs[source] = await freshDatabase(engine);
      const result = await importFolder(dbs[source], folder, { importedBy: "test" });
      expect(result.problems, source).toEqual([]);
    }
  });
  afterAll(async () => {
    for (const db of Object.values(dbs)) await db?.dispose();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  it("the FHIR imports hold what the deck holds (not two empty warehouses)", async () => {
    const counts = await dbs.ndjson.query(
      `SELECT (SELECT count(*) FROM members)::int AS members, (SELECT count(*) FROM claim_lines)::int AS lines, (SELECT count(*) FROM ehr_orders)::int AS orders`,
    );
    expect(counts).toEqual([{ members: 400, lines: 627, orders: 167 }]);
  });

  it.each(FHIR_SOURCES)("%s: every warehouse table holds the same values", async (source) => {
    for (const table of TABLES) expect(await tableValues(dbs[source], table), table).toEqual(await tableValues(dbs.csv, table));
  });

  it.each(FHIR_SOURCES)("%s: every derived fact is the same", async (source) => {
    for (const table of DERIVED) expect(await tableValues(dbs[source], table), table).toEqual(await tableValues(dbs.csv, table));
  });

  it.each(FHIR_SOURCES)("%s: orders have no indication (it has no FHIR source), as many as the deck's", async (source) => {
    expect(await dbs[source].query(`SELECT count(*)::int AS n, count(indication)::int AS with_indication FROM ehr_orders`)).toEqual([
      { n: 167, with_indication: 0 },
    ]);
  });

  describe.each(cases.map((c, i) => [i + 1, c] as const))("parameter set %i", (_n, deckCase) => {
    it.each(Object.keys(deckCase.expected))("%s: every row by payer, plan, product line and month is the same, and equals expected.json", async (measure) => {
      const { from, to, window } = deckCase.params;
      for (const groupBy of ["payer", "plan", "product_line", "month"] as GroupBy[]) {
        const rows: Partial<Record<Source, unknown>> = {};
        for (const source of ["csv", ...FHIR_SOURCES] as Source[]) {
          const asOf = await resolveSnapshot(dbs[source], deckCase.params.asOf);
          expect(asOf, source).toBe(deckCase.as_of);
          const result = await compute(dbs[source], QUALITY_OFFICER, { measure: measure as MeasureKey, from, to, window, asOf: asOf!, groupBy });
          rows[source] = { rows: result.rows, total: result.total };
          if (groupBy === "payer") {
            const actual: Record<string, Counts> = {};
            for (const r of result.rows) {
              if (r.denominator + r.numerator + r.pending === 0) continue;
              actual[r.payerName!] = { denominator: r.denominator, numerator: r.numerator, pending: r.pending };
            }
            actual.All = { denominator: result.total.denominator, numerator: result.total.numerator, pending: result.total.pending };
            expect(actual, `${source} by payer`).toEqual(deckCase.expected[measure]);
          }
        }
        expect(rows.ndjson, `ndjson by ${groupBy}`).toEqual(rows.csv);
        expect(rows.bundles, `bundles by ${groupBy}`).toEqual(rows.csv);
      }
    });
  });
});

// The benchmark's converter (lib/bench/fhir-convert.ts) writes a generated data set as FHIR: its
// FHIR and CSV imports must hold the same facts too, or the benchmark would time different work.
describe.each(ENGINES)("a generated data set and the benchmark's FHIR of it, on %s", (engine) => {
  const dbs = {} as Record<"csv" | "ndjson", TestDatabase>;
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(path.join(tmpdir(), "dxa-generated-fhir-"));
    await generateDataset({ members: 300, seed: 11, outDir: path.join(folder, "csv") });
    await convertCsvFolderToNdjson(path.join(folder, "csv"), path.join(folder, "ndjson"));
    for (const source of ["csv", "ndjson"] as const) {
      dbs[source] = await freshDatabase(engine);
      const result = await importFolder(dbs[source], path.join(folder, source), { importedBy: "test" });
      expect(result.problems, source).toEqual([]);
    }
  });
  afterAll(async () => {
    for (const db of Object.values(dbs)) await db?.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it("every warehouse table and derived fact holds the same values", async () => {
    const [counts] = await dbs.csv.query<{ members: number; lines: number }>(
      `SELECT (SELECT count(*) FROM members)::int AS members, (SELECT count(*) FROM claim_lines)::int AS lines`,
    );
    expect(counts!.members).toBe(300);
    expect(counts!.lines).toBeGreaterThan(300);
    for (const table of [...TABLES, ...DERIVED]) expect(await tableValues(dbs.ndjson, table), table).toEqual(await tableValues(dbs.csv, table));
  });
});
