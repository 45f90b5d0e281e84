import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdSet } from "@/lib/import/id-set";

// lib/import/id-set.ts keeps the ids an import may refer to as bytes. It must answer as a Set of
// the same strings does, for ids read from a text of lines (the warehouse's), added one by one
// (this import's members and plans), and looked up as strings or as a file's bytes.

const id = fc.oneof(
  fc.constantFrom("", "M1", "M10", "m1", "M 1", "Mé", "Me\u0301", "😀", "\uD800", "\uDC00x", "\uFFFD", "x".repeat(70)),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 6 }),
);

/** No lone surrogate: text from the database or a file is always so (JSON alone can make one). */
const wellFormed = (s: string) => Buffer.from(s, "utf8").toString("utf8") === s;

describe("IdSet answers as a Set of the same ids", () => {
  it("from lines and from adds, asked by string and by bytes", () => {
    fc.assert(
      fc.property(fc.array(id.filter((s) => !s.includes("\n") && wellFormed(s)), { maxLength: 60 }), fc.array(id, { maxLength: 20 }), fc.array(id, { maxLength: 40 }), (lines, added, probes) => {
        const { set, lines: count } = IdSet.ofLines(Buffer.from(lines.join("\n"), "utf8"));
        expect(count).toBe(Math.max(1, lines.length));
        for (const a of added) set.add(a);
        const reference = new Set([...(lines.length > 0 ? lines : [""]), ...added]);
        for (const probe of [...probes, ...lines, ...added]) {
          expect(set.has(probe)).toBe(reference.has(probe));
          if (wellFormed(probe)) {
            const bytes = Buffer.from(`,${probe},`, "utf8");
            expect(set.hasBytes(bytes, 1, bytes.length - 1)).toBe(reference.has(probe));
          }
        }
      }),
      { seed: 11, numRuns: 500 },
    );
  });

  it("grows past its first table and buffer", () => {
    const set = new IdSet();
    for (let i = 0; i < 50_000; i++) set.add(`M${i}`);
    expect(set.size).toBe(50_000);
    expect(set.has("M0") && set.has("M49999") && !set.has("M50000")).toBe(true);
    const { set: fromLines } = IdSet.ofLines(Buffer.from("A\nB\nC"));
    fromLines.add("D");
    expect(["A", "B", "C", "D", "E"].map((x) => fromLines.has(x))).toEqual([true, true, true, true, false]);
  });
});
