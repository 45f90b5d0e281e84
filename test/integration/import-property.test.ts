import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importFolder } from "@/lib/import";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { coverage, eob, ndjson, organization, patient, serviceRequest, type Resource } from "../support/fhir-folders";
import { BASE_FILES, CLAIM_HEADER, NOW, WAREHOUSE_TABLES, dumpWarehouse, removeImportFolders, writeImportFolder } from "../support/import-folders";

// SPEC section 11 and issue 11, "What it must show" (1): any bytes as any import file — each of
// the five CSV names, a FHIR NDJSON file, a Bundle — are either imported or refused whole with
// named problems. Never a crash (an exception, or an "import failed" that stands for one), never
// a partial write: after a refusal the warehouse (and the FHIR resources) are byte for byte as
// before and the attempt is logged as rejected. Fixed seed; near-valid files (valid rows with
// mutated cells, odd Unicode, NUL, huge numbers, CR/LF mixes, a byte-order mark in the middle)
// as well as random bytes.

const SEED = Number(process.env.IMPORT_PROPERTY_SEED ?? 20261129);
const RUNS = Number(process.env.IMPORT_PROPERTY_RUNS ?? 300);
const TABLES = [...Object.keys(WAREHOUSE_TABLES), "fhir_resources"];
// Each case of the deferral's comparison is two dry runs.
const DEFERRAL_RUNS = Math.max(10, Math.round(RUNS / 5));
const PROBLEM = /^[^:\n]+:\d+: [^:\n]*: [\s\S]*: [\s\S]+$/;

// ------------------------------------------------------------------------------------------
// Cells and values a careless or hostile file holds.

const oddText = fc.constantFrom(
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\uFEFF",
  "\uFEFFmember_id",
  "\r",
  "\n",
  "\r\n",
  '"',
  '""',
  ",",
  "9".repeat(400),
  "-1",
  "0",
  "1e309",
  "2147483648",
  "-2147483649",
  "99999999999999999999.99",
  "12.345",
  "NaN",
  "Infinity",
  "\u202Eevil",
  "e\u0301",
  "😀",
  "\uD800",
  "\u2028",
  "=cmd|' /C calc'!A0",
  "'; DROP TABLE members; --",
  "__proto__",
  "x".repeat(300),
  "2025-02-30",
  "0000-01-01",
  "9999-12-31",
  "2025-1-1",
  "20250101",
  "1990-01-01T00:00:00Z",
  "Unknown",
  "All",
  "TC;26;59;XU;GA",
  "M81.0;".repeat(13),
);
const anyText = fc.oneof(
  { weight: 3, arbitrary: oddText },
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.integer().map(String),
  fc.double().map(String),
);

// ------------------------------------------------------------------------------------------
// CSV files: valid rows of the base warehouse's members and plans, then mutated.

