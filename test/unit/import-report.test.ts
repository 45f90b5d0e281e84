import { describe, expect, it } from "vitest";
import type { DryRunResult, ImportResult } from "@/lib/import";
import { formatImportReport } from "@/lib/import/report";

// The terminal report of `npm run import` (issue 13, items 21 and 22): a refused import lists the
// files it read with their rows and the files it did not read, and its problems without the
// empty column and value of a whole-row problem; a dry run says that nothing was written and
// shows the changes it found.

const timings = { read: 0, check: 0, upsert: 0, derive: 0 };
const file = (name: string, rows: number, counts = { new: 0, changed: 0, unchanged: 0 }) => ({
  file: name,
  bytes: 100,
  sha256: "0".repeat(64),
  rows,
  ...counts,
  path: null,
});

describe("the import report", () => {
  it("a refused import: files read with their rows, files not read, problems as people read them", () => {
    const result: ImportResult = {
      dryRun: false,
      batchId: 7,
      ok: false,
      files: [file("members.csv", 2), file("orders.csv", 4)],
      unreadFiles: ["claims.csv"],
      problems: [
        "claims.csv:1: -: : unknown file name: an import holds plans.csv, …",
        "members.csv:1: birth_date: : required column is missing from the header",
        "orders.csv:5: -: : row has 3 fields, the header has 6",
        "orders.csv:6: order_date: 2025-02-30: not a calendar date in the form YYYY-MM-DD",
      ],
      problemCount: 5,
      warnings: [],
      snapshot: null,
      mapped: [],
      timings,
    };
    expect(formatImportReport(result, "in", 0.5).split("\n")).toEqual([
      "Import of in rejected: 5 problems. Nothing was written (logged as import #7).",
      "",
      "Files:",
      "  members.csv: 2 rows read",
      "  orders.csv: 4 rows read",
      "  claims.csv: not read (not an import file name)",
      "",
      "Problems:",
      "  claims.csv:1: unknown file name: an import holds plans.csv, …",
      "  members.csv:1: birth_date: required column is missing from the header",
      "  orders.csv:5: row has 3 fields, the header has 6",
      "  orders.csv:6: order_date: 2025-02-30: not a calendar date in the form YYYY-MM-DD",
      "  … and 1 more.",
    ]);
  });

  it("a dry run: the counts, and each file's changed rows with old and new values", () => {
    const result: DryRunResult = {
      dryRun: true,
      batchId: null,
      ok: true,
      files: [
        {
          ...file("members.csv", 3, { new: 1, changed: 1, unchanged: 1 }),
          changes: [{ line: 3, key: { member_id: "M2" }, changes: [{ column: "birth_date", old: "1948-11-02", new: "1948-11-03" }, { column: "sex", old: "F", new: "M" }] }],
        },
        { ...file("plans.csv", 1, { new: 0, changed: 0, unchanged: 1 }), changes: [] },
      ],
      unreadFiles: [],
      problems: [],
      problemCount: 0,
      warnings: [],
      snapshot: null,
      mapped: [],
      timings,
    };
    expect(formatImportReport(result, "in", 0.5).split("\n")).toEqual([
      "Dry run of in in 0.5 s: the import would be accepted. Nothing was written and nothing logged; these are the rows it would write.",
      "",
      "file         rows  new  changed  unchanged",
      "members.csv     3    1        1          1",
      "plans.csv       1    0        0          1",
      "",
      "members.csv: the changed row:",
      "  members.csv:3 (member_id M2): birth_date 1948-11-02 → 1948-11-03; sex F → M",
    ]);
  });
});
