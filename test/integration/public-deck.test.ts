import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importFolder } from "@/lib/import";
import { countMeasureByPayer, MEASURE_KEYS } from "@/lib/measures/counts";
import { resolveSnapshot } from "@/lib/measures/snapshot";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";

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
  let payerNames: Map<string, string>;

  beforeAll(async () => {
    db = await freshDatabase(engine);
    const result = await importFolder(db, path.join(DECK, "data"), { importedBy: "test" });
    expect(result.problems).toEqual([]);
    const payers = await db.query<{ key: string; display_name: string }>(`SELECT key, display_name FROM payers`);
    payerNames = new Map(payers.map((p) => [p.key, p.display_name]));
  });
  afterAll(() => db?.dispose());

  describe.each(cases.map((c, i) => [i + 1, c] as const))("parameter set %i", (_n, deckCase) => {
    it.each(MEASURE_KEYS)("%s by payer equals expected.json", async (measure) => {
      const asOf = await resolveSnapshot(db, deckCase.params.asOf);
      expect(asOf).toBe(deckCase.as_of);
      const rows = await countMeasureByPayer(db, measure, { ...deckCase.params, asOf: asOf! });
      const actual: Record<string, Counts> = {};
      const all: Counts = { denominator: 0, numerator: 0, pending: 0 };
      for (const r of rows) {
        actual[payerNames.get(r.payerKey) ?? r.payerKey] = { denominator: r.denominator, numerator: r.numerator, pending: r.pending };
        all.denominator += r.denominator;
        all.numerator += r.numerator;
        all.pending += r.pending;
      }
      actual.All = all;
      expect(actual).toEqual(deckCase.expected[measure]);
    });
  });
});
