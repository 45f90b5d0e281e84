import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import type { Sql } from "@/db/client";
import { FILE_SPECS, type FileSpec } from "@/lib/import/files";
import { KnownIds } from "@/lib/import/known-ids";
import { ProblemLog } from "@/lib/import/problems";
import { readImportFile } from "@/lib/import/read-file";

// lib/import/read-file.ts reads plain lines (ASCII, no quote, LF or CRLF) from their bytes and
// hands the file to Papa Parse from the first line that is not. Whatever the file, both ways
// must give the same: the same binary COPY bytes, the same problems (file, line, column, value,
// reason), the same row counts, checksum and warnings, and the same ids made known. Each file is
// read both ways and compared.

const dir = mkdtempSync(path.join(os.tmpdir(), "dxa-byte-reader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The warehouse's members and plans, as KnownIds reads them. */
const fakeSql = {
  engine: "postgres",
  async query(text: string) {
    return [text.includes("member_id") ? { ids: "M1\nM2\nM 3\nMé", n: 4 } : { ids: "AET-PPO\nMCR-B", n: 2 }];
  },
} as unknown as Sql;

type Read = { bytes: string; problems: string[]; count: number; digest: unknown; known: boolean[] };

async function read(spec: FileSpec, file: string, bytes: boolean): Promise<Read> {
  const known = new KnownIds();
  await known.prepare(fakeSql, ["member", "plan"], 0, false);
  const problems = new ProblemLog();
  const chunks: Buffer[] = [];
  const sink = { chunkBytes: 100, write: async (rows: Uint8Array) => void chunks.push(Buffer.from(rows)) };
  const digest = await readImportFile(spec, file, { batchId: 7, ctx: { today: "2025-09-30" }, known, problems }, sink, { bytes });
  const probes = ["M1", "MM1", "MM2", "PP1", "PP2", "M 3", "M404"];
  return {
    bytes: Buffer.concat(chunks).toString("hex"),
    problems: problems.messages,
    count: problems.count,
    digest,
    known: probes.flatMap((id) => [known.has("member", id, 0), known.has("plan", id, 0)]),
  };
}

async function expectSame(name: string, content: Buffer | string): Promise<Read> {
  const spec = FILE_SPECS.find((s) => s.file === name)!;
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}-${name}`);
  writeFileSync(file, content);
  const byBytes = await read(spec, file, true);
  const asText = await read(spec, file, false);
  // A file that is not text is refused whole: rows sent before its first bad byte are rolled
  // back with it, and the text reader's 64 KB reads make how many were sent arbitrary anyway.
  if (asText.problems.some((p) => /not UTF-8|NUL bytes/.test(p))) byBytes.bytes = asText.bytes;
  expect(byBytes).toEqual(asText);
  rmSync(file);
  return byBytes;
}

const CLAIM_HEADER =
  "claim_id,line_number,frequency_code,received_date,member_id,plan_id,claim_type,service_date,procedure_code,modifiers,place_of_service,line_status,units,billed_amount,paid_amount,rendering_npi,diagnosis_codes";

const odd = fc.constantFrom(
  "",
  " ",
  "  x ",
  "\t1",
  "0",
  "00",
  "007",
  "-1",
  "1e3",
  "999999999",
  "1000000000",
  "2147483648",
  "12.345",
  "0.5",
  ".5",
  "5.",
  "1234567890123.00",
  "123456789012.99",
  "2024-02-29",
  "2023-02-29",
  "2025-13-01",
  "0000-01-01",
  "2025-1-1",
  "1234567893",
  "1234567890",
  "123456789",
  "g0130",
  "G0130",
  "3096f",
  "77080 ",
  "PAID",
  "Paid",
  "paid",
  "Professional",
  "tc;26",
  "TC;26;59;XU;GA",
  "M81.0;S72.001A",
  "m81.0",
  "Z00",
  "Mé",
  "M 3",
  "M404",
  "x".repeat(65),
  "x".repeat(64),
  "é",
  "a\u0000b",
  '"quoted"',
  '"a,b"',
  "\uFEFF",
  "7",
  "8",
  "1",
);

const validClaim = fc.tuple(
  fc.integer({ min: 1, max: 5 }).map((i) => `C${i}`),
  fc.constantFrom("1", "2", "10"),
  fc.constantFrom("1", "7", "8"),
  fc.constantFrom("2025-01-10", "2024-02-29", "2025-03-03"),
  fc.constantFrom("M1", "M2"),
  fc.constantFrom("AET-PPO", "MCR-B"),
  fc.constantFrom("professional", "institutional"),
  fc.constantFrom("2025-01-10", "2025-03-03"),
  fc.constantFrom("77080", "3096F", "G0130"),
  fc.constantFrom("", "TC", "26;59"),
  fc.constantFrom("", "11", "22"),
  fc.constantFrom("paid", "denied", "pending"),
  fc.constantFrom("", "1", "2"),
  fc.constantFrom("", "150.00", "0", "12.5", "98.50"),
  fc.constantFrom("", "98.50", "0.00"),
  fc.constantFrom("", "1234567893"),
  fc.constantFrom("", "M81.0", "S72.001A;W19.XXXA", "Z13.820"),
);

const lineEnd = fc.constantFrom("\n", "\n", "\n", "\r\n", "\r");

/** Rows that repeat the row before (as claims do) and rows with one cell changed to an odd one. */
function claimFile(): fc.Arbitrary<string> {
  return fc
    .record({
      rows: fc.array(fc.tuple(validClaim, fc.option(fc.tuple(fc.nat(16), odd), { freq: 3 }), fc.boolean()), { maxLength: 12 }),
      ends: fc.array(lineEnd, { minLength: 14, maxLength: 14 }),
      bom: fc.constantFrom("", "\uFEFF"),
      blank: fc.option(fc.tuple(fc.nat(14), fc.constantFrom("", "  ", ",,,")), { freq: 3 }),
      extra: fc.option(fc.nat(14), { freq: 4 }),
      header: fc.constantFrom(CLAIM_HEADER, CLAIM_HEADER.toUpperCase(), `${CLAIM_HEADER},notes`, CLAIM_HEADER.replace("units,", "")),
    })
    .map(({ rows, ends, bom, blank, extra, header }) => {
      const columns = header.split(",").length;
      let previous: string[] | null = null;
      const lines = [
        header,
        ...rows.map(([cells, change, repeat], i) => {
          let row = repeat && previous ? [...previous] : [...cells];
          if (change) row[change[0]] = change[1];
          if (extra === i) row = [...row, "x"];
          previous = row;
          return row.slice(0, columns).concat(row.length < columns ? ["x"] : []).join(",");
        }),
      ];
      if (blank) lines.splice(1 + (blank[0] % lines.length), 0, blank[1]);
      return bom + lines.map((line, i) => line + ends[i % ends.length]).join("");
    });
}

describe("the byte reader and the text reader give the same", () => {
  it("on claim lines: valid, repeated, odd cells, blank lines, CRLF and CR, a byte-order mark", async () => {
    await fc.assert(
      fc.asyncProperty(claimFile(), async (content) => {
        await expectSame("claim_lines.csv", content);
      }),
      { seed: 20261129, numRuns: 400 },
    );
  });

  it("on members and coverage (the ids made known, the row rule)", async () => {
    const members = fc.array(
      fc.tuple(fc.constantFrom("MM1", "MM2", " MM1", "MM1 ", "", "x".repeat(65)), fc.constantFrom("1950-01-01", "2025-10-01", "19500101"), fc.constantFrom("F", "f", "M", "X", "")),
      { maxLength: 6 },
    );
    await fc.assert(
      fc.asyncProperty(members, lineEnd, async (rows, end) => {
        await expectSame("members.csv", ["member_id,birth_date,sex", ...rows.map((r) => r.join(","))].join(end));
      }),
      { seed: 7, numRuns: 150 },
    );
    const coverage = fc.array(
      fc.tuple(fc.constantFrom("M1", "M404", "M 3", "Mé"), fc.constantFrom("AET-PPO", "PP9"), fc.constantFrom("2025-01-01", "2025-13-01"), fc.constantFrom("", "2024-12-31", "2025-12-31")),
      { maxLength: 6 },
    );
    await fc.assert(
      fc.asyncProperty(coverage, async (rows) => {
        await expectSame("coverage.csv", ["member_id,plan_id,start_date,end_date", ...rows.map((r) => r.join(","))].join("\n"));
      }),
      { seed: 8, numRuns: 150 },
    );
  });

  it("on files the byte reader leaves early or at once: quotes, NUL, bytes that are not UTF-8, a long line, no header", async () => {
    const row = "C1,1,1,2025-01-10,M1,AET-PPO,professional,2025-01-10,77080,,11,paid,1,150.00,98.50,1234567893,M81.0";
    const cases: (string | Buffer)[] = [
      "",
      "\uFEFF",
      "\n\n",
      `${CLAIM_HEADER}\n${row}\n"C2",1,1,2025-01-10,M1,AET-PPO,professional,2025-01-10,77080,,11,paid,1,1,1,,"M81.0;\nZ00"\n${row}\n`,
      `${CLAIM_HEADER}\n${row}\n${row.replace("C1", 'C"1')}\n`,
      `${CLAIM_HEADER}\n${row}\n${row.replace("C1", "C\u00001")}\n`,
      Buffer.concat([Buffer.from(`${CLAIM_HEADER}\n${row}\n`), Buffer.from([0x43, 0xff, 0x0a])]),
      `${CLAIM_HEADER}\n${row}\n${row.replace("C1", "C".repeat(70_000))}\n${row}`,
      `${CLAIM_HEADER}\r${row}\r${row}\r`,
      `${CLAIM_HEADER}\n${row}\n\uFEFF${row}\n`,
      `"claim_id",${CLAIM_HEADER.slice(9)}\n${row}\n`,
      `${CLAIM_HEADER.replace("claim_id,", "")}\n${row}\n${row}\n`,
      `${CLAIM_HEADER},claim_id\n${row},x\n`,
      `${row}\n`,
    ];
    for (const content of cases) await expectSame("claim_lines.csv", content);
  });

  it("reads a plain file from its bytes alone, and its rows are all loaded", async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `C${i},1,1,2025-01-10,M${1 + (i % 2)},AET-PPO,professional,2025-01-10,77080,,11,paid,1,150.00,98.50,1234567893,M81.0`);
    const result = await expectSame("claim_lines.csv", `${CLAIM_HEADER}\r\n${rows.join("\r\n")}\r\n`);
    expect(result.count).toBe(0);
    expect(result.digest).toMatchObject({ rows: 300, validRows: 300 });
  });
});
