import { afterAll, beforeEach, afterEach, describe, expect, it, vi } from "vitest";
import { importFolder, type ImportResult } from "@/lib/import";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { BASE_FILES, NOW, dumpWarehouse, expectProblem, removeImportFolders, writeImportFolder, type FolderFiles } from "../support/import-folders";

// SPEC section 11, "CSV as people write it": line ends CRLF, LF or a mix of both in one file
// (a Windows file to which a Unix editor appended rows), a lone CR, a UTF-8 byte-order mark,
// empty lines at the end. Line numbers in problems are physical lines. And issue 13, item 21:
// a refused file still reports the rows it holds.

const ORDERS_HEADER = "order_id,member_id,order_date,ordering_npi,indication,status";
const PLANS_HEADER = "plan_id,payer,plan_name,product_line";

vi.setConfig({ testTimeout: 30_000 });
afterAll(() => removeImportFolders());

describe.each(ENGINES)("CSV as people write it, on %s", (engine) => {
  let db: TestDatabase;
  const run = (files: FolderFiles): Promise<ImportResult> => importFolder(db, writeImportFolder(files), { importedBy: "test", now: NOW });

  beforeEach(async () => {
    db = await freshDatabase(engine);
    expect((await run(BASE_FILES)).problems).toEqual([]);
  });
  afterEach(() => db?.dispose());

  it("CRLF lines with LF-ended rows appended: each row is read, and its own problems are named on its line", async () => {
    const before = await dumpWarehouse(db);
    const orders =
      `${ORDERS_HEADER}\r\n` +
      "O10,M1,2025-05-01,,screening,active\r\n" +
      "O11,M1,2025-05-02,,screening,active\r\n" +
      // Appended by an editor that writes LF:
      "O12,M1,2025-02-30,,screening,active\n" +
      "O13,M404,2025-05-03,,screening,active\n" +
      "O14,M1,2025-05-04,,sideways,active\n";
    const result = await run({ "orders.csv": orders });
    expect(result.ok).toBe(false);
    expect(result.files.map((f) => [f.file, f.rows])).toEqual([["orders.csv", 5]]);
    expect(result.problems).toHaveLength(3);
    expectProblem(result.problems, { file: "orders.csv", line: 4, column: "order_date", value: "2025-02-30", reason: /calendar date/ });
    expectProblem(result.problems, { file: "orders.csv", line: 5, column: "member_id", value: "M404", reason: /unknown member/ });
    expectProblem(result.problems, { file: "orders.csv", line: 6, column: "indication", value: "sideways", reason: /one of screening/ });
    expect(await dumpWarehouse(db)).toEqual(before);
  });

  it("a valid file with CRLF, LF and CR line ends and a byte-order mark imports every row, with no CR left in a value", async () => {
    const orders =
      `\uFEFF${ORDERS_HEADER}\r\n` +
      "O10,M1,2025-05-01,,screening,active\r\n" +
      "O11,M2,2025-05-02,,fracture,cancelled\n" +
      "O12,M3,2025-05-03,,monitoring,active\r" +
      "O13,M1,2025-05-04,,other,\r\n";
    const result = await run({ "orders.csv": orders });
    expect(result.problems).toEqual([]);
    expect(result.files.map((f) => [f.file, f.rows, f.new])).toEqual([["orders.csv", 4, 4]]);
    const rows = await db.query<{ order_id: string; member_id: string; indication: string; status: string }>(
      `SELECT order_id, member_id, indication::text AS indication, status::text AS status, source_line FROM ehr_orders WHERE order_id IN ('O10', 'O11', 'O12', 'O13') ORDER BY order_id`,
    );
    expect(rows).toEqual([
      { order_id: "O10", member_id: "M1", indication: "screening", status: "active", source_line: 2 },
      { order_id: "O11", member_id: "M2", indication: "fracture", status: "cancelled", source_line: 3 },
      { order_id: "O12", member_id: "M3", indication: "monitoring", status: "active", source_line: 4 },
      { order_id: "O13", member_id: "M1", indication: "other", status: "active", source_line: 5 },
    ]);
  });

  it("empty lines at the end — CRLF, spaces, a spreadsheet's row of commas — are skipped", async () => {
    const members = "member_id,birth_date,sex\r\nM4,1944-04-04,F\r\nM5,1945-05-05,M\r\n\r\n   \r\n,,\r\n\r\n";
    const result = await run({ "members.csv": members });
    expect(result.problems).toEqual([]);
    expect(result.files.map((f) => [f.file, f.rows, f.new])).toEqual([["members.csv", 2, 2]]);
  });

  it("a quoted cell over two CRLF lines counts both lines; its line end is kept as LF", async () => {
    const plans = `${PLANS_HEADER}\r\nP50,Aetna,"Two-line\r\nplan name",commercial\r\nP51,Aetna,Fifty-one,hmo\nP52,Aetna,"Three\rline\r\nname",medicaid\r\nP53,Aetna,Fifty-three,hmo\r\n`;
    const refused = await run({ "plans.csv": plans });
    expect(refused.problems).toHaveLength(2);
    expectProblem(refused.problems, { file: "plans.csv", line: 4, column: "product_line", value: "hmo", reason: /one of/ });
    expectProblem(refused.problems, { file: "plans.csv", line: 8, column: "product_line", value: "hmo", reason: /one of/ });
    const accepted = await run({ "plans.csv": plans.replaceAll(",hmo", ",commercial") });
    expect(accepted.problems).toEqual([]);
    expect(await db.query(`SELECT plan_id, plan_name, source_line FROM plans WHERE plan_id LIKE 'P5_' ORDER BY plan_id`)).toEqual([
      { plan_id: "P50", plan_name: "Two-line\nplan name", source_line: 2 },
      { plan_id: "P51", plan_name: "Fifty-one", source_line: 4 },
      { plan_id: "P52", plan_name: "Three\nline\nname", source_line: 5 },
      { plan_id: "P53", plan_name: "Fifty-three", source_line: 8 },
    ]);
  });

  it("a file refused for its header still reports how many rows it holds; a misnamed file is listed as not read", async () => {
    const result = await run({
      "members.csv": "member_id,sex\r\nM7,F\r\nM8,M\r\n",
      "claims.csv": "claim_id\nC1\n",
    });
    expect(result.ok).toBe(false);
    expect(result.files.map((f) => [f.file, f.rows])).toEqual([["members.csv", 2]]);
    expect(result.unreadFiles).toEqual(["claims.csv"]);
    expect(result.problems).toHaveLength(2);
    expectProblem(result.problems, { file: "members.csv", line: 1, column: "birth_date", value: "", reason: /required column.*missing/ });
    expectProblem(result.problems, { file: "claims.csv", line: 1, column: "-", value: "", reason: /unknown file name/ });
  });
});
