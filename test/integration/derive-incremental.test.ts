import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sql } from "@/db/client";
import { splitByReceivedMonth, type RefreshSlices } from "@/lib/bench/refresh-slices";
import { rebuildDerivedFacts, SNAPSHOT_TABLES } from "@/lib/derive";
import { generateDataset } from "@/lib/generate";
import { importFolder } from "@/lib/import";
import { GROUP_BYS, groupByApplies, MEASURE_KEYS, type FollowUpWindow, type MeasureQuery } from "@/lib/measures";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { findingRowsCountedAfresh, storedFindingRows } from "../support/stored-findings";
import { compute, QUALITY_OFFICER } from "../support/viewers";

// A monthly claims refresh derives only the members its lines touch (lib/derive/incremental.ts).
// Its result must be exactly what deriving everything gives. Generated data (three years to
// 2026-06-30) is imported as it would arrive: everything with the claim lines received up to
// December 2025, then one claims-only folder per month to June 2026 — new claims, and
// replacements and voids of claims months old, which move or remove older studies and orders;
// EHR orders dated after each month's as-of date wait in the warehouse until a refresh admits
// them. After every refresh, every derived table is compared row for row with a full rebuild of
// the same warehouse; at the end, every table and every measure row with a one-shot import of
// all the files into an empty warehouse.

const MEMBERS = 2500;
const SEED = 23;

/** Two tables are sums kept as rows that a refresh may append to (the claims-lag histogram,
 *  the screening corners): what they hold is the sum per key, compared as such. */
const SUMMED: Record<string, { key: string[]; sums: string[] }> = {
  claims_lag_days: { key: ["as_of", "received_date", "payer_key", "lag_days"], sums: ["lines"] },
  screening_corners: { key: ["as_of", "plan_id", "month_from", "month_to"], sums: ["denominator", "numerator"] },
};

/** Every row of every snapshot table, all columns, in a fixed order (columns by name: a
 *  refresh moves as_of to the end of its table). */
