import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { splitByReceivedMonth, type RefreshSlices } from "@/lib/bench/refresh-slices";
import { rebuildDerivedFacts } from "@/lib/derive";
import { OTHER_BONE_DENSITY_CODES } from "@/lib/derive/codes";
import { defaultPeriod } from "@/lib/filters";
import { generateDataset } from "@/lib/generate";
import { importFolder, type ImportResult } from "@/lib/import";
import { getSnapshotBuiltAt } from "@/lib/measures/scope";
import { countFindings, FINDING_KINDS, type ReconciliationQuery } from "@/lib/reconciliation";
import { countFindingsOfSnapshot, countStoredFindings } from "@/lib/reconciliation/stored";
import { countHoldings, getStoredHoldings, type Holdings } from "@/lib/warehouse/stored-counts";
import { getWarehouseSummary } from "@/lib/warehouse/summary";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { findingRowsCountedAfresh, storedFindingRows } from "../support/stored-findings";
import { QUALITY_OFFICER, viewerAs } from "../support/viewers";

// The data page's counts are stored with each snapshot by the import that derives it
// (lib/warehouse/stored-counts.ts, lib/reconciliation/stored.ts). After every kind of import —
// a first load, monthly claims refreshes (incremental derivation, with late replacements and
// voids of older claims; the findings changed by the refresh's difference), an import that
// changes nothing, one that changes an order (a full derivation from staged rows) — the stored
// counts must be those of the snapshot as it is now, row for row what counting them afresh
// stores, and equal to counting directly, for any period and filter the page can ask.

const MEMBERS = 1500;
const SEED = 31;

/** Periods (the default one, whole history, parts of months) and filters of the page. */
function queries(asOf: string): ReconciliationQuery[] {
  // Whole months, partial months at one end or both, a single day, days within one month.
  const periods = [
    defaultPeriod(asOf),
    { from: "2000-01-01", to: asOf },
    { from: "2025-03-15", to: "2026-02-10" },
    { from: "2025-03-15", to: "2026-01-31" },
    { from: "2026-01-01", to: "2026-01-01" },
    { from: "2025-11-03", to: "2025-11-27" },
  ];
  const filters: Omit<ReconciliationQuery, "asOf" | "from" | "to">[] = [
    {},
    { payers: ["aetna", "unknown"] },
    { payers: ["cigna"], productLines: ["commercial"] },
    { productLines: ["medicare_advantage", "medicaid"] },
    { plans: ["AET-PPO", "UHC-MA"] },
    { findings: ["study_without_order", "other_bone_density_code"] },
  ];
  return periods.flatMap((period) => filters.map((filter) => ({ asOf, ...period, ...filter })));
}

/** What the warehouse holds, counted here as the data page counted it before the counts were
 *  stored: the figures to keep. */
async function countedHoldings(db: TestDatabase, scope: string[] | null): Promise<Holdings> {
  const [counts] = await db.query<Omit<Holdings, "payers">>(`
    SELECT (SELECT count(*) FROM members)::int AS members, (SELECT count(*) FROM plans)::int AS plans,
           (SELECT count(*) FROM ehr_orders)::int AS "ehrOrders", (SELECT count(*) FROM claim_lines)::int AS "claimLines"`);
  const payers = await db.query<Holdings["payers"][number]>(
    `SELECT p.key AS "payerKey", p.display_name AS "payerName", count(DISTINCT pl.plan_id)::int AS plans, count(DISTINCT c.member_id)::int AS members
     FROM payers p LEFT JOIN plans pl ON pl.payer_key = p.key LEFT JOIN coverage c ON c.plan_id = pl.plan_id
     WHERE p.key <> 'unknown' AND ($1::text[] IS NULL OR p.key = ANY ($1::text[]))
     GROUP BY p.key, p.display_name, p.sort_order ORDER BY p.sort_order, p.display_name`,
    [scope],
  );
  return { ...counts!, payers };
}

/** Stored and counted directly agree for every query; returns the stored counts of the whole
 *  history, to show they are not empty. */
