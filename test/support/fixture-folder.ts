import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Sql } from "@/db/client";
import { importFolder, type ImportResult } from "@/lib/import";

/** A CSV row: column name → cell (undefined and null are written as an empty cell). */
export type FixtureRow = Record<string, string | number | null | undefined>;

export type FixtureFiles = Partial<
  Record<"plans.csv" | "members.csv" | "coverage.csv" | "orders.csv" | "claim_lines.csv", FixtureRow[] | string>
>;

function cell(value: FixtureRow[string]): string {
  const text = value == null ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 text of rows; the header is the union of the rows' keys, in first-seen order. */
export function toCsv(rows: FixtureRow[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const lines = [columns.join(","), ...rows.map((r) => columns.map((c) => cell(r[c])).join(","))];
  return `${lines.join("\n")}\n`;
}

/** Writes the files (rows or raw CSV text) into a new temporary folder and returns its path. */
export function writeFixtureFolder(files: FixtureFiles): string {
  const folder = mkdtempSync(path.join(tmpdir(), "dxa-fixture-"));
  for (const [name, content] of Object.entries(files)) {
    if (content === undefined) continue;
    writeFileSync(path.join(folder, name), typeof content === "string" ? content : toCsv(content));
  }
  return folder;
}

/** Imports the files as one folder and removes the folder; throws with every problem when the
 *  import is rejected, so a fixture mistake cannot pass as an empty result. */
export async function importFixture(db: Sql, files: FixtureFiles): Promise<ImportResult> {
  const folder = writeFixtureFolder(files);
  try {
    const result = await importFolder(db, folder, { importedBy: "test" });
    if (!result.ok) throw new Error(`fixture import rejected:\n${result.problems.join("\n")}`);
    return result;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** A claim line with the required columns filled by defaults (an original, paid, professional
 *  line numbered 1); override what the case is about. */
export function claimLine(
  line: { claim_id: string; member_id: string; plan_id: string; service_date: string; procedure_code: string; received_date: string } & FixtureRow,
): FixtureRow {
  return {
    line_number: 1,
    frequency_code: 1,
    claim_type: "professional",
    line_status: "paid",
    modifiers: "",
    diagnosis_codes: "",
    ...line,
  };
}