async function derivedRows(db: Sql): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const table of SNAPSHOT_TABLES) {
    const summed = SUMMED[table];
    if (summed) {
      dump[table] = await db.query(
        `SELECT ${summed.key.join(", ")}, ${summed.sums.map((c) => `sum(${c})::int AS ${c}`).join(", ")} FROM ${table}
         GROUP BY ${summed.key.join(", ")} HAVING ${summed.sums.map((c) => `sum(${c}) <> 0`).join(" OR ")}
         ORDER BY ${summed.key.map((c) => `${c}::text`).join(", ")}`,
      );
      continue;
    }
    const columns = await db.query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY column_name`,
      [table],
    );
    const list = columns.map((c) => `"${c.name}"`);
    dump[table] = await db.query(`SELECT ${list.join(", ")} FROM ${table} ORDER BY ${list.map((c) => `${c}::text`).join(", ")}`);
  }
  dump.derived_snapshots = await db.query(`SELECT as_of FROM derived_snapshots ORDER BY as_of`);
  return dump;
}

function expectSameRows(actual: Record<string, unknown[]>, expected: Record<string, unknown[]>, when: string): void {
  for (const table of Object.keys(expected)) {
    expect(actual[table]!.length, `${table} ${when}`).toBe(expected[table]!.length);
    expect(actual[table], `${table} ${when}`).toEqual(expected[table]);
  }
}

/**
 * The screening corners as a refresh before 2026-11-29 left them, which appended its differences:
 * each cell in two rows (its counts plus one, and minus one), and a cell of two rows that cancel
 * out at months before every other (period start 1, end 0), so that the least months of the rows
 * are not the cells'. What they sum to is unchanged; the next refresh must derive from that.
 */
async function storeCornersAsAppended(db: Sql): Promise<void> {
  await db.exec(`
    WITH old AS (DELETE FROM screening_corners RETURNING as_of, plan_id, month_from, month_to, denominator, numerator)
    INSERT INTO screening_corners (as_of, plan_id, month_from, month_to, denominator, numerator)
    SELECT as_of, plan_id, month_from, month_to, denominator + 1, numerator FROM old
    UNION ALL SELECT as_of, plan_id, month_from, month_to, -1, 0 FROM old
    UNION ALL SELECT as_of, plan_id, 1, 0, sign, 0 FROM (SELECT as_of, plan_id FROM old LIMIT 1) o CROSS JOIN (VALUES (1), (-1)) s (sign)
  `);
}

/**
 * Free space in the claim lines' older pages, as a vacuumed warehouse has once rows were
 * replaced there: every line of 2025's first half written again as it is, then VACUUM. The
 * next import's COPY fills that space first, so the refresh's lines are not all in the pages
 * the table grew by (lib/derive/incremental.ts looks for them by the import batch then).
 * Returns the table's pages before that import.
 */
async function leaveFreeSpaceInOldPages(db: Sql): Promise<number> {
  await db.exec(`UPDATE claim_lines SET source_line = source_line WHERE received_date < '2025-07-01'`);
  await db.exec(`VACUUM claim_lines`);
  const [size] = await db.query<{ pages: number }>(`SELECT (pg_relation_size('claim_lines') / current_setting('block_size')::int)::int AS pages`);
  return size!.pages;
}

/** Every measure by every breakdown, for periods of whole months (the screening cube) and not
 *  (the population query), at each window. */
function measureQueries(asOf: string): MeasureQuery[] {
  const periods = [
    { from: "2025-07-01", to: "2026-06-30" },
    { from: "2025-01-01", to: "2025-06-30" },
    { from: "2024-02-01", to: "2026-05-31" },
    { from: "2025-03-15", to: "2026-02-10" },
  ];
  const windows: FollowUpWindow[] = [30, 90, 180];
  return MEASURE_KEYS.flatMap((measure) =>
    GROUP_BYS.filter((groupBy) => groupByApplies(measure, groupBy)).flatMap((groupBy) =>
      periods.flatMap((period) => windows.filter((w, i) => i === 1 || measure !== "screening_ordering").map((window) => ({ measure, groupBy, window, asOf, ...period }))),
    ),
  );
}

describe.each(ENGINES)("an incremental claims refresh on %s", (engine) => {
  let dir: string;
  let slices: RefreshSlices;
  let monthly: TestDatabase;
  let rebuilt: TestDatabase;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "dxa-incremental-"));
    await generateDataset({ members: MEMBERS, seed: SEED, outDir: path.join(dir, "all-files") });
    slices = await splitByReceivedMonth(path.join(dir, "all-files"), path.join(dir, "slices"), "2025-12");
    [monthly, rebuilt] = await Promise.all([freshDatabase(engine), freshDatabase(engine)]);
    for (const db of [monthly, rebuilt]) {
      const first = await importFolder(db, slices.initial, { importedBy: "test" });
      expect(first.problems).toEqual([]);
      expect(first.snapshot?.derivation?.kind).toBe("full");
    }
  });
  afterAll(async () => {
    await Promise.all([monthly?.dispose(), rebuilt?.dispose()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("the data hold what the refreshes must get right: late replacements and voids, and orders the as-of date admits later", async () => {
    expect(slices.refreshes.map((r) => r.month)).toEqual(["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]);
    const [late] = await monthly.query<{ replaced: number; voided: number }>(
      `SELECT count(*) FILTER (WHERE frequency_code = 7)::int AS replaced, count(*) FILTER (WHERE frequency_code = 8)::int AS voided
       FROM claim_lines WHERE received_date > '2025-12-31'`,
    );
    // Nothing of 2026 is loaded yet; the generated files hold plenty of it.
    expect(late).toEqual({ replaced: 0, voided: 0 });
    const [waiting] = await monthly.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ehr_orders WHERE order_date > (SELECT max(as_of) FROM derived_snapshots)`,
    );
    expect(waiting!.n).toBeGreaterThan(100);
  });

  it("each month's refresh derives only the members it touches, and every derived row equals a full rebuild", async () => {
    for (const refresh of slices.refreshes) {
      if (refresh === slices.refreshes.at(-1)) await storeCornersAsAppended(monthly);
      const oldPages = refresh.month === "2026-03" ? await leaveFreeSpaceInOldPages(monthly) : null;
      const result = await importFolder(monthly, refresh.folder, { importedBy: "test" });
      expect(result.problems).toEqual([]);
      if (oldPages !== null) {
        const [placed] = await monthly.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM claim_lines WHERE import_batch_id = $1 AND ctid < $2::text::tid`,
          [result.batchId, `(${oldPages},0)`],
        );
        expect(placed!.n, "refresh lines written into older pages").toBeGreaterThan(0);
      }
      expect(result.snapshot?.derivation?.kind, refresh.month).toBe("incremental");
      expect(result.snapshot!.derivation!.members!).toBeGreaterThan(0);
      expect(result.snapshot!.derivation!.members!).toBeLessThan(MEMBERS / 5);

      const full = await importFolder(rebuilt, refresh.folder, { importedBy: "test" });
      expect(full.problems).toEqual([]);
      const summary = await rebuilt.transaction((tx) => rebuildDerivedFacts(tx));
      expect(summary?.derivation?.kind).toBe("full");
      // The counts the import reports are the snapshot's.
      const { derivation: _a, ...incrementalCounts } = result.snapshot!;
      const { derivation: _b, ...fullCounts } = summary!;
      expect(incrementalCounts, refresh.month).toEqual(fullCounts);
      expectSameRows(await derivedRows(monthly), await derivedRows(rebuilt), `after the ${refresh.month} refresh`);
      // The data page's findings, which the import changes by the refresh's difference, are
      // row for row what counting them afresh over the snapshot stores.
      expect(await storedFindingRows(monthly), `stored findings after the ${refresh.month} refresh`).toEqual(await findingRowsCountedAfresh(monthly, result.snapshot!.asOf));
    }
    // The refreshes did change what a snapshot holds: late versions replaced or voided lines.
    const [versions] = await monthly.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM claim_lines WHERE received_date > '2025-12-31' AND frequency_code IN (7, 8)`,
    );
    expect(versions!.n).toBeGreaterThan(20);
  });

  it("after the refreshes the warehouse equals a one-shot import of all the files: every derived row and every measure row", async () => {
    const oneShot = await freshDatabase(engine);
    try {
      const result = await importFolder(oneShot, path.join(dir, "all-files"), { importedBy: "test" });
      expect(result.problems).toEqual([]);
      expectSameRows(await derivedRows(monthly), await derivedRows(oneShot), "against the one-shot import");
      const asOf = result.snapshot!.asOf;
      expect(asOf).toBe("2026-06-30");
      for (const query of measureQueries(asOf)) {
        const [mine, theirs] = await Promise.all([compute(monthly, QUALITY_OFFICER, query), compute(oneShot, QUALITY_OFFICER, query)]);
        expect(mine, JSON.stringify(query)).toEqual(theirs);
      }
    } finally {
      await oneShot.dispose();
    }
  });

  it("re-importing a refresh changes nothing and derives nothing; an import that changes orders derives everything", async () => {
    const before = await derivedRows(monthly);
    const last = slices.refreshes.at(-1)!;
    const again = await importFolder(monthly, last.folder, { importedBy: "test" });
    expect(again.snapshot?.derivation?.kind).toBe("unchanged");
    expectSameRows(await derivedRows(monthly), before, "after an unchanged import");

    const initial = await importFolder(monthly, slices.initial, { importedBy: "test" });
    // The first import's folder: 2025's claim lines and the other files, all unchanged.
    expect(initial.snapshot?.derivation?.kind).toBe("unchanged");

    // One order cancelled: its member's facts change, which no claim line names.
    const [header, first] = readFileSync(path.join(slices.initial, "orders.csv"), "utf8").split("\n");
    const status = header!.split(",").indexOf("status");
    const cancelled = first!.split(",").map((v, i) => (i === status ? (v === "cancelled" ? "active" : "cancelled") : v));
    const folder = path.join(dir, "one-order");
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, "orders.csv"), `${header}\n${cancelled.join(",")}\n`);
    const changed = await importFolder(monthly, folder, { importedBy: "test" });
    expect(changed.problems).toEqual([]);
    expect(changed.snapshot?.derivation).toMatchObject({ kind: "full", reason: "members, coverage, plans or orders changed" });
  });
});