async function expectStoredEqualsCounted(db: TestDatabase, asOf: string, when: string): Promise<Record<string, number>> {
  const builtAt = await getSnapshotBuiltAt(db, asOf);
  const [stored] = await db.query<{ built_at: string }>(`SELECT built_at::text AS built_at FROM snapshot_counts WHERE as_of = $1::date`, [asOf]);
  expect(stored?.built_at, `the counts are of the snapshot's build, ${when}`).toBe(builtAt);

  expect(await getStoredHoldings(db, asOf, null), when).toEqual(await countedHoldings(db, null));
  expect(await getStoredHoldings(db, asOf, ["aetna", "humana"]), when).toEqual(await countedHoldings(db, ["aetna", "humana"]));
  expect(await countHoldings(db, null), when).toEqual(await countedHoldings(db, null));
  // The stored findings row for row as counting them afresh stores them: a refresh changes them
  // by its difference, which must leave no cell off, none at zero, none of an earlier date.
  expect(await storedFindingRows(db), `the stored findings, ${when}`).toEqual(await findingRowsCountedAfresh(db, asOf));
  const steward = viewerAs("data_steward");
  const scoped = { ...viewerAs("data_steward"), payerScope: ["aetna"] };
  for (const query of queries(asOf)) {
    for (const viewer of [steward, scoped]) {
      const direct = await countFindings(db, viewer, query);
      expect(await countStoredFindings(db, viewer, query, builtAt), `${when}: ${JSON.stringify([viewer.payerScope, query])}`).toEqual(direct);
    }
  }
  return (await countStoredFindings(db, steward, { asOf, from: "2000-01-01", to: asOf }, builtAt))!;
}

