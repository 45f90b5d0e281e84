import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { importFolder, type ImportResult } from "@/lib/import";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import {
  BASE_FILES,
  BASE_ROWS,
  CLAIM_HEADER,
  NOW,
  WAREHOUSE_TABLES,
  countImportBatches,
  contractFiles,
  csv,
  dumpWarehouse,
  expectProblem,
  importLogRow,
  removeImportFolders,
  writeImportFolder,
  type FolderFiles,
} from "../support/import-folders";

// SPEC section 3, the promises a data steward relies on: all or nothing, every problem named
// as `file:line: column: value: reason`, idempotent, recorded.

const FILE_ORDER = ["plans.csv", "members.csv", "coverage.csv", "orders.csv", "claim_lines.csv"] as const;
const ORDERS_HEADER = "order_id,member_id,order_date,ordering_npi,indication,status";
const PLANS_HEADER = "plan_id,payer,plan_name,product_line";
const MEMBERS_HEADER = "member_id,birth_date,sex";
const COVERAGE_HEADER = "member_id,plan_id,start_date,end_date";
const COMPOSITE_CLAIM_KEY = "claim_id+received_date+frequency_code+line_number";
// A valid claim line of M3 (no NPI, no amounts); tests replace one cell to make it wrong.
const claim = (overrides: Partial<Record<string, string>> = {}): string => {
  const cells: Record<string, string> = {
    claim_id: "C90",
    line_number: "1",
    frequency_code: "1",
    received_date: "2025-06-01",
    member_id: "M3",
    plan_id: "MCR-B",
    claim_type: "professional",
    service_date: "2025-05-20",
    procedure_code: "3096F",
    modifiers: "",
    place_of_service: "11",
    line_status: "paid",
    units: "1",
    billed_amount: "",
    paid_amount: "",
    rendering_npi: "",
    diagnosis_codes: "",
    ...overrides,
  };
  return CLAIM_HEADER.split(",")
    .map((c) => cells[c]!)
    .join(",");
};

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** What the import log should say of each file of a folder (sizes and checksums from disk). */
function fileLog(folder: string, counts: Record<string, { rows: number; new: number; changed: number; unchanged: number }>) {
  return FILE_ORDER.filter((file) => file in counts).map((file) => {
    const bytes = readFileSync(path.join(folder, file));
    return { file, bytes: bytes.length, sha256: sha256(bytes), ...counts[file]! };
  });
}

const allNew = Object.fromEntries(
  Object.entries(BASE_ROWS).map(([file, rows]) => [file, { rows, new: rows, changed: 0, unchanged: 0 }]),
);
const allUnchanged = Object.fromEntries(
  Object.entries(BASE_ROWS).map(([file, rows]) => [file, { rows, new: 0, changed: 0, unchanged: rows }]),
);

// Each import here takes well under a second: an import that hangs should fail its own test
// soon, not after the suite-wide two minutes.
vi.setConfig({ testTimeout: 15_000 });

afterAll(() => removeImportFolders());

