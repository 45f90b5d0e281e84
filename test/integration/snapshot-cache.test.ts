import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importFolder } from "@/lib/import";
import { toMeasureQuery } from "@/lib/filters";
import { getMeasure } from "@/lib/measures";
import { MAX_EARLIER_SNAPSHOTS } from "@/lib/measures/snapshot";
import { getViewContext } from "@/lib/views/context";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { QUALITY_OFFICER } from "../support/viewers";

// SPEC section 11, "a read never writes": looking at earlier as-of dates keeps at most
// MAX_EARLIER_SNAPSHOTS snapshots besides the data's own, however many dates are looked at,
// and a date looked at again after it was dropped gives the same figures.

const DECK = path.resolve(import.meta.dirname, "../fixtures/public-deck/data");
const DATA_AS_OF = "2026-06-25";
const EARLIER = ["2026-01-31", "2025-12-31", "2025-11-30", "2025-10-31", "2025-09-30"];

describe.each(ENGINES)("earlier as-of dates on %s", (engine) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase(engine);
    expect((await importFolder(db, DECK, { importedBy: "test" })).ok).toBe(true);
  });
  afterAll(() => db?.dispose());

  const snapshots = async () => (await db.query<{ as_of: string }>(`SELECT as_of FROM derived_snapshots ORDER BY as_of`)).map((r) => r.as_of);
  const followUp = async (asOf: string) => {
    const ctx = (await getViewContext(db, QUALITY_OFFICER, { asOf, from: "2025-01-01", to: "2025-06-30" }))!;
    expect(ctx.asOf).toBe(asOf);
    const r = await getMeasure(ctx, toMeasureQuery(ctx.filters, ctx.asOf));
    return r.total;
  };

  it("keeps the data's snapshot and at most two earlier ones, whatever is looked at, with the same figures", async () => {
    const first = new Map<string, unknown>();
    for (const asOf of EARLIER) {
      first.set(asOf, await followUp(asOf));
      const kept = await snapshots();
      expect(kept).toContain(DATA_AS_OF);
      expect(kept.length).toBeLessThanOrEqual(1 + MAX_EARLIER_SNAPSHOTS);
      // Every derived table holds rows of the kept snapshots only.
      const [orphans] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM order_facts WHERE as_of NOT IN (SELECT as_of FROM derived_snapshots)`,
      );
      expect(orphans!.n).toBe(0);
    }
    expect(await snapshots()).toEqual([EARLIER[4], EARLIER[3], DATA_AS_OF]);
    // Looked at again after it was dropped: derived again, the same numbers.
    expect(await followUp(EARLIER[0]!)).toEqual(first.get(EARLIER[0]!));
    expect((await snapshots()).length).toBe(1 + MAX_EARLIER_SNAPSHOTS);
  });

  it("two requests for the same new date at once derive it once", async () => {
    const [a, b] = await Promise.all([followUp("2025-08-31"), followUp("2025-08-31")]);
    expect(a).toEqual(b);
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM derived_snapshots WHERE as_of = '2025-08-31'`);
    expect(row!.n).toBe(1);
  });
});