describe.each(ENGINES)("the data page's stored counts on %s", (engine) => {
  let dir: string;
  let slices: RefreshSlices;
  let db: TestDatabase;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "dxa-stored-counts-"));
    await generateDataset({ members: MEMBERS, seed: SEED, outDir: path.join(dir, "all-files") });
    slices = await splitByReceivedMonth(path.join(dir, "all-files"), path.join(dir, "slices"), "2026-02");
    db = await freshDatabase(engine);
  });
  afterAll(async () => {
    await db?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const imported = async (folder: string): Promise<ImportResult> => {
    const result = await importFolder(db, folder, { importedBy: "test" });
    expect(result.problems).toEqual([]);
    return result;
  };

  it("equal a direct count after the first import and after each monthly claims refresh", async () => {
    const first = await imported(slices.initial);
    expect(first.snapshot?.derivation?.kind).toBe("full");
    const all = await expectStoredEqualsCounted(db, first.snapshot!.asOf, "after the first import");
    // Every kind of finding occurs, so a count stored wrong cannot pass as zero equals zero.
    for (const kind of FINDING_KINDS) expect(all[kind], kind).toBeGreaterThan(0);

    expect(slices.refreshes.map((r) => r.month)).toEqual(["2026-03", "2026-04", "2026-05", "2026-06"]);
    for (const refresh of slices.refreshes) {
      // A cell no refresh touches, stored before it: the refresh changes the stored findings by
      // its difference, so the cell is still there after it (counting afresh would drop it).
      await db.exec(`
        INSERT INTO reconciliation_days (as_of, finding, day, payer_key, plan_id, product_line, findings)
        SELECT as_of, 'incomplete_split_bill', '1990-01-01', 'unknown', NULL, NULL, 7 FROM snapshot_counts;
        INSERT INTO reconciliation_months (as_of, finding, month, payer_key, plan_id, product_line, findings)
        SELECT as_of, 'incomplete_split_bill', '1990-01-01', 'unknown', NULL, NULL, 7 FROM snapshot_counts;`);
      const result = await imported(refresh.folder);
      expect(result.snapshot?.derivation?.kind, refresh.month).toBe("incremental");
      expect(result.snapshot!.asOf > first.snapshot!.asOf).toBe(true);
      const [kept] = await db.query<{ n: number }>(
        `SELECT (SELECT sum(findings) FROM reconciliation_days WHERE day = '1990-01-01' AND as_of = $1::date)
              + (SELECT sum(findings) FROM reconciliation_months WHERE month = '1990-01-01' AND as_of = $1::date) AS n`,
        [result.snapshot!.asOf],
      );
      expect(Number(kept!.n), `the findings kept by difference, ${refresh.month}`).toBe(14);
      await db.exec(`DELETE FROM reconciliation_days WHERE day = '1990-01-01'; DELETE FROM reconciliation_months WHERE month = '1990-01-01';`);
      await expectStoredEqualsCounted(db, result.snapshot!.asOf, `after the ${refresh.month} refresh`);
    }
    // The refreshes brought replacements and voids of older claims, which change older findings.
    const [late] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM claim_lines WHERE received_date > '2026-02-28' AND frequency_code IN (7, 8)`);
    expect(late!.n).toBeGreaterThan(10);
    // One snapshot, one set of counts: the earlier ones went with their snapshots.
    const [left] = await db.query<{ n: number }>(
      `SELECT (SELECT count(DISTINCT as_of) FROM reconciliation_days) + (SELECT count(DISTINCT as_of) FROM reconciliation_months)
         + (SELECT count(*) FROM snapshot_counts) + (SELECT count(DISTINCT as_of) FROM snapshot_payer_counts) AS n`,
    );
    expect(Number(left!.n)).toBe(4);
  });

  it("equal a direct count after an import that changes nothing and after one that replaces an order", async () => {
    const again = await imported(slices.refreshes.at(-1)!.folder);
    expect(again.snapshot?.derivation?.kind).toBe("unchanged");
    await expectStoredEqualsCounted(db, again.snapshot!.asOf, "after an unchanged import");

    // Every order of the first file cancelled or made active again: a replacement of rows, read
    // through staging, and a full derivation.
    const [header, ...rows] = readFileSync(path.join(slices.initial, "orders.csv"), "utf8").trimEnd().split("\n");
    const status = header!.split(",").indexOf("status");
    const flipped = rows.slice(0, 200).map((row) => row.split(",").map((v, i) => (i === status ? (v === "cancelled" ? "active" : "cancelled") : v)).join(","));
    const folder = path.join(dir, "orders-replaced");
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, "orders.csv"), `${header}\n${flipped.join("\n")}\n`);
    const before = await countFindings(db, QUALITY_OFFICER, { asOf: again.snapshot!.asOf, from: "2000-01-01", to: again.snapshot!.asOf });
    const replaced = await imported(folder);
    expect(replaced.snapshot?.derivation?.kind).toBe("full");
    const after = await expectStoredEqualsCounted(db, replaced.snapshot!.asOf, "after orders were replaced");
    expect(after).not.toEqual(before);
  });

  it("leave the data page's lists of other bone density codes an index of exactly those codes", async () => {
    // effective_lines_other_codes_idx (db/schema/derived.ts) names the codes as the query does;
    // should the codes change and the index not, the list would sort every such line again.
    const [index] = await db.query<{ def: string }>(`SELECT indexdef AS def FROM pg_indexes WHERE indexname = 'effective_lines_other_codes_idx'`);
    const named = [...(index?.def.match(/IN \(([^)]*)\)|ANY \(\(?ARRAY\[([^\]]*)\]/)?.slice(1).find(Boolean) ?? "").matchAll(/'([^']+)'/g)].map((m) => m[1]);
    expect(named.sort()).toEqual([...OTHER_BONE_DENSITY_CODES].sort());
  });

  it("are not read for a snapshot derived again outside an import, which is counted as before", async () => {
    const asOf = (await getWarehouseSummary(db, QUALITY_OFFICER)).asOf!;
    const stored = await getWarehouseSummary(db, QUALITY_OFFICER);
    await db.transaction((tx) => rebuildDerivedFacts(tx));
    const builtAt = await getSnapshotBuiltAt(db, asOf);
    expect(await getStoredHoldings(db, asOf, null)).toBeNull();
    const query = { asOf, ...defaultPeriod(asOf) };
    expect(await countStoredFindings(db, QUALITY_OFFICER, query, builtAt)).toBeNull();
    expect(await countFindingsOfSnapshot(db, QUALITY_OFFICER, query, { asOf, builtAt })).toEqual(await countFindings(db, QUALITY_OFFICER, query));
    expect(await getWarehouseSummary(db, QUALITY_OFFICER)).toEqual(stored);
  });
});
