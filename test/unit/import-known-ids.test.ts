import { describe, expect, it } from "vitest";
import type { Sql } from "@/db/client";
import { KnownIds } from "@/lib/import/known-ids";

// When an import reads the warehouse's member ids before a file, and when it asks about the
// file's ids afterwards instead (lib/import/known-ids.ts): by the file's size beside the table.

/** A database whose members table the planner counts as `rows`; records what it was asked. */
function warehouseOf(rows: number): { sql: Sql; asked: string[] } {
  const asked: string[] = [];
  const sql = {
    engine: "postgres",
    async query(text: string) {
      asked.push(text.includes("reltuples") ? "count" : text.includes("string_agg") ? "ids" : "other");
      if (text.includes("reltuples")) return [{ rows }];
      return [{ ids: "M1\nM2", n: 2 }];
    },
  } as unknown as Sql;
  return { sql, asked };
}

const MB = 1 << 20;

describe("KnownIds: loaded or deferred", () => {
  it.each([
    // 16 bytes of file per member: 32,000,000 bytes for 2,000,000 members.
    { rows: 2_000_000, bytes: 20.6 * MB, deferred: true, why: "a monthly refresh's 20.6 MB against 2,000,000 members" },
    { rows: 2_000_000, bytes: 31_999_999, deferred: true, why: "just under 16 bytes a member" },
    { rows: 2_000_000, bytes: 32_000_000, deferred: false, why: "16 bytes a member" },
    { rows: 2_000_000, bytes: 701 * MB, deferred: false, why: "a first load's 701 MB" },
    { rows: 3, bytes: 500, deferred: false, why: "a file larger than a small table's ids" },
    { rows: 0, bytes: 10, deferred: false, why: "an empty table" },
    { rows: -1, bytes: 10, deferred: false, why: "a table never analysed (no estimate)" },
  ])("$why: deferred $deferred", async ({ rows, bytes, deferred }) => {
    const { sql, asked } = warehouseOf(rows);
    const known = new KnownIds();
    await known.prepare(sql, ["member"], bytes);
    expect(asked).toEqual(deferred ? ["count"] : ["count", "ids"]);
    // Loaded, an id the table lacks is unknown at once; deferred, it passes until checked.
    expect(known.has("member", "M404", 2)).toBe(deferred);
    expect(known.has("member", "M1", 3)).toBe(true);
  });

  it("reads the table's ids once per import, for the first file that needs them loaded", async () => {
    const { sql, asked } = warehouseOf(2_000_000);
    const known = new KnownIds();
    await known.prepare(sql, ["member"], 701 * MB);
    await known.prepare(sql, ["member"], 1 * MB);
    expect(asked).toEqual(["count", "ids"]);
    expect(known.has("member", "M404", 2)).toBe(false);
  });

  it("checks the deferred ids in one query and names each line of an unknown one, in line order", async () => {
    const queries: { text: string; params: unknown[] }[] = [];
    const sql = {
      engine: "postgres",
      async query(text: string, params: unknown[] = []) {
        queries.push({ text, params });
        if (text.includes("reltuples")) return [{ rows: 2_000_000 }];
        return [{ id: "M404" }];
      },
    } as unknown as Sql;
    const known = new KnownIds();
    await known.prepare(sql, ["member"], MB);
    known.has("member", "M404", 3);
    known.again("member", 4);
    known.has("member", "M1", 5);
    known.again("member", 6);
    known.has("member", "M404", 9);
    const problems = { added: [] as string[], add(file: string, line: number, column: string, value: string) { this.added.push(`${file}:${line}: ${column}: ${value}`); } };
    await known.checkDeferred(sql, "claim_lines.csv", [{ column: "member_id", kind: "member" }], problems as never);
    expect(queries.at(-1)!.params).toEqual([["M404", "M1"]]);
    expect(problems.added).toEqual(["claim_lines.csv:3: member_id: M404", "claim_lines.csv:4: member_id: M404", "claim_lines.csv:9: member_id: M404"]);
  });
});