type CsvName = "plans.csv" | "members.csv" | "coverage.csv" | "orders.csv" | "claim_lines.csv";
const HEADERS: Record<CsvName, string[]> = {
  "plans.csv": ["plan_id", "payer", "plan_name", "product_line"],
  "members.csv": ["member_id", "birth_date", "sex"],
  "coverage.csv": ["member_id", "plan_id", "start_date", "end_date"],
  "orders.csv": ["order_id", "member_id", "order_date", "ordering_npi", "indication", "status"],
  "claim_lines.csv": CLAIM_HEADER.split(","),
};
const member = fc.constantFrom("M1", "M2", "M3");
const plan = fc.constantFrom("AET-PPO", "BCBS-PPO", "MCR-B");
const date = fc.constantFrom("2024-01-01", "2025-01-10", "2025-03-03", "2025-06-30");
const n = fc.integer({ min: 1, max: 40 });
/** Valid rows of each file, naming the members and plans `member` and `plan` give. */
const validRows = (member: fc.Arbitrary<string>, plan: fc.Arbitrary<string>): Record<CsvName, fc.Arbitrary<string[]>> => ({
  "plans.csv": fc.tuple(n.map((i) => `PP${i}`), fc.constantFrom("Aetna", "BCBS", "Humana", "All", "Unknown", "Unknown payer", "Total", "  medicare "), fc.constantFrom("Gold", "Silver"), fc.constantFrom("commercial", "MEDICAID", "other")),
  "members.csv": fc.tuple(n.map((i) => `MM${i}`), fc.constantFrom("1950-01-01", "1948-11-02", "2025-09-30"), fc.constantFrom("F", "M", "U", "f")),
  "coverage.csv": fc.tuple(member, plan, date, fc.constantFrom("", "2025-12-31")),
  "orders.csv": fc.tuple(n.map((i) => `OO${i}`), member, date, fc.constantFrom("", "1234567893"), fc.constantFrom("", "screening", "fracture"), fc.constantFrom("", "active", "cancelled")),
  "claim_lines.csv": fc.tuple(
    n.map((i) => `CC${i}`),
    fc.constantFrom("1", "2"),
    fc.constantFrom("1", "7", "8"),
    date,
    member,
    plan,
    fc.constantFrom("professional", "institutional"),
    date,
    fc.constantFrom("77080", "3096F", "3095F", "99213", "G0130"),
    fc.constantFrom("", "TC", "26;59"),
    fc.constantFrom("", "11", "22"),
    fc.constantFrom("paid", "denied", "pending"),
    fc.constantFrom("", "1", "2"),
    fc.constantFrom("", "150.00", "0"),
    fc.constantFrom("", "98.50"),
    fc.constantFrom("", "1234567893"),
    fc.constantFrom("", "M81.0", "S72.001A;W19.XXXA"),
  ),
});
const VALID_ROW = validRows(member, plan);

/** `arb`'s value with probability `p`, else null (fc.option's `freq` is the other way round). */
const sometimes = <T>(arb: fc.Arbitrary<T>, p: number): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: Math.round(100 * (1 - p)), arbitrary: fc.constant(null) }, { weight: Math.round(100 * p), arbitrary: arb });

type Mutation = { kind: "cell" | "drop" | "add"; at: number; text: string };
const mutation = fc.record({ kind: fc.constantFrom<Mutation["kind"]>("cell", "cell", "cell", "drop", "add"), at: fc.nat(), text: anyText });

function mutate(cells: string[], m: Mutation | null): string[] {
  if (!m) return cells;
  const out = [...cells];
  const at = m.at % Math.max(1, out.length);
  if (m.kind === "cell") out[at] = m.text;
  else if (m.kind === "drop") out.splice(at, 1);
  else out.splice(at, 0, m.text);
  return out;
}

/** A cell as RFC 4180 writes it, or — sometimes — quoted when it need not be, or left bare
 *  when it should not be. */
