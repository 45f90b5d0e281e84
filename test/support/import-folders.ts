import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "vitest";
import type { Sql } from "@/db/client";

// Import folders written as literal CSV text, so that a test shows exactly the bytes a data
// steward would hand over (quoting, header spelling, column order, line numbers).

/** The fixed "now" of every import test: birth dates after 2025-09-30 are in the future. */
export const NOW = new Date("2025-09-30T12:00:00Z");

export type FolderFiles = Record<string, string | Uint8Array>;

/** Lines of CSV text, each ended by a newline (line 1 is the header). */
export function csv(...lines: string[]): string {
  return lines.map((line) => `${line}\n`).join("");
}

const folders: string[] = [];

/** Writes the files into a new temporary folder and returns its path. */
export function writeImportFolder(files: FolderFiles): string {
  const folder = mkdtempSync(path.join(tmpdir(), "dxa-import-"));
  folders.push(folder);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(folder, name), content);
  return folder;
}

/** Removes every folder written so far (call in afterAll). */
export function removeImportFolders(): void {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
}

export const CLAIM_HEADER =
  "claim_id,line_number,frequency_code,received_date,member_id,plan_id,claim_type,service_date,procedure_code,modifiers,place_of_service,line_status,units,billed_amount,paid_amount,rendering_npi,diagnosis_codes";

/** A small valid warehouse, worked out so that every derived table has rows: M1 has an EHR
 *  order captured by a 3096F line, completed by a 77080 study and a documented 3095F result;
 *  M2 has a hip fracture (a claim replaced by a later version); M3 a cancelled order and a
 *  split-billed (TC + 26) study. */
export const BASE_FILES = {
  "plans.csv": csv(
    "plan_id,payer,plan_name,product_line",
    "AET-PPO,Aetna,Aetna Choice POS II,commercial",
    "BCBS-PPO,BCBS,Blue Cross PPO,commercial",
    "MCR-B,Medicare,Medicare Part B,medicare_ffs",
  ),
  "members.csv": csv(
    "member_id,birth_date,sex",
    "M1,1950-03-15,F",
    "M2,1948-11-02,F",
    "M3,1960-07-20,M",
  ),
  "coverage.csv": csv(
    "member_id,plan_id,start_date,end_date",
    "M1,AET-PPO,2020-01-01,",
    "M2,BCBS-PPO,2021-01-01,2025-12-31",
    "M3,MCR-B,2022-01-01,",
  ),
  "orders.csv": csv(
    "order_id,member_id,order_date,ordering_npi,indication,status",
    "O1,M1,2025-01-10,1234567893,screening,active",
    "O2,M2,2025-03-10,,fracture,",
    "O3,M3,2025-03-05,1234567893,monitoring,cancelled",
  ),
  "claim_lines.csv": csv(
    CLAIM_HEADER,
    "C1,1,1,2025-01-20,M1,AET-PPO,professional,2025-01-10,3096F,,11,paid,1,0.00,0.00,1234567893,Z13.820",
    "C2,1,1,2025-02-20,M1,AET-PPO,professional,2025-02-14,77080,,22,paid,1,150.00,98.50,1234567893,M81.0",
    "C3,1,1,2025-02-25,M1,AET-PPO,professional,2025-02-20,3095F,,11,paid,1,0.00,0.00,1234567893,",
    "C4,1,1,2025-03-12,M2,BCBS-PPO,institutional,2025-03-03,27236,,21,paid,1,9000.00,7000.00,,S72.001A;W19.XXXA",
    "C4,2,1,2025-03-12,M2,BCBS-PPO,institutional,2025-03-03,99223,,21,paid,1,400.00,300.00,,S72.001A",
    "C4,2,7,2025-04-01,M2,BCBS-PPO,institutional,2025-03-03,99223,,21,denied,1,400.00,0.00,,S72.001A",
    "C5,1,1,2025-04-10,M3,MCR-B,professional,2025-04-02,77080,TC,22,paid,1,80.00,60.00,,M81.0",
    "C5,2,1,2025-04-10,M3,MCR-B,professional,2025-04-02,77080,26,22,paid,1,40.00,30.00,1234567893,M81.0",
  ),
} satisfies FolderFiles;

/** A claim_lines.csv of n paid office-visit lines of M1 (no DXA code, so they change no
 *  measure), claim ids V<first>, V<first + 1>, …: lines that only make the table larger. */
