import type { Sql } from "@/db/client";
import { npi as npiRule } from "../import/fields";
import { stageTable, type FileSpec } from "../import/files";
import { type LoadPath } from "../import/load";
import { payerIdentitySql } from "../import/payers";
import type { ProblemLog } from "../import/problems";
import { isValidNpi } from "../npi";

// After every FHIR file is staged (lib/fhir/read.ts, lib/fhir/stage.ts), this turns the staged
// rows into the rows of SPEC section 3, set-based, inside the import's transaction:
//
// 1. The resources that the rows refer to (a Patient, the Coverage billed, the payer
//    Organization, the requesting or rendering Practitioner or PractitionerRole) are looked up
//    once per distinct target, by type and id, among the resources of this import and those
//    already loaded (fhir_resources). A resource may be named before it is read (later in a
//    file, in a file read later) or by a later import: staging everything first and resolving
//    in SQL is what lets an import of any size hold nothing but the current line in memory.
//    fhir_resources keeps what a reference to each resource reads (referenced_value), so that a
//    loaded Coverage's plan or a loaded Practitioner's NPI is a key lookup, not a second reading
//    of its JSON.
// 2. Every problem is named (`file:line: element path: value: reason`): unknown references,
//    resources or keys given twice, one plan with two payers, names or product lines, an NPI
//    that fails its check digit.
// 3. The rows that needed a reference land in tables of their own, shaped like the warehouse
//    table (member and span rows need none and stay in their partitions), from which
//    lib/fhir/upsert.ts upserts them as the CSV files' rows are.

/** How this import's CSV files reached their tables (to find keys they share with FHIR rows). */
export type CsvLoads = ReadonlyMap<FileSpec, LoadPath>;

// Cross-resource checks list the first problems and count the rest, as the CSV checks do.
const LISTED = 1000;

/** The warehouse tables FHIR rows are upserted into, in order, and where their rows are. */
export const FHIR_TABLES = ["plans", "members", "coverage", "ehr_orders", "claim_lines"] as const;
export type FhirTable = (typeof FHIR_TABLES)[number];

export function fhirStageTable(table: FhirTable): string {
  return { plans: "stage_fhir_plan_rows", members: "stage_fhir_member", coverage: "stage_fhir_span", ehr_orders: "stage_fhir_ehr_orders", claim_lines: "stage_fhir_claim_lines" }[table];
}

/** Resolves, checks and expands everything staged; problems go to `problems`. */
export async function resolveFhir(sql: Sql, batchId: number, csv: CsvLoads, problems: ProblemLog): Promise<void> {
  // Statistics first: without them the planner takes a freshly filled temporary table for a few
  // rows and may join it by nested loops (autovacuum never analyses temporary tables).
  // The resources' JSON is left out: sampling it costs more than every other partition, and no
  // plan depends on it.
  await sql.exec(`
    ANALYZE stage_fhir_resource (seq, resource_type, id);
    ANALYZE stage_fhir_member; ANALYZE stage_fhir_plan; ANALYZE stage_fhir_span;
    ANALYZE stage_fhir_order; ANALYZE stage_fhir_line; ANALYZE stage_fhir_ref;`);
  const twice = await reportDuplicateResources(sql, problems);
  await resolveTargets(sql, csv, twice);
  await reportUnresolved(sql, problems);
  await checkNpis(sql, problems);
  await expandRows(sql);
  await checkPayers(sql, problems);
  await checkPlans(sql, csv, problems);
  await checkKeys(sql, batchId, csv, problems);
}

/** A resource given twice in one import; returns how many. */
async function reportDuplicateResources(sql: Sql, problems: ProblemLog): Promise<number> {
  return listProblems(
    sql,
    problems,
    `WITH twice AS (SELECT resource_type, id FROM stage_fhir_resource GROUP BY resource_type, id HAVING count(*) > 1)
     SELECT file, source_line AS line, resource_type || '.id' AS path, id AS value, seq,
            'duplicate resource: the same ' || resource_type || ' id as ' || first_file || ':' || first_line AS reason
     FROM (SELECT s.seq, s.file, s.source_line, s.resource_type, s.id, first_value(s.seq) OVER w AS first_seq,
                  first_value(s.file) OVER w AS first_file, first_value(s.source_line) OVER w AS first_line
           FROM stage_fhir_resource s JOIN twice USING (resource_type, id)
           WINDOW w AS (PARTITION BY s.resource_type, s.id ORDER BY s.seq)) d
     WHERE seq <> first_seq`,
  );
}

