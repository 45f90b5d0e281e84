import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { importFolder } from "@/lib/import";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { BASE_FILES, NOW, removeImportFolders, visitLines, writeImportFolder } from "../support/import-folders";

// A first load into an empty table writes its rows frozen (COPY … FREEZE after truncating the
// empty table in the load's savepoint, lib/import/load.ts), so its pages are all-visible from
// the start: readers skip the per-row visibility check and never rewrite the table to set hint
// bits. pg_class.relallvisible is the number of pages the visibility map marks all-visible, as
// the import's own ANALYZE counted it; a load into a table that holds rows is an ordinary COPY.

describe.each(ENGINES)("the pages of a first load, on %s", (engine) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await freshDatabase(engine);
  });
  afterEach(async () => db.dispose());
  afterAll(() => removeImportFolders());

  const pages = async (table: string) =>
    (await db.query<{ pages: number; visible: number }>(`SELECT relpages AS pages, relallvisible AS visible FROM pg_class WHERE oid = $1::regclass`, [table]))[0]!;
  const load = async (files: Record<string, string>) => expect((await importFolder(db, writeImportFolder(files), { importedBy: "test", now: NOW })).problems).toEqual([]);

  it("are all visible at once; a later load into the same table is not frozen", async () => {
    // 8 base lines and 600 visits: several pages of claim lines.
    await load({ ...BASE_FILES, "claim_lines.csv": BASE_FILES["claim_lines.csv"] + visitLines(1, 600).split("\n").slice(1).join("\n") });
    const first = await pages("claim_lines");
    expect(first.pages).toBeGreaterThan(3);
    expect(first.visible).toBe(first.pages);
    for (const table of ["members", "coverage", "ehr_orders"]) {
      const { pages: all, visible } = await pages(table);
      expect(all, table).toBeGreaterThan(0);
      expect(visible, table).toBe(all);
    }
    // 100 more lines, a sixth of the table: analysed again, and its last pages are not frozen.
    await load({ "claim_lines.csv": visitLines(1001, 100) });
    const second = await pages("claim_lines");
    expect(second.pages).toBeGreaterThan(first.pages);
    expect(second.visible).toBeLessThan(second.pages);
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM claim_lines`))[0]!.n).toBe(708);
  });
});
