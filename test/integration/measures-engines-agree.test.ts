import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CMS249_KEY } from "@/lib/cms249";
import { generateDataset } from "@/lib/generate";
import { importFolder } from "@/lib/import";
import {
  GROUP_BYS,
  groupByApplies,
  MEASURE_KEYS,
  resolveSnapshot,
  type FollowUpWindow,
  type MeasureKey,
  type MeasureQuery,
  type MeasureResult,
} from "@/lib/measures";
import { freshDatabase, type TestDatabase } from "../support/databases";
import { compute, QUALITY_OFFICER } from "../support/viewers";

// The embedded database (PGlite) and PostgreSQL must give the same figures: the same generated
// data set of 20,000 members imported into both, then every row of every measure, for every
// breakdown, windows 30 and 90, a 12-month period at the data's as-of date and another at an
// earlier as-of date, compared whole (counts, rates, intervals, flags, row order).

const MEMBERS = 20_000;
const SEED = 7;
const WINDOWS: FollowUpWindow[] = [30, 90];
// The generator's data end on 2026-06-30 (its fixed default), so that is the data's as-of date.
const DATA_AS_OF = "2026-06-30";
const EARLIER_AS_OF = "2025-12-15";
// The 12 calendar months ending with the last complete month before each as-of date.
const SNAPSHOTS = [
  { requested: undefined, asOf: DATA_AS_OF, from: "2025-06-01", to: "2026-05-31" },
  { requested: EARLIER_AS_OF, asOf: EARLIER_AS_OF, from: "2024-12-01", to: "2025-11-30" },
] as const;

const TITLE = `every measure row is identical on PGlite and PostgreSQL (${MEMBERS} generated members, seed ${SEED})`;
const hasPostgres = Boolean(process.env.DATABASE_URL);
const suite = hasPostgres ? describe : describe.skip;

suite(hasPostgres ? TITLE : `${TITLE}: skipped, DATABASE_URL is not set so there is no PostgreSQL to compare with`, () => {
  let folder: string;
  let pglite: TestDatabase;
  let postgres: TestDatabase;

  beforeAll(async () => {
    folder = mkdtempSync(path.join(tmpdir(), "dxa-agree-"));
    await generateDataset({ members: MEMBERS, seed: SEED, outDir: folder });
    [pglite, postgres] = await Promise.all([freshDatabase("pglite"), freshDatabase("postgres")]);
    const results = await Promise.all([pglite, postgres].map((db) => importFolder(db, folder, { importedBy: "test" })));
    for (const result of results) expect(result.problems).toEqual([]);
    for (const db of [pglite, postgres]) {
      for (const snapshot of SNAPSHOTS) expect(await resolveSnapshot(db, snapshot.requested)).toBe(snapshot.asOf);
    }
  });
  afterAll(async () => {
    await Promise.all([pglite?.dispose(), postgres?.dispose()]);
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  // In GROUP_BYS order (payer, plan, product_line, month): month last, as screening_ordering by
  // month runs one query per rolling 12 months.
  const queries = (measure: MeasureKey): MeasureQuery[] =>
    GROUP_BYS.filter((groupBy) => groupByApplies(measure, groupBy)).flatMap((groupBy) =>
      SNAPSHOTS.flatMap(({ asOf, from, to }) => WINDOWS.map((window) => ({ measure, from, to, window, asOf, groupBy }))),
    );

  // The whole file is meant to run in about a minute. A measure whose comparisons take longer
  // than this budget stops and fails with the count of comparisons done, rather than hanging
  // the file: abandoned queries would keep the engines busy for the tests after it.
  const BUDGET_MS = 40_000;

  // CMS249 counts what FHIR resources say, and this data set is CSV only: its agreement between
  // the engines is checked on the official cases, imported as FHIR, in
  // fhir-evaluate-measure.test.ts and cms249-results.test.ts (both run on each engine).
  const CSV_MEASURES = MEASURE_KEYS.filter((measure) => measure !== CMS249_KEY);

  it.each(CSV_MEASURES)("%s", async (measure) => {
    const started = performance.now();
    const all = queries(measure);
    for (const [i, query] of all.entries()) {
      const [onPglite, onPostgres]: [MeasureResult, MeasureResult] = await Promise.all([
        compute(pglite, QUALITY_OFFICER, query),
        compute(postgres, QUALITY_OFFICER, query),
      ]);
      const label = `${measure} by ${query.groupBy}, W = ${query.window}, as-of ${query.asOf}`;
      expect(onPostgres, label).toStrictEqual(onPglite);
      if (query.groupBy === "month") expect(onPglite.rows.map((r) => r.month), label).toHaveLength(12);
      // The comparison is not between two empty results.
      if (query.groupBy === "payer" && query.window === 90) {
        expect(onPglite.total.denominator, label).toBeGreaterThan(20);
        expect(onPglite.total.numerator, label).toBeGreaterThan(0);
      }
      const elapsed = performance.now() - started;
      expect(
        elapsed,
        `${measure}: only ${i + 1} of ${all.length} comparisons done in ${Math.round(elapsed)} ms (last: ${label}); ` +
          `the measure is too slow on 20,000 members to compare in the budget`,
      ).toBeLessThan(BUDGET_MS);
    }
  });
});