const TARGET_TYPES = `('Patient', 'Coverage', 'Organization', 'Practitioner', 'PractitionerRole')`;

/** stage_fhir_targets: each resource referred to, whether it exists, and what it reads. */
async function resolveTargets(sql: Sql, csv: CsvLoads, twice: number): Promise<void> {
  // A resource given twice is reported already; its first copy is the one referred to.
  const here = twice > 0
    ? `SELECT DISTINCT ON (resource_type, id) resource_type, id, referenced_value, referenced_via FROM stage_fhir_resource
       WHERE resource_type IN ${TARGET_TYPES} ORDER BY resource_type, id, seq`
    : `SELECT resource_type, id, referenced_value, referenced_via FROM stage_fhir_resource WHERE resource_type IN ${TARGET_TYPES}`;
  // This import's resources win over loaded ones (a resource brought again reads as it comes now).
  await sql.exec(`
    CREATE TEMP TABLE stage_fhir_targets ON COMMIT DROP AS
      WITH wanted AS (SELECT DISTINCT target_type, target_id FROM stage_fhir_ref), here AS (${here})
      SELECT w.target_type, w.target_id, h.id IS NOT NULL OR f.id IS NOT NULL AS found,
             CASE WHEN h.id IS NOT NULL THEN h.referenced_value ELSE f.referenced_value END AS value,
             CASE WHEN h.id IS NOT NULL THEN h.referenced_via ELSE f.referenced_via END AS via,
             false AS via_found
      FROM wanted w
      LEFT JOIN here h ON h.resource_type = w.target_type AND h.id = w.target_id
      LEFT JOIN fhir_resources f ON f.resource_type = w.target_type AND f.id = w.target_id;
    -- A Patient reference may also name a member of members.csv (this import or loaded).
    UPDATE stage_fhir_targets t SET found = true FROM members m
      WHERE NOT t.found AND t.target_type = 'Patient' AND m.member_id = t.target_id;
    -- A PractitionerRole leads to its practitioner, whose NPI it is.
    UPDATE stage_fhir_targets t SET via_found = true, value = p.value
      FROM (SELECT r.target_id, CASE WHEN h.id IS NOT NULL THEN h.referenced_value ELSE f.referenced_value END AS value
            FROM stage_fhir_targets r
            LEFT JOIN stage_fhir_resource h ON h.resource_type = 'Practitioner' AND h.id = substr(r.via, 14)
            LEFT JOIN fhir_resources f ON f.resource_type = 'Practitioner' AND f.id = substr(r.via, 14)
            WHERE r.target_type = 'PractitionerRole' AND r.via IS NOT NULL AND (h.id IS NOT NULL OR f.id IS NOT NULL)) p
      WHERE t.target_type = 'PractitionerRole' AND t.target_id = p.target_id;
  `);
  const members = [...csv.entries()].find(([spec, path]) => spec.table === "members" && path === "staged");
  if (members) {
    await sql.exec(`UPDATE stage_fhir_targets t SET found = true FROM ${stageTable(members[0])} m
      WHERE NOT t.found AND t.target_type = 'Patient' AND m.member_id = t.target_id`);
  }
  await sql.exec(`ANALYZE stage_fhir_targets`);
}

const UNRESOLVED = `NOT found OR (via IS NOT NULL AND value IS NULL AND NOT via_found)`;

