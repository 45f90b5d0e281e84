import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MEASURE_NAMES } from "@/lib/format";
import { MEASURE_KEYS } from "@/lib/measures/types";
import { MEASURE_SUMMARY_COLUMNS, ORDERS_COLUMNS, RECONCILIATION_COLUMNS } from "@/lib/reports";

// The product's own user documentation (issue 13, item 25): it lives in docs/, stands on its own
// in a clone (no link outside the repository), every link and anchor resolves, and it covers
// each measure, the import files with an example folder, each report's columns, and each role.

const ROOT = path.resolve(import.meta.dirname, "../..");
const DOCS = ["docs/README.md", "docs/measures.md", "docs/import.md", "docs/reports.md", "docs/roles/quality-officer.md", "docs/roles/payer-relations.md", "docs/roles/data-steward.md", "docs/roles/admin.md"];
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/** GitHub's anchor of a heading. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .replace(/\s/g, "-");

describe("docs/", () => {
  it.each(DOCS)("%s exists, points nowhere outside the repository, and its links resolve", (file) => {
    const text = read(file);
    expect(text).not.toMatch(/\.\.\/shared|shared\/SPEC|SPEC section/);
    for (const [, target] of text.matchAll(/\]\(([^)]+)\)/g)) {
      if (/^https?:/.test(target!)) continue;
      const [relative, anchor] = target!.split("#");
      const linked = relative ? path.join(path.dirname(file), relative) : file;
      expect(existsSync(path.join(ROOT, linked)), `${file} → ${target}`).toBe(true);
      if (anchor) {
        const headings = [...read(linked).matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!));
        expect(headings, `${file} → ${target}`).toContain(anchor);
      }
    }
  });

  it("is reachable from its index, and the index links every page", () => {
    const index = read("docs/README.md");
    for (const file of DOCS.slice(1)) expect(index).toContain(`(${path.relative("docs", file)})`);
    expect(index).toContain("(access.md)");
  });

  it("defines every measure with its window and pending count", () => {
    const text = read("docs/measures.md");
    for (const key of MEASURE_KEYS) expect(text).toContain(MEASURE_NAMES[key]);
    for (const term of ["follow-up window", "Pending", "Unknown payer", "95% interval", "Low volume", "provisional", "<11", "≥11", "180 days", "14 days"]) expect(text).toContain(term);
  });

  it("gives the import files and an example folder that exists", () => {
    const text = read("docs/import.md");
    for (const file of ["plans.csv", "members.csv", "coverage.csv", "orders.csv", "claim_lines.csv"]) expect(text).toContain(`\`${file}\``);
    const example = /\*\*`(test\/fixtures\/[^`]+)`\*\*/.exec(text)?.[1];
    expect(example).toBe("test/fixtures/public-deck/data/");
    expect(existsSync(path.join(ROOT, example!, "claim_lines.csv"))).toBe(true);
  });

  it("names every column of every report, in the product's own words", () => {
    const text = read("docs/reports.md");
    for (const column of [...MEASURE_SUMMARY_COLUMNS, ...ORDERS_COLUMNS, ...RECONCILIATION_COLUMNS]) expect(text, column).toContain(`\`${column}\``);
    for (const term of ["for-sharing-small-cells-hidden", "bom=1", "series", "byte-order mark"]) expect(text).toContain(term);
  });

  it("has a page per role, each pointing to docs/access.md for sign-in and roles", () => {
    for (const role of ["quality-officer", "payer-relations", "data-steward", "admin"]) expect(read(`docs/roles/${role}.md`)).toContain("(../access.md");
  });
});
