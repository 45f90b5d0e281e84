import { createHash } from "node:crypto";
import { readFileSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Sql } from "@/db/client";
import { importFolder, type ImportResult } from "@/lib/import";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import {
  BASE_FHIR,
  CPT,
  NPI,
  bundle,
  coding,
  coverage,
  eob,
  ndjson,
  organization,
  patient,
  practitioner,
  practitionerRole,
  serviceRequest,
  type Resource,
} from "../support/fhir-folders";
import {
  CLAIM_HEADER,
  NOW,
  WAREHOUSE_TABLES,
  contractFiles,
  countImportBatches,
  csv,
  dumpWarehouse,
  expectProblem,
  importLogRow,
  removeImportFolders,
  writeImportFolder,
  type FolderFiles,
} from "../support/import-folders";

// SPEC section 3b: a FHIR import is the same import as section 3's — all or nothing, every
// problem named as `file:line: element path: value: reason` (the NDJSON line, the Bundle entry
// index), idempotent with `meta` ignored, recorded — and its resources become the rows of
// section 3. The base warehouse is test/support/fhir-folders.ts's BASE_FHIR; every expected row
// below is worked out by hand from the SPEC's table.

vi.setConfig({ testTimeout: 30_000 });
afterAll(() => removeImportFolders());

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** Every stored resource with its provenance, as JSON text. */
async function dumpResources(sql: Sql): Promise<string> {
  return JSON.stringify(
    await sql.query(
      `SELECT resource_type, id, resource, patient_id, referenced_value, referenced_via, source_file, import_batch_id, source_line
       FROM fhir_resources ORDER BY resource_type, id`,
    ),
  );
}

/** The warehouse rows, values as text (both engines read numerics and arrays alike). */
const WAREHOUSE_ROWS = {
  members: `SELECT member_id, birth_date::text, sex::text FROM members ORDER BY member_id`,
  plans: `SELECT plan_id, payer_key, plan_name, product_line::text FROM plans ORDER BY plan_id`,
  coverage: `SELECT member_id, plan_id, start_date::text, end_date::text FROM coverage ORDER BY member_id, plan_id, start_date`,
  ehr_orders: `SELECT order_id, member_id, order_date::text, ordering_npi, indication::text, status::text FROM ehr_orders ORDER BY order_id`,
  claim_lines: `SELECT claim_id, line_number, frequency_code, received_date::text, member_id, plan_id, claim_type::text, service_date::text,
      procedure_code, array_to_string(modifiers, ';') AS modifiers, place_of_service, line_status::text, units, billed_amount::text,
      paid_amount::text, rendering_npi, array_to_string(diagnosis_codes, ';') AS diagnosis_codes
    FROM claim_lines ORDER BY claim_id, received_date, frequency_code, line_number`,
};
const rowsOf = (sql: Sql, table: keyof typeof WAREHOUSE_ROWS) => sql.query(WAREHOUSE_ROWS[table]);

const claimLine = (o: Record<string, unknown>) => ({
  frequency_code: 1,
  line_number: 1,
  claim_type: "professional",
  modifiers: "",
  place_of_service: null,
  line_status: "paid",
  units: 1,
  billed_amount: null,
  paid_amount: null,
  rendering_npi: null,
  diagnosis_codes: "",
  ...o,
});