export function visitLines(first: number, n: number): string {
  const lines = Array.from({ length: n }, (_, i) => `V${first + i},1,1,2025-05-20,M1,AET-PPO,professional,2025-05-10,99213,,11,paid,1,90.00,60.00,1234567893,Z00.00`);
  return csv(CLAIM_HEADER, ...lines);
}

/** Data rows of each base file. */
export const BASE_ROWS = { "plans.csv": 3, "members.csv": 3, "coverage.csv": 3, "orders.csv": 3, "claim_lines.csv": 8 };

/** Every warehouse table that an import may write (data and derived), with its primary key. */
export const WAREHOUSE_TABLES: Record<string, string[]> = {
  payers: ["key"],
  plans: ["plan_id"],
  members: ["member_id"],
  coverage: ["member_id", "plan_id", "start_date"],
  ehr_orders: ["order_id"],
  claim_lines: ["claim_id", "received_date", "frequency_code", "line_number"],
  derived_snapshots: ["as_of"],
  effective_lines: ["as_of", "claim_id", "line_number"],
  dxa_studies: ["as_of", "member_id", "study_date"],
  order_facts: ["as_of", "order_id"],
  fracture_episodes: ["as_of", "member_id", "episode_date"],
};

/** Tables a test may also dump (not every import writes them). */
const OTHER_TABLE_KEYS: Record<string, string[]> = { fhir_resources: ["resource_type", "id"], import_batches: ["id"] };

/** Every row of every warehouse table, ordered by primary key, as JSON text per table. */
export async function dumpWarehouse(sql: Sql, tables: string[] = Object.keys(WAREHOUSE_TABLES)): Promise<Record<string, string>> {
  const dump: Record<string, string> = {};
  for (const table of tables) {
    const key = (WAREHOUSE_TABLES[table] ?? OTHER_TABLE_KEYS[table]!).map((c) => `"${c}"`);
    const rows = await sql.query(`SELECT * FROM ${table} ORDER BY ${key.join(", ")}`);
    dump[table] = JSON.stringify(rows);
  }
  return dump;
}

export type ImportLogRow = {
  id: number;
  imported_by: string;
  source: string;
  outcome: string;
  files: { file: string; bytes: number; sha256: string; rows: number; new: number; changed: number; unchanged: number }[];
  row_count: number;
  error_count: number;
  errors: string[];
  warnings: string[];
  started_at_matches: boolean;
};

/** The import log row of a batch (`started_at_matches`: started_at is the `now` given). */
export async function importLogRow(sql: Sql, batchId: number, now: Date = NOW): Promise<ImportLogRow> {
  const [row] = await sql.query<ImportLogRow>(
    `SELECT id, imported_by, source, outcome::text AS outcome, files, row_count, error_count, errors, warnings,
            started_at = $2::timestamptz AS started_at_matches
     FROM import_batches WHERE id = $1`,
    [batchId, now.toISOString()],
  );
  if (!row) throw new Error(`no import_batches row ${batchId}`);
  return row;
}

export async function countImportBatches(sql: Sql): Promise<number> {
  const [row] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM import_batches`);
  return row!.n;
}

export type ExpectedProblem = { file: string; line: number; column: string; value: string; reason: RegExp };

/** The problem message `file:line: column: value: reason` for that cell, with a reason that
 *  says what is wrong. */
export function expectProblem(problems: string[], expected: ExpectedProblem): void {
  const prefix = `${expected.file}:${expected.line}: ${expected.column}: ${expected.value}: `;
  const matching = problems.filter((p) => p.startsWith(prefix));
  expect(matching, `a problem starting ${JSON.stringify(prefix)} among:\n${problems.join("\n")}`).toHaveLength(1);
  expect(matching[0]!.slice(prefix.length)).toMatch(expected.reason);
}

export type FileCounts = { file: string; bytes: number; sha256: string; rows: number; new: number; changed: number; unchanged: number };

/** The fields of a file's import report that SPEC section 3 promises (an implementation may
 *  report more). */
export function contractFiles(files: readonly FileCounts[]): FileCounts[] {
  return files.map(({ file, bytes, sha256, rows, new: created, changed, unchanged }) => ({
    file,
    bytes,
    sha256,
    rows,
    new: created,
    changed,
    unchanged,
  }));
}