describe.each(ENGINES)("import contract on %s", (engine) => {
  const run = (db: TestDatabase, files: FolderFiles, importedBy = "test"): Promise<ImportResult> =>
    importFolder(db, writeImportFolder(files), { importedBy, now: NOW });

  describe("a refused import names every problem and writes nothing", () => {
    let db: TestDatabase;

    beforeAll(async () => {
      db = await freshDatabase(engine);
      const base = await run(db, BASE_FILES);
      expect(base.problems).toEqual([]);
      expect(base.ok).toBe(true);
      // Every table has rows, so that "unchanged" below cannot hold by emptiness.
      const loaded = await dumpWarehouse(db);
      for (const table of Object.keys(WAREHOUSE_TABLES)) expect(loaded[table], table).not.toBe("[]");
    });
    afterAll(() => db?.dispose());

    /** Runs an import that must be refused: the warehouse is byte-for-byte as before, and the
     *  attempt is logged as rejected with its problems. */
    async function refuse(files: FolderFiles): Promise<ImportResult> {
      const before = await dumpWarehouse(db);
      const batches = await countImportBatches(db);
      const result = await run(db, files);
      expect(result.ok).toBe(false);
      expect(result.snapshot).toBeNull();
      expect(result.problems.length).toBeGreaterThan(0);
      expect(result.problemCount).toBeGreaterThanOrEqual(result.problems.length);
      for (const problem of result.problems) expect(problem).toMatch(/^[^:]+:\d+: [^:]*: .*: .+$/);
      expect(await dumpWarehouse(db)).toEqual(before);
      expect(await countImportBatches(db)).toBe(batches + 1);
      const log = await importLogRow(db, result.batchId);
      expect(log).toMatchObject({
        imported_by: "test",
        outcome: "rejected",
        errors: result.problems,
        error_count: result.problemCount,
        started_at_matches: true,
      });
      return result;
    }

    it("a date that is not a calendar date (orders.csv line 3)", async () => {
      const files = {
        "orders.csv": csv(ORDERS_HEADER, "O10,M1,2025-05-01,,screening,active", "O11,M1,2024-02-30,,screening,active"),
      };
      const { problems, batchId } = await refuse(files);
      expect(problems).toHaveLength(1);
      expectProblem(problems, { file: "orders.csv", line: 3, column: "order_date", value: "2024-02-30", reason: /calendar date|YYYY-MM-DD/ });
      // A rejected import is logged with its files too, and no row counted as written.
      const log = await importLogRow(db, batchId);
      const bytes = Buffer.from(files["orders.csv"]);
      expect(contractFiles(log.files)).toEqual([{ file: "orders.csv", bytes: bytes.length, sha256: sha256(bytes), rows: 2, new: 0, changed: 0, unchanged: 0 }]);
      expect(log.row_count).toBe(2);
    });

    it("a member or plan that is neither in the import nor loaded", async () => {
      const { problems } = await refuse({
        "members.csv": csv(MEMBERS_HEADER, "M4,1955-05-05,F"),
        // M4 is known from this import, M1 from the warehouse; M999 from nowhere.
        "coverage.csv": csv(COVERAGE_HEADER, "M4,AET-PPO,2025-01-01,", "M999,AET-PPO,2025-01-01,", "M1,NOPE,2025-01-01,"),
      });
      expect(problems).toHaveLength(2);
      expectProblem(problems, { file: "coverage.csv", line: 3, column: "member_id", value: "M999", reason: /unknown member/ });
      expectProblem(problems, { file: "coverage.csv", line: 4, column: "plan_id", value: "NOPE", reason: /unknown plan/ });
    });

    it("a row with a bad cell and an unknown member reports both; a member of a refused members.csv row is unknown", async () => {
      const { problems } = await refuse({
        // M5's row is refused (a birth date after today), so M5 is not a member of this import.
        "members.csv": csv(MEMBERS_HEADER, "M5,2099-01-01,F"),
        "orders.csv": csv(ORDERS_HEADER, "O30,M999,2024-02-30,,screening,active", "O31,M5,2025-05-01,,screening,active"),
      });
      expect(problems).toHaveLength(4);
      expectProblem(problems, { file: "members.csv", line: 2, column: "birth_date", value: "2099-01-01", reason: /after today/ });
      expectProblem(problems, { file: "orders.csv", line: 2, column: "member_id", value: "M999", reason: /unknown member/ });
      expectProblem(problems, { file: "orders.csv", line: 2, column: "order_date", value: "2024-02-30", reason: /calendar date|YYYY-MM-DD/ });
      expectProblem(problems, { file: "orders.csv", line: 3, column: "member_id", value: "M5", reason: /unknown member/ });
    });

    it("an NPI with a wrong check digit", async () => {
      const { problems } = await refuse({
        "orders.csv": csv(ORDERS_HEADER, "O12,M1,2025-05-01,1234567890,screening,active"),
        "claim_lines.csv": csv(CLAIM_HEADER, claim(), claim({ claim_id: "C91", rendering_npi: "1234567894" })),
      });
      expect(problems).toHaveLength(2);
      expectProblem(problems, { file: "orders.csv", line: 2, column: "ordering_npi", value: "1234567890", reason: /check digit/ });
      expectProblem(problems, { file: "claim_lines.csv", line: 3, column: "rendering_npi", value: "1234567894", reason: /check digit/ });
    });

    it("a missing required column is named in the header line", async () => {
      const { problems } = await refuse({ "members.csv": csv("member_id,sex", "M7,F") });
      expect(problems).toHaveLength(1);
      expectProblem(problems, { file: "members.csv", line: 1, column: "birth_date", value: "", reason: /required column.*missing/ });
    });

    it("a required value that is empty", async () => {
      const { problems } = await refuse({ "orders.csv": csv(ORDERS_HEADER, "O16,,2025-05-01,,,") });
      expect(problems).toHaveLength(1);
      expectProblem(problems, { file: "orders.csv", line: 2, column: "member_id", value: "", reason: /required/ });
    });

    it("a key repeated within the import names both lines", async () => {
      const { problems } = await refuse({
        "plans.csv": csv(PLANS_HEADER, "P10,Aetna,Ten,commercial", "P11,Aetna,Eleven,commercial", "P10,Aetna,Ten again,commercial"),
        "claim_lines.csv": csv(CLAIM_HEADER, claim(), claim({ procedure_code: "77080" })),
      });
      expect(problems).toHaveLength(2);
      expectProblem(problems, { file: "plans.csv", line: 4, column: "plan_id", value: "P10", reason: /duplicate.*\bline 2\b/ });
      const claimProblem = problems.find((p) => p.startsWith("claim_lines.csv:3: "));
      expect(claimProblem).toBeDefined();
      expect(claimProblem).toContain(COMPOSITE_CLAIM_KEY);
      expect(claimProblem).toContain("C90");
      expect(claimProblem).toMatch(/duplicate.*\bline 2\b/);
    });

    it("a file with an unterminated quote is not CSV, and the line of the quote is named", async () => {
      const { problems } = await refuse({
        "plans.csv": csv(
          PLANS_HEADER,
          "P20,Aetna,Fine plan,commercial",
          'P21,Aetna,"Unclosed plan,commercial',
          "P22,Aetna,Other plan,commercial",
          "P23,Aetna,Last plan,commercial",
        ),
      });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^plans\.csv:\d+: /);
      expect(problems[0]).toMatch(/CSV/);
      expect(problems[0]).toMatch(/quote/i);
      // The quote opens on line 3: a steward with a long file must be told where.
      expect(problems[0]).toMatch(/^plans\.csv:(3: .*|.*\bline 3\b.*)$/);
    });

    it("a binary file (NUL bytes) is not CSV", async () => {
      const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x6d, 0x65, 0x6d, 0x62, 0x65, 0x72, 0x73]);
      const { problems } = await refuse({ "members.csv": zip });
      expect(problems).toHaveLength(1);
      expectProblem(problems, { file: "members.csv", line: 1, column: "-", value: "", reason: /CSV.*(NUL|binary)|(NUL|binary).*CSV/ });
    });

    it("a file that is not UTF-8 (a Latin-1 export) is not CSV", async () => {
      const latin1 = Buffer.from(`${PLANS_HEADER}\nP30,Aetna,Pr\u00e9f\u00e9r\u00e9 Sant\u00e9,commercial\n`, "latin1");
      const { problems } = await refuse({ "plans.csv": latin1 });
      expect(problems).toHaveLength(1);
      expectProblem(problems, { file: "plans.csv", line: 1, column: "-", value: "", reason: /UTF-8/ });
    });

    it("an empty file has no header", async () => {
      const { problems } = await refuse({ "members.csv": "" });
      expect(problems).toHaveLength(1);
      expectProblem(problems, { file: "members.csv", line: 1, column: "-", value: "", reason: /empty.*header/ });
    });

    it("unknown file names", async () => {
      const { problems } = await refuse({
        "claims.csv": csv(CLAIM_HEADER, claim()),
        "notes.txt": "call the payer on Monday\n",
        "members.csv": csv(MEMBERS_HEADER, "M5,1950-01-01,F"),
      });
      expect(problems).toHaveLength(2);
      expectProblem(problems, { file: "claims.csv", line: 1, column: "-", value: "", reason: /unknown file name.*claim_lines\.csv/ });
      expectProblem(problems, { file: "notes.txt", line: 1, column: "-", value: "", reason: /unknown file name/ });
    });

    it("an end_date before its start_date", async () => {
      const { problems } = await refuse({ "coverage.csv": csv(COVERAGE_HEADER, "M1,MCR-B,2025-06-01,2025-05-31", "M1,BCBS-PPO,2025-06-01,2025-06-01") });
      expect(problems).toHaveLength(1);
      expectProblem(problems, { file: "coverage.csv", line: 2, column: "end_date", value: "2025-05-31", reason: /before start_date 2025-06-01/ });
    });

    it("a birth date after today (today is allowed)", async () => {
      const { problems } = await refuse({ "members.csv": csv(MEMBERS_HEADER, "M9,2025-10-01,F", "M10,2025-09-30,F") });
      expect(problems).toHaveLength(1);
      expectProblem(problems, { file: "members.csv", line: 2, column: "birth_date", value: "2025-10-01", reason: /after today/ });
    });

    it("5 modifiers and 13 diagnosis codes", async () => {
      const thirteen = Array.from({ length: 13 }, (_, i) => `M81.${i % 10}`).join(";");
      const { problems } = await refuse({
        "claim_lines.csv": csv(
          CLAIM_HEADER,
          claim({ claim_id: "C92", modifiers: "TC;26;59;XU;GA" }),
          claim({ claim_id: "C93", modifiers: "TC;26;59;XU" }),
          claim({ claim_id: "C94", diagnosis_codes: thirteen }),
        ),
      });
      expect(problems).toHaveLength(2);
      expectProblem(problems, { file: "claim_lines.csv", line: 2, column: "modifiers", value: "TC;26;59;XU;GA", reason: /at most 4/ });
      expectProblem(problems, { file: "claim_lines.csv", line: 4, column: "diagnosis_codes", value: thirteen, reason: /at most 12/ });
    });

    it("values outside the fixed vocabularies", async () => {
      const { problems } = await refuse({
        "plans.csv": csv(PLANS_HEADER, "P40,Aetna,Forty,hmo"),
        "members.csv": csv(MEMBERS_HEADER, "M11,1950-01-01,X"),
        "claim_lines.csv": csv(CLAIM_HEADER, claim({ frequency_code: "2", claim_type: "dental", line_status: "approved", procedure_code: "7708" })),
      });
      expect(problems).toHaveLength(6);
      expectProblem(problems, { file: "plans.csv", line: 2, column: "product_line", value: "hmo", reason: /one of commercial/ });
      expectProblem(problems, { file: "members.csv", line: 2, column: "sex", value: "X", reason: /one of F, M, U/ });
      expectProblem(problems, { file: "claim_lines.csv", line: 2, column: "frequency_code", value: "2", reason: /one of 1, 7, 8/ });
      expectProblem(problems, { file: "claim_lines.csv", line: 2, column: "claim_type", value: "dental", reason: /professional/ });
      expectProblem(problems, { file: "claim_lines.csv", line: 2, column: "line_status", value: "approved", reason: /paid/ });
      expectProblem(problems, { file: "claim_lines.csv", line: 2, column: "procedure_code", value: "7708", reason: /5-character/ });
    });

    it("a row with the wrong number of fields", async () => {
      const { problems } = await refuse({
        "orders.csv": csv(ORDERS_HEADER, "O13,M1,2025-05-01,,screening,active", "O14,M1,2025-05-01,,screening", "O15,M1,2025-05-01,,screening,active,extra"),
      });
      expect(problems).toHaveLength(2);
      expectProblem(problems, { file: "orders.csv", line: 3, column: "-", value: "", reason: /5 fields.*header has 6/ });
      expectProblem(problems, { file: "orders.csv", line: 4, column: "-", value: "", reason: /7 fields.*header has 6/ });
    });

    it("line numbers count the physical lines of quoted multi-line cells", async () => {
      const { problems } = await refuse({
        "plans.csv": csv(PLANS_HEADER, 'P50,Aetna,"Two-line', 'plan name",commercial', "P51,Aetna,Fifty-one,hmo"),
      });
      expect(problems).toHaveLength(1);
      expectProblem(problems, { file: "plans.csv", line: 4, column: "product_line", value: "hmo", reason: /one of/ });
    });

    it("several problems in several files are all reported", async () => {
      const { problems, problemCount } = await refuse({
        "plans.csv": csv(PLANS_HEADER, "P60,Aetna,Sixty,commercial", "P60,Aetna,Sixty bis,commercial"),
        "coverage.csv": csv(COVERAGE_HEADER, "M404,AET-PPO,2025-01-01,"),
        "orders.csv": csv(ORDERS_HEADER, "O20,M1,2025-02-30,,screening,active", "O21,M1,2025-13-01,1234567890,screening,active"),
        "claim_lines.csv": csv(
          CLAIM_HEADER,
          claim({ claim_id: "C95", rendering_npi: "1234567890" }),
          claim({ claim_id: "C96", modifiers: "TC;26;59;XU;GA" }),
          claim({ claim_id: "C97", units: "0" }),
          claim({ claim_id: "C98", billed_amount: "-5.00" }),
        ),
      });
      const expected = [
        "plans.csv:3: plan_id: P60: ",
        "coverage.csv:2: member_id: M404: ",
        "orders.csv:2: order_date: 2025-02-30: ",
        // Both bad cells of one row, not only the first.
        "orders.csv:3: order_date: 2025-13-01: ",
        "orders.csv:3: ordering_npi: 1234567890: ",
        "claim_lines.csv:2: rendering_npi: 1234567890: ",
        "claim_lines.csv:3: modifiers: TC;26;59;XU;GA: ",
        "claim_lines.csv:4: units: 0: ",
        "claim_lines.csv:5: billed_amount: -5.00: ",
      ];
      expect(problems.map((p) => expected.find((prefix) => p.startsWith(prefix)) ?? p).sort()).toEqual([...expected].sort());
      expect(problemCount).toBe(expected.length);
    });

    it("an unknown file name does not hide the problems of the other files", async () => {
      const { problems } = await refuse({
        "notes.txt": "call the payer on Monday\n",
        "orders.csv": csv(ORDERS_HEADER, "O22,M1,2024-02-30,,screening,active"),
      });
      expectProblem(problems, { file: "notes.txt", line: 1, column: "-", value: "", reason: /unknown file name/ });
      expectProblem(problems, { file: "orders.csv", line: 2, column: "order_date", value: "2024-02-30", reason: /calendar date|YYYY-MM-DD/ });
      expect(problems).toHaveLength(2);
    });

    it("a first import into an empty warehouse is refused the same way", async () => {
      const empty = await freshDatabase(engine);
      // Also when the test times out (the function is then still running).
      onTestFinished(() => empty.dispose());
      const before = await dumpWarehouse(empty);
      const result = await importFolder(
        empty,
        writeImportFolder({
          "plans.csv": csv(PLANS_HEADER, "P1,Aetna,One,commercial", "P2,Aetna,Two,commercial", "P1,Aetna,One again,commercial"),
          "members.csv": csv(MEMBERS_HEADER, "M1,1950-01-01,F"),
          "coverage.csv": csv(COVERAGE_HEADER, "M1,P1,2024-01-01,", "M2,P2,2024-01-01,"),
        }),
        { importedBy: "test", now: NOW },
      );
      expect(result.ok).toBe(false);
      expect(result.problems).toHaveLength(2);
      expectProblem(result.problems, { file: "plans.csv", line: 4, column: "plan_id", value: "P1", reason: /duplicate.*\bline 2\b/ });
      expectProblem(result.problems, { file: "coverage.csv", line: 3, column: "member_id", value: "M2", reason: /unknown member/ });
      expect(await dumpWarehouse(empty)).toEqual(before);
      // The warehouse still holds its keys: the same files without the duplicate load, twice.
      const fixed = writeImportFolder({
        "plans.csv": csv(PLANS_HEADER, "P1,Aetna,One,commercial", "P2,Aetna,Two,commercial"),
        "members.csv": csv(MEMBERS_HEADER, "M1,1950-01-01,F", "M2,1951-01-01,F"),
        "coverage.csv": csv(COVERAGE_HEADER, "M1,P1,2024-01-01,", "M2,P2,2024-01-01,"),
      });
      expect((await importFolder(empty, fixed, { importedBy: "test", now: NOW })).problems).toEqual([]);
      const again = await importFolder(empty, fixed, { importedBy: "test", now: NOW });
      expect(again.problems).toEqual([]);
      expect(again.files.map((f) => [f.file, f.new, f.changed, f.unchanged])).toEqual([
        ["plans.csv", 0, 0, 2],
        ["members.csv", 0, 0, 2],
        ["coverage.csv", 0, 0, 2],
      ]);
    });

    it("more problems than the cap: the first 1,000 are listed and all are counted", async () => {
      const rows = Array.from({ length: 1200 }, (_, i) => `O${1000 + i},M1,2024-02-30,,screening,active`);
      const badDates = await refuse({ "orders.csv": csv(ORDERS_HEADER, ...rows) });
      expect(badDates.problems).toHaveLength(1000);
      expect(badDates.problemCount).toBe(1200);
      expect(badDates.problems[0]).toMatch(/^orders\.csv:2: order_date: 2024-02-30: /);
      expect(badDates.problems[999]).toMatch(/^orders\.csv:1001: order_date: 2024-02-30: /);
      expect((await importLogRow(db, badDates.batchId)).error_count).toBe(1200);

      // The same for problems found across rows (references), not only cell by cell.
      const spans = Array.from({ length: 1200 }, (_, i) => `M${5000 + i},AET-PPO,2025-01-01,`);
      const unknownMembers = await refuse({ "coverage.csv": csv(COVERAGE_HEADER, ...spans) });
      expect(unknownMembers.problems).toHaveLength(1000);
      expect(unknownMembers.problemCount).toBe(1200);
    });
  });

  describe("an accepted import", () => {
    let db: TestDatabase;
    let baseFolder: string;
    let base: ImportResult;

    beforeEach(async () => {
      db = await freshDatabase(engine);
      baseFolder = writeImportFolder(BASE_FILES);
      base = await importFolder(db, baseFolder, { importedBy: "ada@example.org", now: NOW });
      expect(base.problems).toEqual([]);
    });
    afterEach(() => db?.dispose());

    it("is logged: when, by whom, files with sizes and checksums, row counts, outcome", async () => {
      expect(base.ok).toBe(true);
      expect(contractFiles(base.files)).toEqual(fileLog(baseFolder, allNew));
      const log = await importLogRow(db, base.batchId);
      expect(contractFiles(log.files)).toEqual(fileLog(baseFolder, allNew));
      expect(log).toMatchObject({
        id: base.batchId,
        imported_by: "ada@example.org",
        outcome: "succeeded",
        row_count: 20,
        error_count: 0,
        errors: [],
        warnings: [],
        started_at_matches: true,
      });
      expect(base.snapshot).toMatchObject({ asOf: "2025-04-10" });
    });

    it("re-importing the same folder changes nothing", async () => {
      const before = await dumpWarehouse(db);
      const again = await importFolder(db, baseFolder, { importedBy: "test", now: NOW });
      expect(again.problems).toEqual([]);
      expect(contractFiles(again.files)).toEqual(fileLog(baseFolder, allUnchanged));
      const after = await dumpWarehouse(db);
      // The snapshot is rebuilt (built_at, import_batch_id move on); its facts are the same.
      const { derived_snapshots: snapshotsBefore, ...dataBefore } = before;
      const { derived_snapshots: snapshotsAfter, ...dataAfter } = after;
      expect(dataAfter).toEqual(dataBefore);
      const asOf = (dump: string | undefined) => (JSON.parse(dump!) as { as_of: string }[]).map((s) => s.as_of);
      expect(asOf(snapshotsAfter)).toEqual(asOf(snapshotsBefore));
      expect(contractFiles((await importLogRow(db, again.batchId)).files)).toEqual(fileLog(baseFolder, allUnchanged));
    });

    it("the same data written differently (column order, header case, BOM, CRLF, code spelling) is unchanged", async () => {
      const before = await dumpWarehouse(db);
      const folder = writeImportFolder({
        "plans.csv": csv(
          "Product_Line,PLAN_NAME,Payer,Plan_ID",
          "Commercial,Aetna Choice POS II,AETNA,AET-PPO",
          "commercial,Blue Cross PPO,blue cross blue shield,BCBS-PPO",
          "MEDICARE_FFS,Medicare Part B,medicare,MCR-B",
        ),
        "members.csv": `\uFEFF${csv("SEX,Member_ID,Birth_Date", "f,M1,1950-03-15", "F,M2,1948-11-02", "m,M3,1960-07-20")}`,
        "coverage.csv": ['"member_id","plan_id","start_date","end_date"', '"M1","AET-PPO","2020-01-01",""', "M2,BCBS-PPO,2021-01-01,2025-12-31", "M3,MCR-B,2022-01-01,", ""].join("\r\n"),
        "orders.csv": csv(
          "Status,Indication,Ordering_NPI,Order_Date,Member_ID,Order_ID",
          "ACTIVE,Screening,1234567893,2025-01-10,M1,O1",
          ",FRACTURE,,2025-03-10,M2,O2",
          "Cancelled,monitoring,1234567893,2025-03-05,M3,O3",
        ),
        "claim_lines.csv": csv(
          "DIAGNOSIS_CODES,Paid_Amount,Billed_Amount,Units,Line_Status,Place_Of_Service,Modifiers,Procedure_Code,Service_Date,Claim_Type,Plan_ID,Member_ID,Received_Date,Frequency_Code,Line_Number,Claim_ID,Rendering_NPI",
          "z13820,0,0,01,PAID,11,,3096f,2025-01-10,Professional,AET-PPO,M1,2025-01-20,1,1,C1,1234567893",
          "m81.0,98.5,150,,paid,22,,77080,2025-02-14,professional,AET-PPO,M1,2025-02-20,1,1,C2,1234567893",
          ",0.0,0.00,1,paid,11,,3095F,2025-02-20,professional,AET-PPO,M1,2025-02-25,1,1,C3,1234567893",
          '"s72001a; w19xxxa",7000,9000,1,paid,21,,27236,2025-03-03,INSTITUTIONAL,BCBS-PPO,M2,2025-03-12,1,1,C4,',
          "S72.001A,300,400.0,1,paid,21,,99223,2025-03-03,institutional,BCBS-PPO,M2,2025-03-12,1,2,C4,",
          "S72.001A,0,400,1,Denied,21,,99223,2025-03-03,institutional,BCBS-PPO,M2,2025-04-01,7,2,C4,",
          "M81.0,60,80,1,paid,22,tc,77080,2025-04-02,professional,MCR-B,M3,2025-04-10,1,1,C5,",
          "M810,30.00,40.00,1,paid,22, 26 ,77080,2025-04-02,professional,MCR-B,M3,2025-04-10,1,2,C5,1234567893",
        ),
      });
      const again = await importFolder(db, folder, { importedBy: "test", now: NOW });
      expect(again.problems).toEqual([]);
      expect(again.warnings).toEqual([]);
      expect(again.files.map(({ file, rows, new: n, changed, unchanged }) => ({ file, rows, new: n, changed, unchanged }))).toEqual(
        FILE_ORDER.map((file) => ({ file, ...allUnchanged[file]! })),
      );
      const { derived_snapshots: _a, ...dataBefore } = before;
      const { derived_snapshots: _b, ...dataAfter } = await dumpWarehouse(db);
      expect(dataAfter).toEqual(dataBefore);
    });

    it("a changed value updates exactly that row, a new row is added", async () => {
      const folder = writeImportFolder({
        ...BASE_FILES,
        "plans.csv": BASE_FILES["plans.csv"].replace("Aetna Choice POS II", "Aetna Choice POS III"),
        "members.csv": `${BASE_FILES["members.csv"]}M4,1944-04-04,F\n`,
        "claim_lines.csv": BASE_FILES["claim_lines.csv"].replace(
          "C2,1,1,2025-02-20,M1,AET-PPO,professional,2025-02-14,77080,,22,paid,",
          "C2,1,1,2025-02-20,M1,AET-PPO,professional,2025-02-14,77080,,22,denied,",
        ),
      });
      const result = await importFolder(db, folder, { importedBy: "test", now: NOW });
      expect(result.problems).toEqual([]);
      expect(contractFiles(result.files)).toEqual(
        fileLog(folder, {
          ...allUnchanged,
          "plans.csv": { rows: 3, new: 0, changed: 1, unchanged: 2 },
          "members.csv": { rows: 4, new: 1, changed: 0, unchanged: 3 },
          "claim_lines.csv": { rows: 8, new: 0, changed: 1, unchanged: 7 },
        }),
      );
      expect(await db.query(`SELECT plan_id, plan_name FROM plans ORDER BY plan_id`)).toEqual([
        { plan_id: "AET-PPO", plan_name: "Aetna Choice POS III" },
        { plan_id: "BCBS-PPO", plan_name: "Blue Cross PPO" },
        { plan_id: "MCR-B", plan_name: "Medicare Part B" },
      ]);
      expect(await db.query(`SELECT member_id, birth_date, sex::text AS sex FROM members WHERE member_id = 'M4'`)).toEqual([
        { member_id: "M4", birth_date: "1944-04-04", sex: "F" },
      ]);
      expect(await db.query(`SELECT claim_id, line_status::text AS line_status FROM claim_lines WHERE claim_id = 'C2'`)).toEqual([
        { claim_id: "C2", line_status: "denied" },
      ]);
      // Derived facts follow: the effective line of C2 is now denied.
      expect(await db.query(`SELECT line_status::text AS line_status FROM effective_lines WHERE claim_id = 'C2'`)).toEqual([
        { line_status: "denied" },
      ]);
    });

    it("a claims-only refresh refers to members and plans loaded earlier", async () => {
      const before = await dumpWarehouse(db, ["payers", "plans", "members", "coverage", "ehr_orders"]);
      const folder = writeImportFolder({
        "claim_lines.csv": csv(
          CLAIM_HEADER,
          claim(),
          "C1,1,1,2025-01-20,M1,AET-PPO,professional,2025-01-10,3096F,,11,paid,1,0.00,0.00,1234567893,Z13.820",
        ),
      });
      const result = await importFolder(db, folder, { importedBy: "test", now: NOW });
      expect(result.problems).toEqual([]);
      expect(contractFiles(result.files)).toEqual(fileLog(folder, { "claim_lines.csv": { rows: 2, new: 1, changed: 0, unchanged: 1 } }));
      expect(result.snapshot).toMatchObject({ asOf: "2025-06-01" });
      expect(await dumpWarehouse(db, ["payers", "plans", "members", "coverage", "ehr_orders"])).toEqual(before);
      expect(await db.query(`SELECT count(*)::int AS n FROM claim_lines`)).toEqual([{ n: 9 }]);
    });

    it("unknown extra columns are a warning and the import succeeds", async () => {
      const result = await importFolder(
        db,
        writeImportFolder({ "members.csv": csv("member_id,birth_date,sex,notes", "M4,1944-04-04,F,prefers mail") }),
        { importedBy: "test", now: NOW },
      );
      expect(result.ok).toBe(true);
      expect(result.problems).toEqual([]);
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toMatch(/members\.csv.*notes/);
      expect((await importLogRow(db, result.batchId)).warnings).toEqual(result.warnings);
      expect(await db.query(`SELECT member_id FROM members WHERE member_id = 'M4'`)).toEqual([{ member_id: "M4" }]);
    });

    it("blank lines (a file ending in empty lines) are skipped", async () => {
      const result = await run(db, { "members.csv": `${csv(MEMBERS_HEADER, "M4,1944-04-04,F", "", "M5,1945-05-05,M")}\n\n\n` });
      expect(result.problems).toEqual([]);
      expect(contractFiles(result.files)[0]).toMatchObject({ file: "members.csv", rows: 2, new: 2 });
    });

    it("RFC 4180 quoting round-trips; a name beginning with = is stored as given", async () => {
      const names = ['Gold "Plus", Tier 1', "=SUM(A1:A2)", "=1+2", "@risk plan", "Two-line\nplan name", "Ünïcødé Gesundheit — 健康"];
      const result = await run(db, {
        "plans.csv": csv(
          PLANS_HEADER,
          'Q1,Aetna,"Gold ""Plus"", Tier 1",commercial',
          "Q2,Aetna,=SUM(A1:A2),commercial",
          'Q3,Aetna,"=1+2",commercial',
          "Q4,Aetna,@risk plan,commercial",
          'Q5,Aetna,"Two-line\nplan name",commercial',
          "Q6,Aetna,Ünïcødé Gesundheit — 健康,commercial",
        ),
      });
      expect(result.problems).toEqual([]);
      const rows = await db.query<{ plan_name: string }>(`SELECT plan_name FROM plans WHERE plan_id LIKE 'Q%' ORDER BY plan_id`);
      expect(rows.map((r) => r.plan_name)).toEqual(names);
    });

    it("payers are matched by key or display name ignoring case; another name becomes a payer after the five", async () => {
      const first = await run(db, {
        "plans.csv": csv(
          PLANS_HEADER,
          "PB1,BCBS,One,commercial",
          "PB2,bcbs,Two,commercial",
          "PB3,Blue Cross Blue Shield,Three,commercial",
          "PB4,blue cross blue shield,Four,commercial",
          "PU1,UnitedHealthcare,Five,commercial",
          "PC1,Cigna Health,Six,commercial",
          "PM1,MEDICARE,Seven,medicare_ffs",
          "PH1,Humana,Eight,medicare_advantage",
        ),
      });
      expect(first.problems).toEqual([]);
      const second = await run(db, { "plans.csv": csv(PLANS_HEADER, "PH2,HUMANA,Nine,medicare_advantage") });
      expect(second.problems).toEqual([]);
      expect(await db.query(`SELECT plan_id, payer_key FROM plans WHERE plan_id LIKE 'P__' ORDER BY plan_id`)).toEqual([
        { plan_id: "PB1", payer_key: "bcbs" },
        { plan_id: "PB2", payer_key: "bcbs" },
        { plan_id: "PB3", payer_key: "bcbs" },
        { plan_id: "PB4", payer_key: "bcbs" },
        { plan_id: "PC1", payer_key: "cigna" },
        { plan_id: "PH1", payer_key: "humana" },
        { plan_id: "PH2", payer_key: "humana" },
        { plan_id: "PM1", payer_key: "medicare" },
        { plan_id: "PU1", payer_key: "uhc" },
      ]);
      const payers = await db.query<{ key: string; display_name: string }>(
        `SELECT key, display_name FROM payers ORDER BY sort_order, display_name`,
      );
      expect(payers).toEqual([
        { key: "aetna", display_name: "Aetna" },
        { key: "bcbs", display_name: "Blue Cross Blue Shield" },
        { key: "cigna", display_name: "Cigna Health" },
        { key: "uhc", display_name: "UnitedHealthcare" },
        { key: "medicare", display_name: "Medicare" },
        { key: "humana", display_name: "Humana" },
        { key: "unknown", display_name: "Unknown payer" },
      ]);
    });
  });
});