async function reportUnresolved(sql: Sql, problems: ProblemLog): Promise<void> {
  // Nearly always none: then the references themselves are not read again.
  const [any] = await sql.query(`SELECT 1 FROM stage_fhir_targets WHERE ${UNRESOLVED} LIMIT 1`);
  if (!any) return;
  await listProblems(
    sql,
    problems,
    `SELECT r.file, r.source_line AS line, r.path, r.raw AS value, r.seq,
            CASE WHEN NOT t.found THEN 'unknown reference: no ' || t.target_type || ' ' || t.target_id || ' in this import nor already loaded'
                 ELSE 'unknown reference: ' || t.target_type || ' ' || t.target_id || ' names its practitioner ' || t.via
                      || ', which is neither in this import nor already loaded' END AS reason
     FROM stage_fhir_ref r JOIN (SELECT * FROM stage_fhir_targets WHERE ${UNRESOLVED}) t
       ON t.target_type = r.target_type AND t.target_id = r.target_id`,
  );
}

/** NPIs read from Practitioners pass the CSV rule where they are used. A few thousand
 *  practitioners: their distinct values are checked here. */
async function checkNpis(sql: Sql, problems: ProblemLog): Promise<void> {
  const values = await sql.query<{ value: string }>(
    `SELECT DISTINCT value FROM stage_fhir_targets WHERE target_type IN ('Practitioner', 'PractitionerRole') AND value IS NOT NULL`,
  );
  const invalid = values.map((v) => v.value).filter((v) => !isValidNpi(v));
  if (invalid.length === 0) return;
  const reasons = new Map(invalid.map((v) => [v, (npiRule(v, { today: "" }) as { reason: string }).reason]));
  const rows = await sql.query<{ file: string; line: number; path: string; value: string; target: string; total: number }>(
    `SELECT r.file, r.source_line AS line, r.path, t.value, coalesce(t.via, t.target_type || '/' || t.target_id) AS target, count(*) OVER ()::int AS total
     FROM stage_fhir_ref r JOIN stage_fhir_targets t ON t.target_type = r.target_type AND t.target_id = r.target_id
     WHERE r.role = 'npi' AND t.value = ANY ($1::text[]) ORDER BY r.seq, r.path LIMIT ${LISTED}`,
    [invalid],
  );
  for (const r of rows) problems.add(r.file, r.line, r.path, r.value, `the NPI of ${r.target}: ${reasons.get(r.value)}`);
  if (rows.length > 0 && rows[0]!.total > rows.length) problems.addUnlisted(rows[0]!.total - rows.length);
}

/** The rows whose values come from references, with them filled in. A claim line whose
 *  Coverage is unknown is left out: its problem is reported, and the import will be refused. */
async function expandRows(sql: Sql): Promise<void> {
  await sql.exec(`
    CREATE TEMP TABLE stage_fhir_plans ON COMMIT DROP AS
      SELECT p.seq, p.file, p.source_line, p.import_batch_id, p.plan_id, p.payer_org_id, t.found AS payer_found,
             CASE WHEN t.value IS NOT NULL THEN t.value ELSE p.payer END AS payer,
             p.plan_name, p.product_line, p.product_line_code, p.payer_path, p.name_path, p.product_line_path
      FROM stage_fhir_plan p LEFT JOIN stage_fhir_targets t ON t.target_type = 'Organization' AND t.target_id = p.payer_org_id;

    CREATE TEMP TABLE stage_fhir_ehr_orders ON COMMIT DROP AS
      SELECT o.seq, o.file, o.source_line, o.import_batch_id, o.key_path, o.order_id, o.member_id, o.order_date,
             coalesce(o.ordering_npi, t.value) AS ordering_npi, o.indication, o.status
      FROM stage_fhir_order o LEFT JOIN stage_fhir_targets t ON t.target_type = o.npi_type AND t.target_id = o.npi_id;

    CREATE TEMP TABLE stage_fhir_claim_lines ON COMMIT DROP AS
      SELECT l.seq, l.file, l.source_line, l.import_batch_id, l.key_path, l.claim_id, l.line_number, l.frequency_code,
             l.received_date, l.member_id, c.value::text COLLATE "C" AS plan_id, l.claim_type, l.service_date, l.procedure_code,
             l.modifiers, l.place_of_service, l.line_status, l.units, l.billed_amount, l.paid_amount,
             coalesce(l.rendering_npi, n.value) AS rendering_npi, l.diagnosis_codes
      FROM stage_fhir_line l
      JOIN stage_fhir_targets c ON c.target_type = 'Coverage' AND c.target_id = l.coverage_id AND c.value IS NOT NULL
      LEFT JOIN stage_fhir_targets n ON n.target_type = l.npi_type AND n.target_id = l.npi_id;

    -- One row per plan: the first Coverage naming it (a conflict with a later one is an error).
    CREATE TEMP TABLE stage_fhir_plan_rows ON COMMIT DROP AS
      SELECT DISTINCT ON (plan_id) import_batch_id, source_line, plan_id, payer, plan_name, product_line
      FROM stage_fhir_plans WHERE payer IS NOT NULL ORDER BY plan_id, seq;

    ANALYZE stage_fhir_plans;
    ANALYZE stage_fhir_ehr_orders;
    ANALYZE stage_fhir_claim_lines;
  `);
}

