import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateDataset, isValidNpi, makeNpi } from "@/lib/generate";
import { Random } from "@/lib/generate/prng";

// The columns of SPEC section 3, written out here rather than imported, so that a change to
// the generator's column list cannot silently pass.
const SPEC_COLUMNS = {
  "plans.csv": ["plan_id", "payer", "plan_name", "product_line"],
  "members.csv": ["member_id", "birth_date", "sex"],
  "coverage.csv": ["member_id", "plan_id", "start_date", "end_date"],
  "orders.csv": ["order_id", "member_id", "order_date", "ordering_npi", "indication", "status"],
  "claim_lines.csv": [
    "claim_id", "line_number", "frequency_code", "received_date", "member_id", "plan_id", "claim_type",
    "service_date", "procedure_code", "modifiers", "place_of_service", "line_status", "units",
    "billed_amount", "paid_amount", "rendering_npi", "diagnosis_codes",
  ],
} as const;
type FileName = keyof typeof SPEC_COLUMNS;
type RowOf<F extends FileName> = Record<(typeof SPEC_COLUMNS)[F][number], string>;
type ClaimLine = RowOf<"claim_lines.csv">;
const FILES = Object.keys(SPEC_COLUMNS) as FileName[];
const END_DATE = "2026-06-30";
const MEMBERS = 2_000;

interface ParsedFile {
  header: string[];
  rows: Record<string, string>[];
}

/** Parses a file back as an importer would (RFC 4180), one object per row keyed by column. */
function readCsv(dir: string, name: string): ParsedFile {
  const records = parse(readFileSync(join(dir, name), "utf8")) as string[][];
  const [header = [], ...body] = records;
  return { header, rows: body.map((r) => Object.fromEntries(header.map((column, i) => [column, r[i] ?? ""]))) };
}

function hashFolder(dir: string): string {
  const hash = createHash("sha256");
  for (const name of FILES) hash.update(name).update(readFileSync(join(dir, name)));
  return hash.digest("hex");
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  return new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
}

const DAY_MS = 86_400_000;
const daysBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / DAY_MS;

/** Diagnosis codes as D6 reads them: upper case, no dot. */
const normalisedCodes = (list: string) => (list === "" ? [] : list.split(";").map((c) => c.toUpperCase().replace(".", "")));

/** The keys of SPEC section 3 must be unique within the import. */
function duplicates<R>(rows: R[], key: (row: R) => string): string[] {
  const seen = new Set<string>();
  return rows.map(key).filter((k) => (seen.has(k) ? true : (seen.add(k), false)));
}

describe("NPI check digit", () => {
  it("appends the Luhn digit computed over 80840 + the first 9 digits", () => {
    expect(makeNpi("123456789")).toBe("1234567893");
    expect(isValidNpi("1234567893")).toBe(true);
    expect(isValidNpi("1234567890")).toBe(false);
    expect(isValidNpi("123456789")).toBe(false);
  });

  it("always makes NPIs that pass the check", () => {
    const rng = new Random(7);
    for (let i = 0; i < 1_000; i++) {
      const npi = makeNpi(String(rng.int(100_000_000, 299_999_999)));
      expect(isValidNpi(npi), npi).toBe(true);
    }
  });
});

describe("Random", () => {
  it("repeats its sequence for a seed and differs between seeds", () => {
    const draws = (seed: number) => {
      const rng = new Random(seed);
      return Array.from({ length: 5 }, () => rng.uint32());
    };
    expect(draws(1)).toEqual(draws(1));
    expect(draws(1)).not.toEqual(draws(2));
  });
});