function encodeCell(cell: string, quoting: number): string {
  if (quoting === 1) return `"${cell.replaceAll('"', '""')}"`;
  if (quoting === 2) return cell;
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

const LINE_ENDS = ["\n", "\r\n", "\r"] as const;

const csvFile = (name: CsvName, valid = VALID_ROW) =>
  fc
    .record({
      header: fc.oneof(
        { weight: 12, arbitrary: fc.constant(HEADERS[name]) },
        { weight: 1, arbitrary: fc.shuffledSubarray(HEADERS[name], { minLength: 1 }) },
        { weight: 1, arbitrary: fc.shuffledSubarray(HEADERS[name], { minLength: HEADERS[name].length }) },
        { weight: 1, arbitrary: fc.constant(HEADERS[name].map((h) => h.toUpperCase())) },
        { weight: 1, arbitrary: fc.constant([...HEADERS[name], "notes"]) },
        { weight: 1, arbitrary: fc.constant([...HEADERS[name], HEADERS[name][0]!]) },
      ) as fc.Arbitrary<string[]>,
      // Most rows valid, some with one cell changed, dropped or added.
      rows: fc.array(fc.tuple(valid[name], sometimes(mutation, 0.15), fc.nat({ max: 8 })), { maxLength: 8 }),
      ends: fc.array(fc.constantFrom(...LINE_ENDS), { minLength: 10, maxLength: 10 }),
      bom: fc.constantFrom("", "", "\uFEFF"),
      middleBom: sometimes(fc.nat(), 0.1),
      trailing: fc.constantFrom("", "", "\n\n", "\r\n\r\n", "   \n", ",,,\r\n"),
      bytes: sometimes(fc.record({ at: fc.nat(), insert: fc.uint8Array({ maxLength: 4 }), truncate: fc.boolean() }), 0.1),
    })
    .map(({ header, rows, ends, bom, middleBom, trailing, bytes }) => {
      // Keys apart, row by row (PP1-7, PP2-3, …), so that a repeated key is a mutation's doing.
      const unique = (cells: string[], i: number) => [`${cells[0]}-${i}`, ...cells.slice(1)];
      const lines = [
        header.join(","),
        ...rows.map(([cells, m, quoting], i) => mutate(reorder(name, header, unique(cells, i)), m).map((c) => encodeCell(c, quoting)).join(",")),
      ];
      let text = bom + lines.map((line, i) => line + ends[i % ends.length]).join("") + trailing;
      if (middleBom !== null) {
        const at = middleBom % (text.length + 1);
        text = `${text.slice(0, at)}\uFEFF${text.slice(at)}`;
      }
      return { name: name as string, bytes: withBytes(Buffer.from(text, "utf8"), bytes) };
    });

/** The cells of a valid row laid out under a (possibly shuffled or changed) header. */
function reorder(name: CsvName, header: string[], cells: string[]): string[] {
  if (header === HEADERS[name]) return cells;
  return header.map((h) => {
    const i = HEADERS[name].indexOf(h.toLowerCase());
    return i === -1 ? "x" : cells[i]!;
  });
}

function withBytes(buffer: Buffer, change: { at: number; insert: Uint8Array; truncate: boolean } | null): Buffer {
  if (!change) return buffer;
  const at = change.at % (buffer.length + 1);
  return change.truncate ? buffer.subarray(0, at) : Buffer.concat([buffer.subarray(0, at), Buffer.from(change.insert), buffer.subarray(at)]);
}

// ------------------------------------------------------------------------------------------
// FHIR: resources about the base warehouse's members, with a value anywhere replaced.

const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  anyText,
  fc.constantFrom(null, true, 0, -0, 1e308, -1e308, 2 ** 53 + 1, 1.5, [], {}, [[[[]]]], { resourceType: "Patient" }),
  fc.integer(),
  fc.double(),
);
const resource: fc.Arbitrary<Resource> = fc.oneof(
  fc.tuple(member, fc.constantFrom("1950-01-01", "1950", "2099-01-01"), fc.constantFrom("female", "male", "other")).map(([id, birth, gender]) => patient(id, birth, gender)),
  fc.tuple(n, member, plan).map(([i, m, p]) => coverage(`cov${i}`, { patient: m, plan: p, name: "Plan", payor: { reference: "Organization/org1" }, code: "5", start: "2024-01-01" })),
  fc.constant(organization("org1", "Unknown")),
  fc.tuple(n, member).map(([i, m]) => serviceRequest(`sr${i}`, { patient: m, authoredOn: "2025-03-01" })),
  fc.tuple(n, member).map(([i, m]) => eob(`eob${i}`, { claim: `FC${i}`, patient: m, coverage: "cov1", created: "2025-03-20", items: [{ code: "77080", date: "2025-03-05", net: 100 }] })),
);

/** The resource with the value at one path (chosen by `pick`) replaced. */
function replaceSomewhere(value: unknown, pick: number, replacement: unknown): unknown {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(value, []);
  const path = paths[pick % paths.length]!;
  if (path.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1)!] = replacement;
  return copy;
}

const mutatedResource = fc.tuple(resource, sometimes(fc.tuple(fc.nat(), jsonValue), 0.3)).map(([r, m]) => (m ? replaceSomewhere(r, m[0], m[1]) : r));

