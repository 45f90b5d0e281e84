import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { importFolder } from "@/lib/import";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { BASE_FILES, NOW, removeImportFolders, visitLines, writeImportFolder } from "../support/import-folders";

// An import analyses the tables it wrote, for the derivation's plans, unless it changed a table
// by under a tenth of the rows its statistics counted (lib/import/index.ts keepsStatistics): a
// monthly refresh adds a few per cent to the claim lines, and analysing millions of them cost
// a second of the refresh. pg_class.reltuples is what ANALYZE (or an index build) counted last:
// it moves with the statistics, in the import's own transaction, on both engines.

describe.each(ENGINES)("claim lines' statistics after an import, on %s", (engine) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await freshDatabase(engine);
  });
  afterEach(async () => db.dispose());
  afterAll(() => removeImportFolders());

  const countedRows = async () => (await db.query<{ rows: number }>(`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = 'claim_lines'::regclass`))[0]!.rows;
  const load = async (files: Record<string, string>) => expect((await importFolder(db, writeImportFolder(files), { importedBy: "test", now: NOW })).problems).toEqual([]);

  it("counts a first load, keeps its statistics for a few per cent more, and counts again past a tenth", async () => {
    // 8 base lines and 200 visits: 208 counted.
    await load({ ...BASE_FILES, "claim_lines.csv": BASE_FILES["claim_lines.csv"] + visitLines(1, 200).split("\n").slice(1).join("\n") });
    expect(await countedRows()).toBe(208);
    // 20 more lines: under 20.8, the statistics stay those of 208 rows.
    await load({ "claim_lines.csv": visitLines(1001, 20) });
    expect(await countedRows()).toBe(208);
    // 23 more: this import's rows against the 208 counted, 23 ≥ 20.8, so analysed: 251 counted.
    // (Between imports, autovacuum analyses a table once a tenth of it changed since its last
    // count, the 20 lines above included.)
    await load({ "claim_lines.csv": visitLines(2001, 23) });
    expect(await countedRows()).toBe(251);
  });
});