describe.each(ENGINES)("FHIR import on %s", (engine) => {
  const run = (db: Sql, files: FolderFiles): Promise<ImportResult> => importFolder(db, writeImportFolder(files), { importedBy: "test", now: NOW });

  describe("an accepted import", () => {
    let db: TestDatabase;
    let baseFolder: string;
    let base: ImportResult;

    beforeEach(async () => {
      db = await freshDatabase(engine);
      baseFolder = writeImportFolder(BASE_FHIR);
      base = await importFolder(db, baseFolder, { importedBy: "ada@example.org", now: NOW });
      expect(base.problems).toEqual([]);
    });
    afterEach(() => db?.dispose());

    it("maps each resource as SPEC 3b says", async () => {
      expect(await rowsOf(db, "members")).toEqual([
        { member_id: "p1", birth_date: "1950-03-15", sex: "F" },
        { member_id: "p2", birth_date: "1948-11-02", sex: "M" },
      ]);
      // MCR-B: "121" starts with 1, not 11; its Coverage is cancelled, so it gives no span.
      expect(await rowsOf(db, "plans")).toEqual([
        { plan_id: "AET-PPO", payer_key: "aetna", plan_name: "Aetna Choice POS II", product_line: "commercial" },
        { plan_id: "BCBS-PPO", payer_key: "bcbs", plan_name: "Blue Cross PPO", product_line: "commercial" },
        { plan_id: "MCR-B", payer_key: "medicare", plan_name: "Medicare Part B", product_line: "medicare_ffs" },
      ]);
      expect(await rowsOf(db, "coverage")).toEqual([
        { member_id: "p1", plan_id: "AET-PPO", start_date: "2020-01-01", end_date: null },
        { member_id: "p2", plan_id: "BCBS-PPO", start_date: "2021-01-01", end_date: "2025-12-31" },
      ]);
      // The requester is a PractitionerRole whose practitioner has the NPI.
      expect(await rowsOf(db, "ehr_orders")).toEqual([
        { order_id: "sr1", member_id: "p1", order_date: "2025-01-10", ordering_npi: "1234567893", indication: null, status: "active" },
      ]);
      // C1: received = created's date part as written; C2: the clmrecvddate supportingInfo, not
      // created; C3 bills the plan of the cancelled Coverage.
      expect(await rowsOf(db, "claim_lines")).toEqual([
        claimLine({ claim_id: "C1", received_date: "2025-01-20", member_id: "p1", plan_id: "AET-PPO", service_date: "2025-01-10", procedure_code: "3096F", place_of_service: "11", rendering_npi: "1234567893" }),
        claimLine({ claim_id: "C2", received_date: "2025-02-20", member_id: "p1", plan_id: "AET-PPO", service_date: "2025-02-14", procedure_code: "77080", place_of_service: "22", billed_amount: "150.00", paid_amount: "98.50", diagnosis_codes: "M810" }),
        claimLine({ claim_id: "C3", received_date: "2025-04-10", member_id: "p2", plan_id: "MCR-B", service_date: "2025-04-02", procedure_code: "77080", modifiers: "TC" }),
        claimLine({ claim_id: "C3", line_number: 2, received_date: "2025-04-10", member_id: "p2", plan_id: "MCR-B", service_date: "2025-04-02", procedure_code: "77080", modifiers: "26" }),
        claimLine({ claim_id: "C4", received_date: "2025-03-12", member_id: "p2", plan_id: "BCBS-PPO", claim_type: "institutional", service_date: "2025-03-03", procedure_code: "27236", place_of_service: "21", billed_amount: "9000.00", paid_amount: "7000.00", diagnosis_codes: "S72001A;W19XXXA" }),
      ]);
      expect(base.mapped.map(({ table, rows, new: n }) => [table, rows, n])).toEqual([
        ["plans", 3, 3],
        ["members", 2, 2],
        ["coverage", 2, 2],
        ["ehr_orders", 1, 1],
        ["claim_lines", 5, 5],
      ]);
    });

    it("the rows then follow section 4's derivation like any others", async () => {
      expect(base.snapshot).toMatchObject({ asOf: "2025-04-10" });
      // sr1 is captured by C1's 3096F (same day) and completed by C2's study 35 days later.
      expect(
        await db.query(`SELECT order_id, source::text, captured, study_date::text, days_to_scan, payer_key FROM order_facts ORDER BY order_id`),
      ).toEqual([{ order_id: "sr1", source: "ehr", captured: true, study_date: "2025-02-14", days_to_scan: 35, payer_key: "aetna" }]);
      // p2's TC and 26 lines are one billing-complete study, attributed to the span active on
      // its date (BCBS), not to the plan billed.
      expect(
        await db.query(`SELECT member_id, study_date::text, billing_complete, plan_id, payer_key FROM dxa_studies ORDER BY member_id`),
      ).toEqual([
        { member_id: "p1", study_date: "2025-02-14", billing_complete: true, plan_id: "AET-PPO", payer_key: "aetna" },
        { member_id: "p2", study_date: "2025-04-02", billing_complete: true, plan_id: "BCBS-PPO", payer_key: "bcbs" },
      ]);
      // p2 (76) breaks a hip; the study 30 days later follows it up.
      expect(await db.query(`SELECT member_id, episode_date::text, payer_key, follow_up_days FROM fracture_episodes`)).toEqual([
        { member_id: "p2", episode_date: "2025-03-03", payer_key: "bcbs", follow_up_days: 30 },
      ]);
    });

    it("keeps every resource as it came, keyed by type and id, with the patient it is about", async () => {
      const stored = await db.query<{ resource_type: string; id: string; patient_id: string | null; source_file: string; source_line: number }>(
        `SELECT resource_type, id, patient_id, source_file, source_line FROM fhir_resources ORDER BY resource_type, id`,
      );
      expect(stored.map((r) => [r.resource_type, r.id, r.patient_id, r.source_file, r.source_line])).toEqual([
        ["Coverage", "cov1", "p1", "Coverage.ndjson", 1],
        ["Coverage", "cov2", "p2", "Coverage.ndjson", 2],
        ["Coverage", "plan-mcr", "p1", "Coverage.ndjson", 3],
        ["ExplanationOfBenefit", "e1", "p1", "ExplanationOfBenefit.ndjson", 1],
        ["ExplanationOfBenefit", "e2", "p1", "ExplanationOfBenefit.ndjson", 2],
        ["ExplanationOfBenefit", "e3", "p2", "ExplanationOfBenefit.ndjson", 3],
        ["ExplanationOfBenefit", "e4", "p2", "ExplanationOfBenefit.ndjson", 4],
        ["Organization", "o-aetna", null, "Organization.ndjson", 1],
        ["Organization", "o-bcbs", null, "Organization.ndjson", 2],
        ["Patient", "p1", "p1", "Patient.ndjson", 1],
        ["Patient", "p2", "p2", "Patient.ndjson", 2],
        ["Practitioner", "pr1", null, "Practitioner.ndjson", 1],
        ["PractitionerRole", "role1", null, "PractitionerRole.ndjson", 1],
        ["ServiceRequest", "sr1", "p1", "ServiceRequest.ndjson", 1],
      ]);
      const [e2] = await db.query<{ resource: unknown }>(`SELECT resource FROM fhir_resources WHERE resource_type = 'ExplanationOfBenefit' AND id = 'e2'`);
      const line2 = BASE_FHIR["ExplanationOfBenefit.ndjson"].split("\n")[1]!;
      expect(e2!.resource).toEqual(JSON.parse(line2));
    });

    it("is logged: files with sizes and checksums, resources new/changed/unchanged", async () => {
      const files = Object.keys(BASE_FHIR).sort().map((file) => {
        const bytes = readFileSync(path.join(baseFolder, file));
        const rows = bytes.toString().trim().split("\n").length;
        return { file, bytes: bytes.length, sha256: sha256(bytes), rows, new: rows, changed: 0, unchanged: 0 };
      });
      expect(contractFiles(base.files)).toEqual(files);
      const log = await importLogRow(db, base.batchId);
      expect(contractFiles(log.files)).toEqual(files);
      expect(log).toMatchObject({ imported_by: "ada@example.org", outcome: "succeeded", row_count: 14, error_count: 0, errors: [] });
    });

    it("importing the same folder again changes nothing and reports everything unchanged", async () => {
      const before: Record<string, string> = { ...(await dumpWarehouse(db)), fhir: await dumpResources(db) };
      const again = await importFolder(db, baseFolder, { importedBy: "test", now: NOW });
      expect(again.problems).toEqual([]);
      expect(again.files.map((f) => [f.file, f.new, f.changed, f.unchanged])).toEqual(
        base.files.map((f) => [f.file, 0, 0, f.rows]),
      );
      expect(again.mapped.map((m) => [m.table, m.new, m.changed, m.unchanged])).toEqual(base.mapped.map((m) => [m.table, 0, 0, m.rows]));
      const { derived_snapshots: _a, ...dataBefore } = before;
      const after: Record<string, string> = { ...(await dumpWarehouse(db)), fhir: await dumpResources(db) };
      const { derived_snapshots: _b, ...dataAfter } = after;
      expect(dataAfter).toEqual(dataBefore);
    });

    it("a resource that differs only in meta is unchanged; one that differs otherwise is changed, and so is its row", async () => {
      const result = await run(db, {
        "Patient.ndjson": ndjson(
          patient("p1", "1950-03-15", "female", { meta: { versionId: "7", lastUpdated: "2026-01-02T03:04:05Z" } }),
          patient("p2", "1948-11-03", "male"),
        ),
      });
      expect(result.problems).toEqual([]);
      expect(result.files.map((f) => [f.file, f.rows, f.new, f.changed, f.unchanged])).toEqual([["Patient.ndjson", 2, 0, 1, 1]]);
      expect(result.mapped).toEqual([{ table: "members", rows: 2, new: 0, changed: 1, unchanged: 1 }]);
      const stored = await db.query<{ id: string; meta: unknown; import_batch_id: number }>(
        `SELECT id, resource->'meta' AS meta, import_batch_id FROM fhir_resources WHERE resource_type = 'Patient' ORDER BY id`,
      );
      // The unchanged p1 keeps the version (and provenance) first loaded.
      expect(stored).toEqual([
        { id: "p1", meta: null, import_batch_id: base.batchId },
        { id: "p2", meta: null, import_batch_id: result.batchId },
      ]);
      expect(await rowsOf(db, "members")).toEqual([
        { member_id: "p1", birth_date: "1950-03-15", sex: "F" },
        { member_id: "p2", birth_date: "1948-11-03", sex: "M" },
      ]);
    });

    it("references may name resources loaded by an earlier import", async () => {
      const result = await run(db, {
        "Coverage.ndjson": ndjson(coverage("cov21", { patient: "p2", plan: "BCBS-HMO", name: "Blue Cross HMO Blue", payor: { reference: "Organization/o-bcbs" }, code: "6", start: "2026-01-01" })),
        "ExplanationOfBenefit.ndjson": ndjson(
          eob("e20", { claim: "C20", patient: "p2", coverage: "cov2", created: "2025-05-01", rendering: { reference: "PractitionerRole/role1" }, items: [{ code: "77085", date: "2025-04-28" }] }),
        ),
        "ServiceRequest.ndjson": ndjson(serviceRequest("sr20", { patient: "p2", authoredOn: "2025-04-20", requester: { reference: "PractitionerRole/role1" } })),
      });
      expect(result.problems).toEqual([]);
      expect((await rowsOf(db, "plans")).find((p) => p.plan_id === "BCBS-HMO")).toEqual({ plan_id: "BCBS-HMO", payer_key: "bcbs", plan_name: "Blue Cross HMO Blue", product_line: "commercial" });
      expect((await rowsOf(db, "claim_lines")).find((l) => l.claim_id === "C20")).toEqual(
        claimLine({ claim_id: "C20", received_date: "2025-05-01", member_id: "p2", plan_id: "BCBS-PPO", service_date: "2025-04-28", procedure_code: "77085", rendering_npi: "1234567893" }),
      );
      expect((await rowsOf(db, "ehr_orders")).find((o) => o.order_id === "sr20")).toMatchObject({ member_id: "p2", ordering_npi: "1234567893" });
    });

    it("FHIR and CSV files in one folder are one import: each may name the other's members and plans", async () => {
      const result = await run(db, {
        "plans.csv": csv("plan_id,payer,plan_name,product_line", "P-CSV,Cigna Health,Cigna Open Access,commercial"),
        "members.csv": csv("member_id,birth_date,sex", "M5,1955-05-05,F"),
        "coverage.csv": csv("member_id,plan_id,start_date,end_date", "p6,P-CSV,2025-01-01,"),
        "claim_lines.csv": csv(CLAIM_HEADER, "C30,1,1,2025-06-01,p6,P-FHIR,professional,2025-05-20,77080,,22,paid,1,,,,"),
        "Coverage.ndjson": ndjson(coverage("cov30", { patient: "M5", plan: "P-FHIR", name: "Humana Gold Plus", payor: { display: "Humana" }, code: "111", start: "2025-01-01" })),
        "ExplanationOfBenefit.ndjson": ndjson(eob("e31", { claim: "C31", patient: "M5", coverage: "cov30", created: "2025-06-02", items: [{ code: "3096F", date: "2025-05-30" }] })),
        "Patient.ndjson": ndjson(patient("p6", "1944-04-04", "female")),
      });
      expect(result.problems).toEqual([]);
      expect(result.files.map((f) => [f.file, f.new])).toEqual([
        ["plans.csv", 1],
        ["members.csv", 1],
        ["coverage.csv", 1],
        ["claim_lines.csv", 1],
        ["Coverage.ndjson", 1],
        ["ExplanationOfBenefit.ndjson", 1],
        ["Patient.ndjson", 1],
      ]);
      expect((await rowsOf(db, "plans")).filter((p) => String(p.plan_id).startsWith("P-"))).toEqual([
        { plan_id: "P-CSV", payer_key: "cigna", plan_name: "Cigna Open Access", product_line: "commercial" },
        { plan_id: "P-FHIR", payer_key: "humana", plan_name: "Humana Gold Plus", product_line: "medicare_advantage" },
      ]);
      expect((await rowsOf(db, "coverage")).filter((c) => c.member_id === "M5" || c.member_id === "p6")).toEqual([
        { member_id: "M5", plan_id: "P-FHIR", start_date: "2025-01-01", end_date: null },
        { member_id: "p6", plan_id: "P-CSV", start_date: "2025-01-01", end_date: null },
      ]);
      expect((await rowsOf(db, "claim_lines")).filter((l) => ["C30", "C31"].includes(String(l.claim_id))).map((l) => [l.claim_id, l.member_id, l.plan_id])).toEqual([
        ["C30", "p6", "P-FHIR"],
        ["C31", "M5", "P-FHIR"],
      ]);
    });

    it("Bundles: transaction (urn:uuid references), batch, collection and searchset", async () => {
      const uuid = "urn:uuid:6f1c2a4e-1b2c-4d3e-8f90-123456789abc";
      const result = await run(db, {
        "tx.json": bundle(
          "transaction",
          { fullUrl: uuid, resource: patient("p40", "1952-02-02", "female") },
          { fullUrl: "urn:uuid:aa", resource: { ...serviceRequest("sr40", { patient: "p40", authoredOn: "2025-03-03" }), subject: { reference: uuid } } },
        ),
        "batch.json": bundle("batch", { resource: coverage("cov40", { patient: "p40", plan: "AET-PPO", name: "Aetna Choice POS II", payor: { reference: "Organization/o-aetna" }, code: "5", start: "2025-01-01" }) }),
        "collection.json": bundle("collection", { resource: patient("p41", "1953-03-03", "male") }),
        "searchset.json": bundle("searchset", { fullUrl: "https://ehr.example/fhir/Patient/p42", resource: patient("p42", "1954-04-04", "other") }),
      });
      expect(result.problems).toEqual([]);
      expect(result.files.map((f) => [f.file, f.rows, f.new])).toEqual([
        ["batch.json", 1, 1],
        ["collection.json", 1, 1],
        ["searchset.json", 1, 1],
        ["tx.json", 2, 2],
      ]);
      expect((await rowsOf(db, "members")).filter((m) => String(m.member_id) >= "p40")).toEqual([
        { member_id: "p40", birth_date: "1952-02-02", sex: "F" },
        { member_id: "p41", birth_date: "1953-03-03", sex: "M" },
        { member_id: "p42", birth_date: "1954-04-04", sex: "U" },
      ]);
      expect((await rowsOf(db, "ehr_orders")).find((o) => o.order_id === "sr40")).toMatchObject({ member_id: "p40", order_date: "2025-03-03" });
      const [sr] = await db.query(`SELECT patient_id, source_file, source_line FROM fhir_resources WHERE id = 'sr40'`);
      expect(sr).toEqual({ patient_id: "p40", source_file: "tx.json", source_line: 1 });
    });

    it("NDJSON as files are written: a byte-order mark, CRLF, blank lines, a last line without its end", async () => {
      const result = await run(db, {
        "Patient.ndjson": `\uFEFF${JSON.stringify(patient("p50", "1950-01-01", "female"))}\r\n\r\n${JSON.stringify(patient("p51", "1951-01-01", "male"))}`,
      });
      expect(result.problems).toEqual([]);
      expect(result.files.map((f) => [f.file, f.rows, f.new])).toEqual([["Patient.ndjson", 2, 2]]);
      expect(await db.query(`SELECT id, source_line FROM fhir_resources WHERE id IN ('p50', 'p51') ORDER BY id`)).toEqual([
        { id: "p50", source_line: 1 },
        { id: "p51", source_line: 3 },
      ]);
    });
  });

  describe("a refused import names every problem and writes nothing", () => {
    let db: TestDatabase;

    beforeAll(async () => {
      db = await freshDatabase(engine);
      const base = await run(db, BASE_FHIR);
      expect(base.problems).toEqual([]);
      const loaded = await dumpWarehouse(db);
      for (const table of Object.keys(WAREHOUSE_TABLES)) expect(loaded[table], table).not.toBe("[]");
    });
    afterAll(() => db?.dispose());

    /** Runs an import that must be refused: the warehouse and the stored resources are byte for
     *  byte as before, and the attempt is logged as rejected with its problems. */
    async function refuse(files: FolderFiles, folder?: string): Promise<ImportResult> {
      const before = { ...(await dumpWarehouse(db)), fhir: await dumpResources(db) };
      const batches = await countImportBatches(db);
      const result = await importFolder(db, folder ?? writeImportFolder(files), { importedBy: "test", now: NOW });
      expect(result.ok).toBe(false);
      expect(result.problems.length).toBeGreaterThan(0);
      for (const problem of result.problems) expect(problem).toMatch(/^[^:]+:\d+: [^:]*: .*: .+$/);
      expect({ ...(await dumpWarehouse(db)), fhir: await dumpResources(db) }).toEqual(before);
      expect(await countImportBatches(db)).toBe(batches + 1);
      expect(await importLogRow(db, result.batchId)).toMatchObject({ outcome: "rejected", errors: result.problems, error_count: result.problemCount });
      return result;
    }

    it("malformed NDJSON lines, by physical line number", async () => {
      const { problems } = await refuse({
        "Patient.ndjson": ndjson(patient("p3", "1960-01-01", "female"), '{"resourceType":"Patient","id":"p4",', "", "[1,2]", patient("p5", "1961-01-01", "male")),
      });
      expect(problems).toHaveLength(2);
      expectProblem(problems, { file: "Patient.ndjson", line: 2, column: "-", value: '{"resourceType":"Patient","id":"p4",', reason: /not valid JSON/ });
      expectProblem(problems, { file: "Patient.ndjson", line: 4, column: "-", value: "[1,2]", reason: /one JSON object/ });
    });

    it("a resource of another type than its file, without an id, with a bad id, of no R4 type", async () => {
      const { problems } = await refuse({
        "Patient.000.ndjson": ndjson(
          patient("p3", "1960-01-01", "female"),
          { resourceType: "Observation", id: "o1" },
          '{"resourceType":"Patient","gender":"female","birthDate":"1960-01-01"}',
          { resourceType: "Patient", id: "bad id!" },
          { resourceType: "Patientt", id: "x" },
        ),
      });
      expect(problems).toHaveLength(4);
      expectProblem(problems, { file: "Patient.000.ndjson", line: 2, column: "resourceType", value: "Observation", reason: /this file holds Patient resources/ });
      expectProblem(problems, { file: "Patient.000.ndjson", line: 3, column: "Patient.id", value: "", reason: /required/ });
      expectProblem(problems, { file: "Patient.000.ndjson", line: 4, column: "Patient.id", value: "bad id!", reason: /not a FHIR id/ });
      expectProblem(problems, { file: "Patient.000.ndjson", line: 5, column: "resourceType", value: "Patientt", reason: /not a FHIR R4 resource type/ });
    });

    it("references to resources neither in the import nor loaded", async () => {
      const { problems } = await refuse({
        "Coverage.ndjson": ndjson(coverage("cov9", { patient: "p1", plan: "P9", name: "Nine", payor: { reference: "Organization/o-ghost" }, code: "5", start: "2025-01-01" })),
        "ExplanationOfBenefit.ndjson": ndjson(eob("e9", { claim: "C9", patient: "p1", coverage: "nope", created: "2025-05-01", items: [{ code: "77080", date: "2025-04-30" }] })),
        "PractitionerRole.ndjson": ndjson(practitionerRole("role9", "gone")),
        "ServiceRequest.ndjson": ndjson(
          serviceRequest("sr9", { patient: "ghost", authoredOn: "2025-04-01" }),
          serviceRequest("sr10", { patient: "p1", authoredOn: "2025-04-01", requester: { reference: "Practitioner/nobody" } }),
          serviceRequest("sr11", { patient: "p1", authoredOn: "2025-04-01", requester: { reference: "PractitionerRole/role9" } }),
        ),
      });
      expect(problems).toHaveLength(5);
      const unknown = /^unknown reference: no (\w+) ([\w-]+) in this import nor already loaded$/;
      expectProblem(problems, { file: "Coverage.ndjson", line: 1, column: "Coverage.payor[0]", value: "Organization/o-ghost", reason: unknown });
      expectProblem(problems, { file: "ExplanationOfBenefit.ndjson", line: 1, column: "ExplanationOfBenefit.insurance[0].coverage", value: "Coverage/nope", reason: unknown });
      expectProblem(problems, { file: "ServiceRequest.ndjson", line: 1, column: "ServiceRequest.subject", value: "Patient/ghost", reason: unknown });
      expectProblem(problems, { file: "ServiceRequest.ndjson", line: 2, column: "ServiceRequest.requester", value: "Practitioner/nobody", reason: unknown });
      expectProblem(problems, { file: "ServiceRequest.ndjson", line: 3, column: "ServiceRequest.requester", value: "PractitionerRole/role9", reason: /practitioner Practitioner\/gone.*neither in this import nor already loaded/ });
    });

    it("partial birth dates", async () => {
      const { problems } = await refuse({ "Patient.ndjson": ndjson(patient("p6", "1970", "female"), patient("p7", "1970-05", "male"), patient("p8", "1970-05-05", "male")) });
      expect(problems).toHaveLength(2);
      expectProblem(problems, { file: "Patient.ndjson", line: 1, column: "Patient.birthDate", value: "1970", reason: /partial date/ });
      expectProblem(problems, { file: "Patient.ndjson", line: 2, column: "Patient.birthDate", value: "1970-05", reason: /partial date/ });
    });

    it("one plan_id with two payers, names or product lines; payers compared by key", async () => {
      const plan = (id: string, member: string, planId: string, name: string, payer: string, code: string, start: string) =>
        coverage(id, { patient: member, plan: planId, name, payor: { display: payer }, code, start });
      const { problems } = await refuse({
        "Coverage.ndjson": ndjson(
          plan("c1", "p1", "P10", "Ten", "Aetna", "5", "2025-01-01"),
          plan("c2", "p2", "P10", "Ten", "Cigna Health", "5", "2025-01-01"),
          plan("c3", "p1", "P10", "Ten Plus", "aetna", "5", "2025-02-01"),
          plan("c4", "p2", "P10", "Ten", "Aetna", "11", "2025-02-01"),
          plan("c5", "p1", "P11", "Eleven", "BCBS", "6", "2025-01-01"),
          plan("c6", "p2", "P11", "Eleven", "Blue Cross Blue Shield", "512", "2025-01-01"),
        ),
      });
      expect(problems).toHaveLength(3);
      expectProblem(problems, { file: "Coverage.ndjson", line: 2, column: "Coverage.payor[0]", value: "Cigna Health", reason: /^plan P10 has payer "Cigna Health" here and "Aetna" in Coverage\.ndjson:1$/ });
      expectProblem(problems, { file: "Coverage.ndjson", line: 3, column: "Coverage.class[0].name", value: "Ten Plus", reason: /^plan P10 has plan name "Ten Plus" here and "Ten" in Coverage\.ndjson:1$/ });
      expectProblem(problems, { file: "Coverage.ndjson", line: 4, column: "Coverage.type.coding[0].code", value: "11", reason: /^plan P10 has product line "medicare_advantage" here and "commercial" in Coverage\.ndjson:1$/ });
    });

    it("a plan of plans.csv that a Coverage of the same import gives another payer", async () => {
      const { problems } = await refuse({
        "plans.csv": csv("plan_id,payer,plan_name,product_line", "P12,Aetna,Twelve,commercial"),
        "Coverage.ndjson": ndjson(coverage("c7", { patient: "p1", plan: "P12", name: "Twelve", payor: { display: "Humana" }, code: "5", start: "2025-01-01" })),
      });
      expect(problems).toHaveLength(1);
      expectProblem(problems, { file: "Coverage.ndjson", line: 1, column: "Coverage.payor[0]", value: "Humana", reason: /^plan P12 has payer "Humana" here and "Aetna" in plans\.csv:2$/ });
    });

    it("a resource twice, a claim line twice, a member both in FHIR and in members.csv", async () => {
      const { problems } = await refuse({
        "members.csv": csv("member_id,birth_date,sex", "p9,1950-01-01,F"),
        "Patient.000.ndjson": ndjson(patient("p8", "1950-01-01", "female"), patient("p9", "1950-01-01", "female")),
        "Patient.001.ndjson": ndjson(patient("p8", "1950-01-01", "female")),
        "ExplanationOfBenefit.ndjson": ndjson(
          eob("e10", { claim: "C10", patient: "p1", coverage: "cov1", created: "2025-05-01", items: [{ code: "77080", date: "2025-04-30" }] }),
          eob("e11", { claim: "C10", patient: "p1", coverage: "cov1", created: "2025-05-01T12:00:00Z", items: [{ code: "3095F", date: "2025-04-30" }] }),
          eob("e12", { claim: "C12", patient: "p1", coverage: "cov1", created: "2025-05-01", items: [{ sequence: 1, code: "77080", date: "2025-04-30" }, { sequence: 1, code: "3095F", date: "2025-04-30" }] }),
        ),
      });
      expect(problems).toHaveLength(4);
      expectProblem(problems, { file: "Patient.001.ndjson", line: 1, column: "Patient.id", value: "p8", reason: /^duplicate resource: the same Patient id as Patient\.000\.ndjson:1$/ });
      expectProblem(problems, { file: "Patient.000.ndjson", line: 2, column: "Patient.id", value: "p9", reason: /^duplicate member: the same as members\.csv:2$/ });
      expectProblem(problems, { file: "ExplanationOfBenefit.ndjson", line: 2, column: "ExplanationOfBenefit.item[0].sequence", value: "C10 / 2025-05-01 / 1 / 1", reason: /^duplicate claim line.*: the same as ExplanationOfBenefit\.ndjson:1$/ });
      expectProblem(problems, { file: "ExplanationOfBenefit.ndjson", line: 3, column: "ExplanationOfBenefit.item[1].sequence", value: "C12 / 2025-05-01 / 1 / 1", reason: /the same as ExplanationOfBenefit\.ndjson:3 \(ExplanationOfBenefit\.item\[0\]\.sequence\)$/ });
    });

    it("values that break section 3's rules are named at their element", async () => {
      const bad = eob("e13", { claim: "C13", patient: "p1", coverage: "cov1", created: "2025-05-01", items: [{ code: "7708", date: "2025-04-30", modifiers: ["TC", "26", "59", "XU", "GA"] }] });
      const { problems } = await refuse({
        "ExplanationOfBenefit.ndjson": ndjson({ ...bad, item: [{ ...(bad.item as Record<string, unknown>[])[0]!, quantity: { value: 1.5 } }] } as Resource),
      });
      expect(problems).toHaveLength(3);
      expectProblem(problems, { file: "ExplanationOfBenefit.ndjson", line: 1, column: "ExplanationOfBenefit.item[0].productOrService.coding[0].code", value: "7708", reason: /5-character/ });
      expectProblem(problems, { file: "ExplanationOfBenefit.ndjson", line: 1, column: "ExplanationOfBenefit.item[0].modifier", value: "TC;26;59;XU;GA", reason: /at most 4/ });
      expectProblem(problems, { file: "ExplanationOfBenefit.ndjson", line: 1, column: "ExplanationOfBenefit.item[0].quantity.value", value: "1.5", reason: /whole number/ });
    });

    it("an NPI that fails its check digit, where it is used (an unused one is kept as it came)", async () => {
      const { problems } = await refuse({
        "Practitioner.ndjson": ndjson(practitioner("pr5", "1234567890"), practitioner("pr6", "1234567891")),
        "ServiceRequest.ndjson": ndjson(serviceRequest("sr12", { patient: "p1", authoredOn: "2025-04-01", requester: { reference: "Practitioner/pr5" } })),
      });
      expect(problems).toHaveLength(1);
      expectProblem(problems, { file: "ServiceRequest.ndjson", line: 1, column: "ServiceRequest.requester", value: "1234567890", reason: /^the NPI of Practitioner\/pr5: NPI check digit is wrong$/ });
    });

    it("Bundles that are not read, with entries by index", async () => {
      const { problems } = await refuse({
        "a.json": JSON.stringify(patient("p20", "1950-01-01", "female")),
        "b.json": bundle("document", { resource: patient("p21", "1950-01-01", "female") }),
        "c.json": "{",
        "d.json": bundle("collection", { resource: patient("p22", "1950-01-01", "female") }, { resource: { id: "x" } as Resource }),
      });
      expect(problems).toHaveLength(4);
      expectProblem(problems, { file: "a.json", line: 1, column: "-", value: "", reason: /not a FHIR Bundle \(resourceType is "Patient"\)/ });
      expectProblem(problems, { file: "b.json", line: 1, column: "Bundle.type", value: "document", reason: /transaction, batch, collection or searchset/ });
      expectProblem(problems, { file: "c.json", line: 1, column: "-", value: "", reason: /not valid JSON/ });
      expectProblem(problems, { file: "d.json", line: 1, column: "resourceType", value: "", reason: /required/ });
    });

    it("a Bundle over the size limit is refused unread", async () => {
      const folder = writeImportFolder({ "Patient.ndjson": ndjson(patient("p23", "1950-01-01", "female")) });
      writeFileSync(path.join(folder, "big.json"), "");
      truncateSync(path.join(folder, "big.json"), 300 * 2 ** 20); // sparse: nothing is written
      const { problems } = await refuse({}, folder);
      expect(problems).toHaveLength(1);
      expectProblem(problems, { file: "big.json", line: 1, column: "-", value: "", reason: /300 MB.*up to 256 MB.*NDJSON/ });
    });

    it("file names that are not FHIR resource types", async () => {
      const { problems } = await refuse({
        "Patients.ndjson": ndjson(patient("p24", "1950-01-01", "female")),
        "Patient_1.ndjson": ndjson(patient("p25", "1950-01-01", "female")),
        "notes.txt": "call the payer\n",
      });
      expect(problems).toHaveLength(3);
      expectProblem(problems, { file: "Patients.ndjson", line: 1, column: "-", value: "", reason: /Patients is not a FHIR R4 resource type/ });
      expectProblem(problems, { file: "Patient_1.ndjson", line: 1, column: "-", value: "", reason: /<ResourceType>\.<nnn>\.ndjson/ });
      expectProblem(problems, { file: "notes.txt", line: 1, column: "-", value: "", reason: /unknown file name.*ndjson.*json/ });
    });

    it("JSON that PostgreSQL cannot store (\\u0000, a lone surrogate) is a problem of its line", async () => {
      const { problems } = await refuse({
        "Patient.ndjson": ndjson(
          '{"resourceType":"Patient","id":"p26","birthDate":"1950-01-01","name":[{"text":"a\\u0000b"}]}',
          '{"resourceType":"Patient","id":"p27","birthDate":"1950-01-01","name":[{"text":"\\ud83d\\ude00 ok"}]}',
          '{"resourceType":"Patient","id":"p28","birthDate":"1950-01-01","name":[{"text":"\\ud83d alone"}]}',
        ),
      });
      expect(problems).toHaveLength(2);
      expectProblem(problems, { file: "Patient.ndjson", line: 1, column: "Patient", value: "\\u0000", reason: /cannot store/ });
      expectProblem(problems, { file: "Patient.ndjson", line: 3, column: "Patient", value: "\\ud83d", reason: /cannot store/ });
    });

    it("more problems than the cap: the first 1,000 listed, all counted", async () => {
      const lines = Array.from({ length: 1200 }, (_, i) => JSON.stringify(patient(`q${i}`, "1950", "female")));
      const { problems, problemCount } = await refuse({ "Patient.ndjson": ndjson(...lines) });
      expect(problems).toHaveLength(1000);
      expect(problemCount).toBe(1200);
      expect(problems[999]).toMatch(/^Patient\.ndjson:1000: Patient\.birthDate: 1950: /);
    });
  });
});

// Codes used above, so that an edit to the fixtures' systems is seen here.
void [CPT, NPI, coding, organization];