const ndjsonFile = fc
  .record({
    lines: fc.array(
      fc.oneof(
        { weight: 20, arbitrary: mutatedResource.map((r) => JSON.stringify(r)) },
        { weight: 1, arbitrary: anyText },
        { weight: 1, arbitrary: fc.constant(`{"resourceType":"Patient","id":"M1","gender":"female","birthDate":"1950-03-15","name":[{"text":"a\\u0000b"}]}`) },
        { weight: 1, arbitrary: fc.constant("[".repeat(5000)) },
      ),
      { minLength: 1, maxLength: 6 },
    ),
    // Named for its first resource's type, mostly.
    type: sometimes(fc.constantFrom("Patient", "Observation"), 0.15),
    end: fc.constantFrom(...LINE_ENDS),
    bytes: sometimes(fc.record({ at: fc.nat(), insert: fc.uint8Array({ maxLength: 4 }), truncate: fc.boolean() }), 0.1),
  })
  .map(({ lines, type, end, bytes }) => {
    const first = /"resourceType":"([A-Za-z]+)"/.exec(lines[0]!)?.[1];
    return { name: `${type ?? first ?? "Patient"}.ndjson`, bytes: withBytes(Buffer.from(lines.map((l) => l + end).join(""), "utf8"), bytes) };
  });

const bundleFile = fc
  .record({
    type: fc.constantFrom("transaction", "collection", "batch", "searchset", "document", 5),
    entries: fc.array(fc.oneof({ weight: 4, arbitrary: mutatedResource.map((resource) => ({ resource })) }, jsonValue, fc.constant({ request: { method: "DELETE" } })), { maxLength: 6 }),
    raw: sometimes(fc.oneof(anyText, fc.constant('{"resourceType":"Bundle"'), fc.constant("[]")), 0.1),
  })
  .map(({ type, entries, raw }) => ({ name: "bundle.json", bytes: Buffer.from(raw ?? JSON.stringify({ resourceType: "Bundle", type, entry: entries }), "utf8") }));

const FILE_NAMES = ["plans.csv", "members.csv", "coverage.csv", "orders.csv", "claim_lines.csv", "Patient.ndjson", "bundle.json"];
const randomFile = fc.record({ name: fc.constantFrom(...FILE_NAMES), bytes: fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)) });

const anyFile = fc.oneof(
  csvFile("plans.csv"),
  csvFile("members.csv"),
  csvFile("coverage.csv"),
  csvFile("orders.csv"),
  csvFile("claim_lines.csv"),
  ndjsonFile,
  bundleFile,
  randomFile,
);

/** One hostile file, sometimes beside a valid one (whose rows a refusal must not write either). */
const folder = fc
  .tuple(anyFile, sometimes(fc.constantFrom("members.csv", "orders.csv"), 0.25))
  .map(([file, valid]) => {
    const files: Record<string, Buffer> = { [file.name]: file.bytes };
    if (valid && valid !== file.name) files[valid] = Buffer.from(valid === "members.csv" ? "member_id,birth_date,sex\nM70,1955-05-05,F\n" : "order_id,member_id,order_date\nO70,M1,2025-05-05\n");
    return files;
  });

/** A file whose rows name members and plans the warehouse may not hold (M404, NOPE), or that
 *  the members.csv sometimes beside it defines (M70), in any case (m1). */
const referringFolder = fc
  .tuple(
    fc.oneof(...(["coverage.csv", "orders.csv", "claim_lines.csv"] as const).map((name) => csvFile(name, validRows(fc.constantFrom("M1", "M2", "M404", "M70", "m1"), fc.constantFrom("AET-PPO", "MCR-B", "NOPE"))))),
    fc.boolean(),
  )
  .map(([file, withMembers]) => ({ [file.name]: file.bytes, ...(withMembers ? { "members.csv": Buffer.from("member_id,birth_date,sex\nM70,1955-05-05,F\n") } : {}) }));

// ------------------------------------------------------------------------------------------

afterAll(() => removeImportFolders());