describe("generateDataset", () => {
  const root = mkdtempSync(join(tmpdir(), "dxa-generate-"));
  const first = join(root, "seed1-a");
  const again = join(root, "seed1-b");
  const other = join(root, "seed2");
  let summary: Awaited<ReturnType<typeof generateDataset>>;
  const data: Partial<Record<FileName, ParsedFile>> = {};
  // The header test proves every column is present, which makes the cast to the row type sound.
  const rowsOf = <F extends FileName>(name: F) => (data[name]?.rows ?? []) as RowOf<F>[];

  beforeAll(async () => {
    summary = await generateDataset({ members: MEMBERS, seed: 1, outDir: first, endDate: END_DATE });
    await generateDataset({ members: MEMBERS, seed: 1, outDir: again, endDate: END_DATE });
    await generateDataset({ members: MEMBERS, seed: 2, outDir: other, endDate: END_DATE });
    for (const name of FILES) data[name] = readCsv(first, name);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("gives byte-identical files for the same seed and different ones for another", () => {
    expect(hashFolder(again)).toBe(hashFolder(first));
    expect(hashFolder(other)).not.toBe(hashFolder(first));
  });

  it("reports the files it wrote with their row counts", () => {
    expect(summary.files.map((f) => f.name).sort()).toEqual([...FILES].sort());
    for (const file of summary.files) {
      expect(file.rows, file.name).toBe(data[file.name as FileName]?.rows.length);
      expect(file.bytes, file.name).toBe(readFileSync(join(first, file.name)).length);
    }
    expect(rowsOf("members.csv")).toHaveLength(MEMBERS);
  });

  it("writes exactly the SPEC's header of each file", () => {
    for (const name of FILES) expect(data[name]?.header, name).toEqual(SPEC_COLUMNS[name]);
  });

  it("has about 1 order per 2 members and about 3 claim lines per member", () => {
    expect(rowsOf("orders.csv").length / MEMBERS).toBeGreaterThan(0.35);
    expect(rowsOf("orders.csv").length / MEMBERS).toBeLessThan(0.65);
    expect(rowsOf("claim_lines.csv").length / MEMBERS).toBeGreaterThan(2.4);
    expect(rowsOf("claim_lines.csv").length / MEMBERS).toBeLessThan(3.6);
  });

  it("passes the validation rules of SPEC section 3 on every row", () => {
    // Problems are collected as `file:line: column: value: reason`, like the importer's, so a
    // failure names every bad row at once.
    const problems: string[] = [];
    function check<F extends FileName>(file: F, rule: (row: RowOf<F>) => [column: keyof RowOf<F> & string, ok: boolean, reason: string][]): void {
      rowsOf(file).forEach((row, i) => {
        for (const [column, ok, reason] of rule(row)) {
          if (!ok) problems.push(`${file}:${i + 2}: ${column}: ${row[column]}: ${reason}`);
        }
      });
    }
    const optional = (value: string, valid: (v: string) => boolean) => value === "" || valid(value);
    const productLines = ["commercial", "medicare_advantage", "medicare_ffs", "medicaid", "other"];
    const planIds = new Set(rowsOf("plans.csv").map((p) => p.plan_id));
    const memberIds = new Set(rowsOf("members.csv").map((m) => m.member_id));

    check("plans.csv", (p) => [
      ["plan_id", p.plan_id.length >= 1 && p.plan_id.length <= 64, "1–64 characters"],
      ["payer", p.payer.length >= 1, "required"],
      ["plan_name", p.plan_name.length >= 1 && p.plan_name.length <= 200, "1–200 characters"],
      ["product_line", productLines.includes(p.product_line), "not a product line"],
    ]);
    check("members.csv", (m) => [
      ["member_id", m.member_id.length >= 1 && m.member_id.length <= 64, "1–64 characters"],
      ["birth_date", isCalendarDate(m.birth_date) && m.birth_date <= END_DATE, "not a date up to today"],
      ["sex", ["F", "M", "U"].includes(m.sex), "not F, M or U"],
    ]);
    check("coverage.csv", (c) => [
      ["member_id", memberIds.has(c.member_id), "unknown member"],
      ["plan_id", planIds.has(c.plan_id), "unknown plan"],
      ["start_date", isCalendarDate(c.start_date), "not a date"],
      ["end_date", optional(c.end_date, (end) => isCalendarDate(end) && end >= c.start_date), "not a date ≥ start_date"],
    ]);
    check("orders.csv", (o) => [
      ["order_id", o.order_id.length >= 1 && o.order_id.length <= 64, "1–64 characters"],
      ["member_id", memberIds.has(o.member_id), "unknown member"],
      ["order_date", isCalendarDate(o.order_date) && o.order_date <= END_DATE, "not a date up to the end date"],
      ["ordering_npi", optional(o.ordering_npi, isValidNpi), "not a valid NPI"],
      ["indication", ["", "screening", "fracture", "glucocorticoid", "monitoring", "other"].includes(o.indication), "not an indication"],
      ["status", ["", "active", "cancelled"].includes(o.status), "not a status"],
    ]);
    check("claim_lines.csv", (l) => [
      ["claim_id", l.claim_id.length >= 1 && l.claim_id.length <= 64, "1–64 characters"],
      ["line_number", /^[1-9]\d*$/.test(l.line_number), "not an integer ≥ 1"],
      ["frequency_code", ["1", "7", "8"].includes(l.frequency_code), "not 1, 7 or 8"],
      ["received_date", isCalendarDate(l.received_date) && l.received_date <= END_DATE, "not a date up to the end date"],
      ["member_id", memberIds.has(l.member_id), "unknown member"],
      ["plan_id", planIds.has(l.plan_id), "unknown plan"],
      ["claim_type", ["professional", "institutional"].includes(l.claim_type), "not a claim type"],
      ["service_date", isCalendarDate(l.service_date) && l.service_date <= l.received_date, "not a date up to received_date"],
      ["procedure_code", /^[A-Za-z0-9]{5}$/.test(l.procedure_code), "not 5 letters or digits"],
      ["modifiers", /^([A-Z0-9]{2}(;[A-Z0-9]{2}){0,3})?$/.test(l.modifiers), "not up to 4 two-character modifiers"],
      ["place_of_service", /^(\d{2})?$/.test(l.place_of_service), "not 2 digits"],
      ["line_status", ["paid", "denied", "pending"].includes(l.line_status), "not a line status"],
      ["units", /^([1-9]\d*)?$/.test(l.units), "not an integer ≥ 1"],
      ["billed_amount", /^(\d+\.\d{2})?$/.test(l.billed_amount), "not a decimal ≥ 0"],
      ["paid_amount", /^(\d+\.\d{2})?$/.test(l.paid_amount), "not a decimal ≥ 0"],
      ["rendering_npi", optional(l.rendering_npi, isValidNpi), "not a valid NPI"],
      [
        "diagnosis_codes",
        normalisedCodes(l.diagnosis_codes).length <= 12 &&
          normalisedCodes(l.diagnosis_codes).every((c) => /^[A-Z][0-9][A-Z0-9][A-Z0-9]{0,4}$/.test(c)),
        "not up to 12 ICD-10-CM codes",
      ],
    ]);

    const keyed = (file: string, keys: string[]) => duplicates(keys, (k) => k).map((k) => `${file}: duplicated key ${k}`);
    problems.push(
      ...keyed("plans.csv", rowsOf("plans.csv").map((p) => p.plan_id)),
      ...keyed("members.csv", rowsOf("members.csv").map((m) => m.member_id)),
      ...keyed("coverage.csv", rowsOf("coverage.csv").map((c) => `${c.member_id}|${c.plan_id}|${c.start_date}`)),
      ...keyed("orders.csv", rowsOf("orders.csv").map((o) => o.order_id)),
      ...keyed("claim_lines.csv", rowsOf("claim_lines.csv").map((l) => `${l.claim_id}|${l.received_date}|${l.frequency_code}|${l.line_number}`)),
    );
    expect(problems.slice(0, 20)).toEqual([]);
  });

  it("covers the payers: the five listed ones, written as names or keys, plus Humana", () => {
    const payers = new Set(rowsOf("plans.csv").map((p) => p.payer.toLowerCase()));
    for (const listed of [["aetna"], ["bcbs", "blue cross blue shield"], ["cigna", "cigna health"], ["uhc", "unitedhealthcare"], ["medicare"]]) {
      expect(listed.some((name) => payers.has(name)), listed.join("/")).toBe(true);
    }
    expect(payers.has("humana")).toBe(true);
    const billed = new Set(rowsOf("claim_lines.csv").map((l) => l.plan_id));
    expect(billed.has("HUM-MA")).toBe(true);
    expect(new Set(rowsOf("plans.csv").map((p) => p.product_line))).toEqual(
      new Set(["commercial", "medicare_advantage", "medicare_ffs", "medicaid"]),
    );
  });

  it("has messy enrolment: no coverage, switches, overlaps, open ends", () => {
    const spansByMember = new Map<string, RowOf<"coverage.csv">[]>();
    for (const c of rowsOf("coverage.csv")) spansByMember.set(c.member_id, [...(spansByMember.get(c.member_id) ?? []), c]);
    const withoutCoverage = rowsOf("members.csv").filter((m) => !spansByMember.has(m.member_id));
    expect(withoutCoverage.length).toBeGreaterThan(MEMBERS * 0.02);
    const spanLists = [...spansByMember.values()];
    expect(spanLists.filter((spans) => new Set(spans.map((s) => s.plan_id)).size > 1).length).toBeGreaterThan(100);
    const overlapping = spanLists.filter((spans) =>
      spans.some((a, i) => spans.some((b, j) => i !== j && a.start_date <= b.start_date && (a.end_date === "" || b.start_date <= a.end_date))),
    );
    expect(overlapping.length).toBeGreaterThan(20);
    expect(rowsOf("coverage.csv").some((c) => c.end_date === "")).toBe(true);
  });

  it("has claim versions: voids, and replacements received after the original", () => {
    const lines = rowsOf("claim_lines.csv");
    const originals = new Map(lines.filter((l) => l.frequency_code === "1").map((l) => [l.claim_id, l.received_date]));
    const replacements = lines.filter((l) => l.frequency_code === "7");
    const voids = lines.filter((l) => l.frequency_code === "8");
    expect(replacements.length).toBeGreaterThan(20);
    expect(voids.length).toBeGreaterThan(10);
    for (const r of [...replacements, ...voids]) {
      expect(r.received_date >= (originals.get(r.claim_id) ?? "no original"), r.claim_id).toBe(true);
    }
    expect(lines.some((l) => l.line_status === "denied")).toBe(true);
    expect(lines.some((l) => l.line_status === "pending")).toBe(true);
  });

  it("bills central DXA globally and split into TC and 26, with 26 lines read a few days later", () => {
    const dxa = rowsOf("claim_lines.csv").filter((l) => l.procedure_code === "77080" || l.procedure_code === "77085");
    const modifiersOf = (l: ClaimLine) => l.modifiers.split(";");
    const tc = dxa.filter((l) => modifiersOf(l).includes("TC"));
    const professional = dxa.filter((l) => modifiersOf(l).includes("26"));
    expect(tc.length).toBeGreaterThan(50);
    expect(professional.length).toBeGreaterThan(50);
    expect(dxa.filter((l) => !modifiersOf(l).includes("TC") && !modifiersOf(l).includes("26")).length).toBeGreaterThan(50);
    expect(tc.every((l) => l.claim_type === "institutional")).toBe(true);
    const tcDays = new Map(tc.map((l) => [l.member_id, l.service_date]));
    const readLater = professional.filter((l) => {
      const scanned = tcDays.get(l.member_id);
      return scanned !== undefined && daysBetween(scanned, l.service_date) > 0;
    });
    expect(readLater.length).toBeGreaterThan(10);
    expect(dxa.some((l) => l.procedure_code === "77085")).toBe(true);
    for (const place of ["11", "19", "22"]) expect(dxa.some((l) => l.place_of_service === place), place).toBe(true);
  });

  it("reports 3096F and 3095F, some with 8P, some 3096F with no EHR order", () => {
    const lines = rowsOf("claim_lines.csv");
    const has8P = (code: string) => lines.some((l) => l.procedure_code === code && l.modifiers.split(";").includes("8P"));
    expect(has8P("3096F")).toBe(true);
    expect(has8P("3095F")).toBe(true);
    const orderDays = new Map<string, string[]>();
    for (const o of rowsOf("orders.csv")) orderDays.set(o.member_id, [...(orderDays.get(o.member_id) ?? []), o.order_date]);
    const gapToOrder = (l: ClaimLine) => Math.min(...(orderDays.get(l.member_id) ?? []).map((d) => Math.abs(daysBetween(d, l.service_date))));
    const orderLines = lines.filter((l) => l.procedure_code === "3096F");
    expect(orderLines.filter((l) => gapToOrder(l) <= 14).length).toBeGreaterThan(100); // captures
    expect(orderLines.some((l) => gapToOrder(l) > 14 && gapToOrder(l) <= 30)).toBe(true); // just outside
    expect(orderLines.some((l) => !orderDays.has(l.member_id))).toBe(true); // claim-only orders
    expect(rowsOf("orders.csv").some((o) => o.status === "cancelled")).toBe(true);
  });

  it("codes fractures dotted, undotted, in lower case, as M80, and as subsequent encounters", () => {
    const written = rowsOf("claim_lines.csv").flatMap((l) => (l.diagnosis_codes === "" ? [] : l.diagnosis_codes.split(";")));
    const fracture = written.filter((c) => /^[sS](72|22|32|52)/.test(c) || /^[mM]80/.test(c));
    expect(fracture.some((c) => /^S72\.\d/.test(c))).toBe(true);
    expect(fracture.some((c) => /^S72\d{3}[A-Z]$/.test(c))).toBe(true);
    expect(fracture.some((c) => c !== c.toUpperCase())).toBe(true);
    expect(fracture.some((c) => c.toUpperCase().startsWith("M80"))).toBe(true);
    expect(fracture.some((c) => c.toUpperCase().endsWith("D"))).toBe(true);
  });

  it("includes the other bone density codes, both claim types and the usual places of service", () => {
    const lines = rowsOf("claim_lines.csv");
    const codes = new Set(lines.map((l) => l.procedure_code));
    for (const code of ["77081", "77086", "77078", "76977", "G0130"]) expect(codes.has(code), code).toBe(true);
    expect(new Set(lines.map((l) => l.claim_type))).toEqual(new Set(["professional", "institutional"]));
  });

  it("lags claims by payer, typically 5–60 days", () => {
    const lags = rowsOf("claim_lines.csv")
      .filter((l) => l.frequency_code === "1")
      .map((l) => daysBetween(l.service_date, l.received_date))
      .sort((a, b) => a - b);
    const median = lags[Math.floor(lags.length / 2)] ?? Number.NaN;
    expect(median).toBeGreaterThanOrEqual(5);
    expect(median).toBeLessThanOrEqual(60);
  });
});
