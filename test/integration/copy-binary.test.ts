import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BinaryCopyWriter } from "@/lib/import/copy-binary";
import { encoderFor } from "@/lib/import/encoders";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";

// The import writes every value in PostgreSQL's binary COPY format (lib/import/copy-binary.ts).
// Each case goes through a real COPY on each engine and is read back as text: what the server
// stored must be what the text form said, at the edges of every type the import files use.

const COLUMNS = ["t", "d", "i", "s", "n", "a", "e"] as const;
const TYPES = ["text", "date", "integer", "smallint", "numeric(14,2)", "text[]", "line_status"] as const;

type Case = Partial<Record<(typeof COLUMNS)[number], string | null>>;

const CASES: { name: string; row: Case; stored: Case }[] = [
  { name: "the PostgreSQL epoch", row: { d: "2000-01-01" }, stored: { d: "2000-01-01" } },
  { name: "a date before 2000", row: { d: "1999-12-31" }, stored: { d: "1999-12-31" } },
  { name: "29 February of a leap year", row: { d: "2024-02-29" }, stored: { d: "2024-02-29" } },
  { name: "29 February 2000 (a 400-year leap year)", row: { d: "2000-02-29" }, stored: { d: "2000-02-29" } },
  { name: "1 March 1900 (1900 was not a leap year)", row: { d: "1900-03-01" }, stored: { d: "1900-03-01" } },
  { name: "an early birth date", row: { d: "1901-01-01" }, stored: { d: "1901-01-01" } },
  { name: "the last day there is", row: { d: "9999-12-31" }, stored: { d: "9999-12-31" } },
  { name: "a zero amount", row: { n: "0" }, stored: { n: "0.00" } },
  { name: "zero written with decimals", row: { n: "0.00" }, stored: { n: "0.00" } },
  { name: "cents only", row: { n: "0.05" }, stored: { n: "0.05" } },
  { name: "one decimal", row: { n: "0.5" }, stored: { n: "0.50" } },
  { name: "a whole amount", row: { n: "147" }, stored: { n: "147.00" } },
  { name: "an amount with cents", row: { n: "147.02" }, stored: { n: "147.02" } },
  { name: "exactly 10,000 (a trailing zero group)", row: { n: "10000" }, stored: { n: "10000.00" } },
  { name: "10,000.5 (a zero group inside)", row: { n: "10000.5" }, stored: { n: "10000.50" } },
  { name: "100,000,000 (two trailing zero groups)", row: { n: "100000000" }, stored: { n: "100000000.00" } },
  { name: "the largest amount", row: { n: "999999999999.99" }, stored: { n: "999999999999.99" } },
  { name: "an empty array", row: { a: "{}" }, stored: { a: "{}" } },
  { name: "one element", row: { a: "{TC}" }, stored: { a: "{TC}" } },
  { name: "twelve elements", row: { a: "{A1,B2,C3,D4,E5,F6,G7,H8,I9,J10,K11,L12}" }, stored: { a: "{A1,B2,C3,D4,E5,F6,G7,H8,I9,J10,K11,L12}" } },
  { name: "UTF-8 text: accents, CJK and an emoji", row: { t: "Zoë 北京 🦴" }, stored: { t: "Zoë 北京 🦴" } },
  { name: "text that CSV would have to quote", row: { t: 'a,"b"\nc' }, stored: { t: 'a,"b"\nc' } },
  { name: "an empty string is not NULL", row: { t: "" }, stored: { t: "" } },
  { name: "the largest integer and smallint the files allow", row: { i: "999999999", s: "32767" }, stored: { i: "999999999", s: "32767" } },
  { name: "an enum label", row: { e: "denied" }, stored: { e: "denied" } },
  { name: "NULL in every column", row: {}, stored: {} },
];

/** One COPY stream of `rows` (id first), framed as the database client frames it. */
function encode(rows: Case[]): Buffer<ArrayBuffer> {
  const out = new BinaryCopyWriter(64); // small, so that the buffer grows within the test
  const encoders = TYPES.map((t) => encoderFor(t));
  rows.forEach((row, id) => {
    out.beginRow(1 + COLUMNS.length);
    out.int32(id);
    COLUMNS.forEach((column, i) => {
      const value = row[column];
      if (value === undefined || value === null) out.null();
      else encoders[i]!(out, value);
    });
  });
  return out.take();
}

describe.each(ENGINES)("binary COPY on %s", (engine) => {
  let db: TestDatabase;
  let stored: Record<string, string | null>[];

  beforeAll(async () => {
    db = await freshDatabase(engine);
    await db.exec(`CREATE TEMP TABLE copy_cases (id integer, ${COLUMNS.map((c, i) => `${c} ${TYPES[i]}`).join(", ")})`);
    const copy = await db.copyIn("copy_cases", ["id", ...COLUMNS]);
    await copy.write(encode(CASES.map((c) => c.row)));
    await copy.end();
    stored = await db.query(`SELECT id, ${COLUMNS.map((c) => `${c}::text AS ${c}`).join(", ")} FROM copy_cases ORDER BY id`);
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it("stores one row per case", () => {
    expect(stored).toHaveLength(CASES.length);
  });

  it.each(CASES.map((c, id) => [c.name, id, c.stored] as const))("%s", (_name, id, expected) => {
    const row = stored[id]!;
    for (const column of COLUMNS) expect(row[column], column).toBe(expected[column] ?? null);
  });

  it("a COPY that breaks a rule fails with the server's error and leaves the connection usable", async () => {
    await db.exec(`CREATE TEMP TABLE copy_keyed (id integer PRIMARY KEY)`);
    const out = new BinaryCopyWriter();
    for (const id of [1, 2, 1]) {
      out.beginRow(1);
      out.int32(id);
    }
    const failed = db.transaction(async (tx) => {
      const copy = await tx.copyIn("copy_keyed", ["id"]);
      await copy.write(out.take());
      await copy.end();
    });
    await expect(failed).rejects.toMatchObject({ code: "23505" });
    expect(await db.query(`SELECT count(*)::int AS n FROM copy_keyed`)).toEqual([{ n: 0 }]);
  });

  it("a COPY abandoned by its writer (the file could not be read on) is rolled back, and the connection stays usable", async () => {
    await db.exec(`CREATE TEMP TABLE copy_abandoned (id integer)`);
    const out = new BinaryCopyWriter();
    out.beginRow(1);
    out.int32(7);
    const failed = db.transaction(async (tx) => {
      const copy = await tx.copyIn("copy_abandoned", ["id"]);
      await copy.write(out.take());
      const reason = new Error("the reader failed");
      await copy.abort(reason);
      throw reason;
    });
    await expect(failed).rejects.toThrow("the reader failed");
    expect(await db.query(`SELECT count(*)::int AS n FROM copy_abandoned`)).toEqual([{ n: 0 }]);
  });
});