describe.each(ENGINES)("any file as an import, on %s", (engine) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase(engine);
    expect((await importFolder(db, writeImportFolder(BASE_FILES), { importedBy: "base", now: NOW })).ok).toBe(true);
  });
  afterAll(() => db?.dispose());

  it(`is imported or refused whole with named problems (${RUNS} cases, seed ${SEED})`, { timeout: 1_800_000 }, async () => {
    const outcomes = { accepted: 0, refused: 0 };
    const reasons = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(folder, async (files) => {
        const before = await dumpWarehouse(db, TABLES);
        const [{ last }] = (await db.query<{ last: number }>(`SELECT coalesce(max(id), 0)::int AS last FROM import_batches`)) as [{ last: number }];
        const result = await importFolder(db, writeImportFolder(files), { importedBy: "property", now: NOW });
        // A fault inside the import is logged as failed with "import failed: <error>": named first.
        expect(result.problems.filter((p) => /import failed/.test(p))).toEqual([]);
        const log = await db.query<{ id: number; outcome: string }>(`SELECT id, outcome::text AS outcome FROM import_batches WHERE id > $1 ORDER BY id`, [last]);
        expect(log).toEqual([{ id: last + 1, outcome: result.ok ? "succeeded" : "rejected" }]);
        expect(result.batchId).toBe(last + 1);
        if (result.ok) {
          outcomes.accepted++;
          return;
        }
        outcomes.refused++;
        for (const p of result.problems.slice(0, 1)) {
          const r = p.replace(/^[^:]+:\d+: [^:]*: [\s\S]*?: /, "").slice(0, 50);
          reasons.set(r, (reasons.get(r) ?? 0) + 1);
        }
        expect(result.problems.length).toBeGreaterThan(0);
        for (const problem of result.problems) expect(problem).toMatch(PROBLEM);
        expect(await dumpWarehouse(db, TABLES)).toEqual(before);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    if (process.env.IMPORT_PROPERTY_DEBUG) console.log(engine, outcomes, reasons);
    // Both outcomes occur, or the generators test less than they seem to.
    expect(outcomes.accepted).toBeGreaterThan(RUNS / 20);
    expect(outcomes.refused).toBeGreaterThan(RUNS / 4);
  });

  // The members and plans a file names, checked against the warehouse's ids loaded first or
  // asked about after the file is read (lib/import/known-ids.ts; the size of the file chooses):
  // the same verdict, the same unknown ids on the same lines. Deferred, a row naming an unknown
  // id is also put to the rules that need the whole row (an end before its start, a key twice),
  // so it may bring a problem more: never one less, and never one without an unknown id.
  it(`names the same unknown members and plans whether their ids are loaded or deferred (${DEFERRAL_RUNS} cases)`, { timeout: 1_800_000 }, async () => {
    let unknownSeen = 0;
    await fc.assert(
      fc.asyncProperty(referringFolder, async (files) => {
        const folderPath = writeImportFolder(files);
        const check = (deferReferences: boolean) => importFolder(db, folderPath, { importedBy: "property", now: NOW, dryRun: true, deferReferences });
        const loaded = await check(false);
        const deferred = await check(true);
        expect(deferred.ok).toBe(loaded.ok);
        const unknown = (problems: string[]) => problems.filter((p) => /: unknown (member|plan): /.test(p)).sort();
        expect(unknown(deferred.problems)).toEqual(unknown(loaded.problems));
        if (unknown(loaded.problems).length > 0) unknownSeen++;
        if (loaded.problemCount > loaded.problems.length || deferred.problemCount > deferred.problems.length) return;
        expect(deferred.problems).toEqual(expect.arrayContaining(loaded.problems));
        if (deferred.problemCount > loaded.problemCount) expect(unknown(loaded.problems).length).toBeGreaterThan(0);
      }),
      { seed: SEED + 1, numRuns: DEFERRAL_RUNS, endOnFailure: true },
    );
    // Unknown ids occur, or the comparison tests less than it seems to.
    expect(unknownSeen).toBeGreaterThan(DEFERRAL_RUNS / 20);
  });
});