/** The payer is the Organization's name, or the reference's display; a name, 1–200 characters. */
async function checkPayers(sql: Sql, problems: ProblemLog): Promise<void> {
  await listProblems(
    sql,
    problems,
    `SELECT file, source_line AS line, payer_path AS path, 'Organization/' || payer_org_id AS value, seq,
            'the Organization has no name and the reference no display: the payer''s name is needed' AS reason
     FROM stage_fhir_plans WHERE payer IS NULL AND payer_found`,
  );
  await listProblems(
    sql,
    problems,
    `SELECT file, source_line AS line, payer_path AS path, payer AS value, seq,
            'the payer''s name must be 1–200 characters (got ' || length(payer) || ')' AS reason
     FROM stage_fhir_plans WHERE length(payer) NOT BETWEEN 1 AND 200`,
  );
}

/** SPEC 3b: one plan_id with two payers (compared by key), plan names or product lines in one
 *  import is an error: between Coverages, and between a Coverage and plans.csv. */
async function checkPlans(sql: Sql, csv: CsvLoads, problems: ProblemLog): Promise<void> {
  // Payers compare by what makes two names one payer (lib/import/payers.ts), worked out once per
  // distinct payer name, not per Coverage.
  const keyed = (table: string) => `(SELECT t.*, k.payer_key FROM ${table} t JOIN (
      SELECT payer, ${payerIdentitySql("payer")} AS payer_key FROM (SELECT DISTINCT payer FROM ${table} AS named) d) k USING (payer))`;
  const differences = (mine: string, other: string, on: string, where: string) => `
    SELECT p.file, p.source_line AS line, x.path, x.value, p.seq,
           'plan ' || p.plan_id || ' has ' || x.what || ' "' || x.mine || '" here and "' || x.other || '" in ' || ${where} AS reason
    FROM ${keyed(mine)} p JOIN ${other} o ON ${on}
    CROSS JOIN LATERAL (VALUES
      (p.payer_key IS DISTINCT FROM o.payer_key, 'payer', p.payer_path, p.payer, p.payer, o.payer),
      (p.plan_name IS DISTINCT FROM o.plan_name, 'plan name', p.name_path, p.plan_name, p.plan_name, o.plan_name),
      (p.product_line IS DISTINCT FROM o.product_line, 'product line', p.product_line_path, p.product_line_code, p.product_line::text, o.product_line::text)
    ) AS x(differs, what, path, value, mine, other)
    WHERE x.differs`;
  // Only plans whose Coverages do not all say the same are compared one by one.
  await sql.exec(`
    CREATE TEMP TABLE stage_fhir_plan_variants ON COMMIT DROP AS
      SELECT * FROM stage_fhir_plans WHERE payer IS NOT NULL AND plan_id IN (
        SELECT plan_id FROM stage_fhir_plans WHERE payer IS NOT NULL GROUP BY plan_id
        HAVING count(DISTINCT payer) > 1 OR count(DISTINCT plan_name) > 1 OR count(DISTINCT product_line) > 1)`);
  await listProblems(
    sql,
    problems,
    differences(
      "stage_fhir_plan_variants",
      `(SELECT DISTINCT ON (plan_id) * FROM ${keyed("stage_fhir_plan_variants")} f ORDER BY plan_id, seq)`,
      "o.plan_id = p.plan_id AND o.seq <> p.seq",
      "o.file || ':' || o.source_line",
    ),
  );
  const plans = [...csv.keys()].find((spec) => spec.table === "plans");
  if (plans) {
    await listProblems(
      sql,
      problems,
      differences("(SELECT * FROM stage_fhir_plans WHERE payer IS NOT NULL)", keyed(stageTable(plans)), "o.plan_id = p.plan_id", `'${plans.file}:' || o.source_line`),
    );
  }
}

