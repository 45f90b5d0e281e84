import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importFolder } from "@/lib/import";
import { computeMeasure, MEASURE_KEYS, resolveSnapshot } from "@/lib/measures";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { compute, QUALITY_OFFICER } from "../support/viewers";

// The shared public deck: figures computed from the SPEC by two independent implementations.
// A copy of shared/examples/public-deck, so that a clone runs its tests on its own.
const DECK = path.resolve(import.meta.dirname, "../fixtures/public-deck");
type Counts = { denominator: number; numerator: number; pending: number };
type DeckCase = {
  as_of: string;
  params: { from: string; to: string; window: 30 | 60 | 90 | 180; asOf?: string };
  expected: Record<string, Record<string, Counts>>;
};
const cases = JSON.parse(readFileSync(path.join(DECK, "expected.json"), "utf8")) as DeckCase[];

describe.each(ENGINES)("public deck on %s", (engine) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase(engine);
    const result = await importFolder(db, path.join(DECK, "data"), { importedBy: "test" });
    expect(result.problems).toEqual([]);
  });
  afterAll(() => db?.dispose());

  describe.each(cases.map((c, i) => [i + 1, c] as const))("parameter set %i", (_n, deckCase) => {
    it("expected.json covers every measure but CMS249", () => {
      expect(Object.keys(deckCase.expected).sort()).toEqual(MEASURE_KEYS.filter((m) => m !== "cms249_dxa_overuse").sort());
    });
    // expected.json covers the five measures of the CSV files; CMS249 reads FHIR resources, which
    // the deck does not have (fhir-evaluate-measure.test.ts checks it on the official cases).
    it.each(MEASURE_KEYS.filter((m) => m in deckCase.expected))("%s by payer equals expected.json", async (measure) => {
      const asOf = await resolveSnapshot(db, deckCase.params.asOf);
      expect(asOf).toBe(deckCase.as_of);
      const { from, to, window } = deckCase.params;
      const result = await compute(db, QUALITY_OFFICER, { measure, from, to, window, asOf: asOf!, groupBy: "payer" });
      const actual: Record<string, Counts> = {};
      // expected.json leaves out payers absent from a measure; the engine lists the five
      // payers always, with zeros.
      for (const r of result.rows) {
        if (r.denominator + r.numerator + r.pending === 0) continue;
        actual[r.payerName!] = { denominator: r.denominator, numerator: r.numerator, pending: r.pending };
      }
      const { denominator, numerator, pending } = result.total;
      actual.All = { denominator, numerator, pending };
      expect(actual).toEqual(deckCase.expected[measure]);
      // Payer rows add up to the total.
      const sum = (k: keyof Counts) => result.rows.reduce((n, r) => n + r[k], 0);
      expect({ denominator: sum("denominator"), numerator: sum("numerator"), pending: sum("pending") }).toEqual(actual.All);
    });
  });
});