type KeyCheck = { table: Exclude<FhirTable, "plans">; key: string[]; within: boolean; what: string };

const KEY_CHECKS: KeyCheck[] = [
  { table: "members", key: ["member_id"], within: false, what: "member" },
  { table: "coverage", key: ["member_id", "plan_id", "start_date"], within: true, what: "enrollment span (member, plan, start)" },
  { table: "ehr_orders", key: ["order_id"], within: false, what: "order" },
  { table: "claim_lines", key: ["claim_id", "received_date", "frequency_code", "line_number"], within: true, what: "claim line (claim id, received date, frequency, line number)" },
];

/** Keys given twice: by two resources (two Coverages of one span, two items or EOBs of one
 *  claim line), or by a resource and a CSV file of the same import. Patients and
 *  ServiceRequests are keyed by their id, so their twins are duplicate resources already. */
async function checkKeys(sql: Sql, batchId: number, csv: CsvLoads, problems: ProblemLog): Promise<void> {
  for (const check of KEY_CHECKS) {
    const table = fhirStageTable(check.table);
    const key = check.key.map((c) => `"${c}"`).join(", ");
    const keyValue = `concat_ws(' / ', ${check.key.map((c) => `s."${c}"`).join(", ")})`;
    if (check.within) {
      // Grouped first (no sort of every row): only the keys given twice are looked at again.
      await listProblems(
        sql,
        problems,
        `WITH twice AS (SELECT ${key} FROM ${table} GROUP BY ${key} HAVING count(*) > 1)
         SELECT file, line, key_path AS path, key_value AS value, seq,
                'duplicate ${check.what}: the same as ' || first_file || ':' || first_line
                || CASE WHEN first_seq = seq THEN ' (' || first_path || ')' ELSE '' END AS reason
         FROM (SELECT s.seq, s.file, s.source_line AS line, s.key_path, ${keyValue} AS key_value,
                      row_number() OVER w AS n, first_value(s.seq) OVER w AS first_seq, first_value(s.file) OVER w AS first_file,
                      first_value(s.source_line) OVER w AS first_line, first_value(s.key_path) OVER w AS first_path
               FROM ${table} s JOIN twice USING (${key}) WINDOW w AS (PARTITION BY ${check.key.map((c) => `s."${c}"`).join(", ")} ORDER BY s.seq, s.key_path)) d
         WHERE n > 1`,
      );
    }
    const spec = [...csv.keys()].find((s) => s.table === check.table);
    if (!spec) continue;
    const loaded = csv.get(spec) === "staged" ? stageTable(spec) : `(SELECT * FROM ${spec.table} WHERE import_batch_id = ${Number(batchId)})`;
    await listProblems(
      sql,
      problems,
      `SELECT s.file, s.source_line AS line, s.key_path AS path, ${keyValue} AS value, s.seq,
              'duplicate ${check.what}: the same as ${spec.file}:' || c.source_line AS reason
       FROM ${table} s JOIN ${loaded} c USING (${key})`,
    );
  }
}

/** Runs a query of problems (file, line, path, value, reason, seq), listing the first ones in
 *  the order the resources were read and counting the rest; returns how many there are. */
async function listProblems(sql: Sql, problems: ProblemLog, query: string): Promise<number> {
  const rows = await sql.query<{ file: string; line: number; path: string; value: string | null; reason: string; total: number }>(
    `SELECT file, line, path, value, reason, count(*) OVER ()::int AS total FROM (${query}) q ORDER BY seq, path LIMIT ${LISTED}`,
  );
  for (const r of rows) problems.add(r.file, r.line, r.path, r.value ?? "", r.reason);
  const total = rows[0]?.total ?? 0;
  if (total > rows.length) problems.addUnlisted(total - rows.length);
  return total;
}
