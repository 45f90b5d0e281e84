import type { Sql } from "@/db/client";
import { FILE_SPECS, stageTable, type FileSpec } from "../import/files";
import { payerKeySql, type LoadPath } from "../import/load";
import type { ProblemLog } from "../import/problems";
import { npi as npiRule } from "../import/fields";
import { isValidNpi } from "../npi";

// After every FHIR file is staged (lib/fhir/read.ts), this turns the staged resources into the
// rows of SPEC section 3, set-based, inside the import's transaction:
//
// 1. The references the rows need (a Patient, the Coverage billed, the payer Organization, the
//    requesting or rendering Practitioner) are looked up among the resources of this import and
//    those already loaded (fhir_resources), by type and id. A resource may be referred to
//    before it is read (later in a file, in a file read later) or by a later import: the
//    choice to stage first and resolve in SQL is what lets an import of any size hold nothing
//    but the current line in memory. fhir_resources keeps, for each resource, what a
//    reference to it reads (referenced_value), so that a loaded Coverage's plan or a loaded
//    Practitioner's NPI is a key lookup, not a second reading of its JSON.
// 2. Every problem is named (`file:line: element path: value: reason`): unknown references,
//    resources or keys given twice, one plan with two payers, names or product lines, an NPI
//    that fails its check digit.
// 3. The rows land in staging tables of their own (stage_fhir_<table>), shaped like the
//    warehouse table, from which lib/fhir/upsert.ts upserts them as the CSV files' are.

/** How this import's CSV files reached their tables (to find keys they share with FHIR rows). */
export type CsvLoads = ReadonlyMap<FileSpec, LoadPath>;

// Cross-resource checks list the first problems and count the rest, as the CSV checks do.
const LISTED = 1000;

/** The table every FHIR file is copied into, in the order of STAGE_COLUMNS (lib/fhir/read.ts). */
export async function createFhirStaging(sql: Sql): Promise<void> {
  await sql.exec(`
    CREATE TEMP TABLE stage_fhir (
      seq integer NOT NULL, file text NOT NULL, line integer NOT NULL,
      resource_type text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL, resource jsonb NOT NULL,
      patient_id text COLLATE "C", referenced_value text, referenced_via text, mapped jsonb
    ) ON COMMIT DROP`);
}

/** The staged rows of one warehouse table (for the import report and the upsert). */
export const FHIR_TABLES = ["plans", "members", "coverage", "ehr_orders", "claim_lines"] as const;
export type FhirTable = (typeof FHIR_TABLES)[number];

export function fhirStageTable(table: FhirTable): string {
  return table === "plans" ? "stage_fhir_plan_rows" : `stage_fhir_${table}`;
}

/** Resolves, checks and expands everything staged; problems go to `problems`. */
export async function resolveFhir(sql: Sql, batchId: number, csv: CsvLoads, problems: ProblemLog): Promise<void> {
  // The mapped resources alone (a small share of the staged bytes), read once.
  await sql.exec(`
    CREATE TEMP TABLE stage_fhir_mapped ON COMMIT DROP AS
      SELECT seq, file, line, mapped FROM stage_fhir WHERE mapped IS NOT NULL;
    CREATE TEMP TABLE stage_fhir_refs ON COMMIT DROP AS
      SELECT m.seq, m.file, m.line, r.path, r.raw, r.role, r.type::text COLLATE "C" AS target_type, r.id::text COLLATE "C" AS target_id,
             false AS found, NULL::text AS value, NULL::text AS via, false AS via_found
      FROM stage_fhir_mapped m CROSS JOIN LATERAL jsonb_to_recordset(m.mapped->'refs') AS r(path text, raw text, role text, type text, id text)
      WHERE m.mapped ? 'refs';
  `);
  await reportDuplicateResources(sql, problems);
  await resolveReferences(sql, csv);
  await reportUnresolved(sql, problems);
  await checkNpis(sql, problems);
  await expandRows(sql, batchId);
  await checkPlans(sql, csv, problems);
  await checkKeys(sql, batchId, csv, problems);
}

async function reportDuplicateResources(sql: Sql, problems: ProblemLog): Promise<void> {
  await listProblems(
    sql,
    problems,
    `WITH twice AS (SELECT resource_type, id FROM stage_fhir GROUP BY resource_type, id HAVING count(*) > 1)
     SELECT file, line, resource_type || '.id' AS path, id AS value,
            'duplicate resource: the same ' || resource_type || ' id as ' || first_file || ':' || first_line AS reason, seq
     FROM (SELECT s.*, first_value(s.seq) OVER w AS first_seq, first_value(s.file) OVER w AS first_file,
                  first_value(s.line) OVER w AS first_line
           FROM stage_fhir s JOIN twice USING (resource_type, id) WINDOW w AS (PARTITION BY s.resource_type, s.id ORDER BY s.seq)) d
     WHERE seq <> first_seq`,
  );
}

async function resolveReferences(sql: Sql, csv: CsvLoads): Promise<void> {
  // Loaded resources first; this import's replace them (a resource brought again reads as it
  // comes now).
  await sql.exec(`
    UPDATE stage_fhir_refs r SET found = true, value = f.referenced_value, via = f.referenced_via
      FROM fhir_resources f WHERE f.resource_type = r.target_type AND f.id = r.target_id;
    UPDATE stage_fhir_refs r SET found = true, value = s.referenced_value, via = s.referenced_via
      FROM stage_fhir s WHERE s.resource_type = r.target_type AND s.id = r.target_id;
    -- A Patient reference may also name a member of members.csv (this import or loaded).
    UPDATE stage_fhir_refs r SET found = true FROM members m
      WHERE NOT r.found AND r.target_type = 'Patient' AND m.member_id = r.target_id;
    -- A PractitionerRole leads to its practitioner, whose NPI it is.
    UPDATE stage_fhir_refs r SET via_found = true, value = f.referenced_value
      FROM fhir_resources f WHERE r.via IS NOT NULL AND r.value IS NULL AND f.resource_type = 'Practitioner' AND f.id = substr(r.via, 14);
    UPDATE stage_fhir_refs r SET via_found = true, value = s.referenced_value
      FROM stage_fhir s WHERE r.via IS NOT NULL AND s.resource_type = 'Practitioner' AND s.id = substr(r.via, 14);
  `);
  const members = [...csv.entries()].find(([spec, path]) => spec.table === "members" && path === "staged");
  if (members) {
    await sql.exec(`UPDATE stage_fhir_refs r SET found = true FROM ${stageTable(members[0])} m
      WHERE NOT r.found AND r.target_type = 'Patient' AND m.member_id = r.target_id`);
  }
}

async function reportUnresolved(sql: Sql, problems: ProblemLog): Promise<void> {
  await listProblems(
    sql,
    problems,
    `SELECT file, line, path, raw AS value, seq,
            CASE WHEN NOT found THEN 'unknown reference: no ' || target_type || ' ' || target_id || ' in this import nor already loaded'
                 ELSE 'unknown reference: ' || target_type || ' ' || target_id || ' names its practitioner ' || via
                      || ', which is neither in this import nor already loaded' END AS reason
     FROM stage_fhir_refs WHERE NOT found OR (via IS NOT NULL AND value IS NULL AND NOT via_found)`,
  );
  await listProblems(
    sql,
    problems,
    `SELECT file, line, path, raw AS value, seq, 'the ' || target_type || ' has no name and the reference no display: the payer''s name is needed' AS reason
     FROM stage_fhir_refs r WHERE role = 'payer' AND found AND value IS NULL
       AND NOT EXISTS (SELECT 1 FROM stage_fhir_mapped m WHERE m.seq = r.seq AND m.mapped->'plan'->>'payer' IS NOT NULL)`,
  );
  await listProblems(
    sql,
    problems,
    `SELECT file, line, path, value, seq, 'the name of ' || target_type || '/' || target_id || ' must be 1–200 characters (got ' || length(value) || ')' AS reason
     FROM stage_fhir_refs WHERE role = 'payer' AND found AND value IS NOT NULL AND length(value) NOT BETWEEN 1 AND 200`,
  );
}

/** NPIs read from Practitioners pass the CSV rule at the element that uses them. A few
 *  thousand practitioners, so the distinct values are checked here. */
async function checkNpis(sql: Sql, problems: ProblemLog): Promise<void> {
  const values = await sql.query<{ value: string }>(`SELECT DISTINCT value FROM stage_fhir_refs WHERE role = 'npi' AND value IS NOT NULL`);
  const invalid = values.map((v) => v.value).filter((v) => !isValidNpi(v));
  if (invalid.length === 0) return;
  const rows = await sql.query<{ file: string; line: number; path: string; value: string; target: string; total: number }>(
    `SELECT file, line, path, value, coalesce(via, target_type || '/' || target_id) AS target, count(*) OVER ()::int AS total
     FROM stage_fhir_refs WHERE role = 'npi' AND value = ANY ($1::text[]) ORDER BY seq, path LIMIT ${LISTED}`,
    [invalid],
  );
  for (const r of rows) {
    const verdict = npiRule(r.value, { today: "" });
    problems.add(r.file, r.line, r.path, r.value, `the NPI of ${r.target}: ${typeof verdict === "string" ? "invalid" : verdict.reason}`);
  }
  if (rows.length > 0 && rows[0]!.total > rows.length) problems.addUnlisted(rows[0]!.total - rows.length);
}

/** The warehouse rows, with their references filled in. A row whose reference could not be
 *  resolved is left out: its problem is reported already, and the import will be refused. */
async function expandRows(sql: Sql, batchId: number): Promise<void> {
  const record = (table: string, extra: string) => {
    const spec = FILE_SPECS.find((s) => s.table === table)!;
    return [...spec.columns.map((c) => `${c.name} ${c.type}`), extra].filter(Boolean).join(", ");
  };
  await sql.exec(`
    CREATE TEMP TABLE stage_fhir_plans (
      seq integer, file text, line integer, import_batch_id integer, source_line integer,
      plan_id text COLLATE "C", payer text, plan_name text, product_line product_line, product_line_code text,
      payer_path text, name_path text, product_line_path text
    ) ON COMMIT DROP;
    INSERT INTO stage_fhir_plans
      SELECT m.seq, m.file, m.line, ${batchId}, m.line, r.plan_id, coalesce(p.value, r.payer), r.plan_name, r.product_line,
             r.product_line_code, r.payer_path, r.name_path, r.product_line_path
      FROM stage_fhir_mapped m
      CROSS JOIN LATERAL jsonb_to_record(m.mapped->'plan') AS r(plan_id text, payer text, payer_ref text, plan_name text,
        product_line product_line, product_line_code text, payer_path text, name_path text, product_line_path text)
      LEFT JOIN stage_fhir_refs p ON p.seq = m.seq AND p.path = r.payer_ref
      WHERE m.mapped ? 'plan' AND coalesce(p.value, r.payer) IS NOT NULL;

    CREATE TEMP TABLE stage_fhir_members (LIKE members, seq integer, file text, key_path text) ON COMMIT DROP;
    INSERT INTO stage_fhir_members (seq, file, key_path, import_batch_id, source_line, member_id, birth_date, sex)
      SELECT m.seq, m.file, 'Patient.id', ${batchId}, m.line, r.member_id, r.birth_date, r.sex
      FROM stage_fhir_mapped m CROSS JOIN LATERAL jsonb_to_record(m.mapped->'member') AS r(${record("members", "")})
      WHERE m.mapped ? 'member';

    CREATE TEMP TABLE stage_fhir_coverage (LIKE coverage, seq integer, file text, key_path text) ON COMMIT DROP;
    INSERT INTO stage_fhir_coverage (seq, file, key_path, import_batch_id, source_line, member_id, plan_id, start_date, end_date)
      SELECT m.seq, m.file, r.key_path, ${batchId}, m.line, r.member_id, r.plan_id, r.start_date, r.end_date
      FROM stage_fhir_mapped m CROSS JOIN LATERAL jsonb_to_record(m.mapped->'span') AS r(${record("coverage", "key_path text")})
      WHERE m.mapped ? 'span';

    CREATE TEMP TABLE stage_fhir_ehr_orders (LIKE ehr_orders INCLUDING DEFAULTS, seq integer, file text, key_path text) ON COMMIT DROP;
    INSERT INTO stage_fhir_ehr_orders (seq, file, key_path, import_batch_id, source_line, order_id, member_id, order_date, ordering_npi, status)
      SELECT m.seq, m.file, 'ServiceRequest.id', ${batchId}, m.line, r.order_id, r.member_id, r.order_date, coalesce(r.ordering_npi, n.value), r.status
      FROM stage_fhir_mapped m CROSS JOIN LATERAL jsonb_to_record(m.mapped->'order') AS r(${record("ehr_orders", "npi_ref text")})
      LEFT JOIN stage_fhir_refs n ON n.seq = m.seq AND n.path = r.npi_ref
      WHERE m.mapped ? 'order';

    CREATE TEMP TABLE stage_fhir_claim_lines (LIKE claim_lines INCLUDING DEFAULTS, seq integer, file text, key_path text) ON COMMIT DROP;
    INSERT INTO stage_fhir_claim_lines (seq, file, key_path, import_batch_id, source_line, claim_id, line_number, frequency_code,
        received_date, member_id, plan_id, claim_type, service_date, procedure_code, modifiers, place_of_service, line_status, units,
        billed_amount, paid_amount, rendering_npi, diagnosis_codes)
      SELECT m.seq, m.file, r.key_path, ${batchId}, m.line, r.claim_id, r.line_number, r.frequency_code, r.received_date, r.member_id,
             p.value, r.claim_type, r.service_date, r.procedure_code, r.modifiers, r.place_of_service, r.line_status, r.units,
             r.billed_amount, r.paid_amount, coalesce(r.rendering_npi, n.value), r.diagnosis_codes
      FROM stage_fhir_mapped m
      CROSS JOIN LATERAL jsonb_to_recordset(m.mapped->'lines') AS r(${record("claim_lines", "plan_ref text, npi_ref text, key_path text").replace("plan_id text, ", "")})
      JOIN stage_fhir_refs p ON p.seq = m.seq AND p.path = r.plan_ref AND p.value IS NOT NULL
      LEFT JOIN stage_fhir_refs n ON n.seq = m.seq AND n.path = r.npi_ref
      WHERE m.mapped ? 'lines';

    -- One row per plan: the first Coverage naming it (a conflict with a later one is an error).
    CREATE TEMP TABLE stage_fhir_plan_rows ON COMMIT DROP AS
      SELECT DISTINCT ON (plan_id) import_batch_id, source_line, plan_id, payer, plan_name, product_line
      FROM stage_fhir_plans ORDER BY plan_id, seq;
  `);
}

/** SPEC 3b: one plan_id with two payers (compared by key), plan names or product lines in one
 *  import is an error: between Coverages, and between a Coverage and plans.csv. */
async function checkPlans(sql: Sql, csv: CsvLoads, problems: ProblemLog): Promise<void> {
  // Payer keys are worked out once per distinct payer name, not per Coverage.
  const keyed = (table: string) => `(SELECT t.*, k.payer_key FROM ${table} t JOIN (
      SELECT payer, ${payerKeySql("payer")} AS payer_key FROM (SELECT DISTINCT payer FROM ${table}) d) k USING (payer))`;
  const differences = (other: string, on: string, where: string) => `
    SELECT p.file, p.line, x.path, x.value, p.seq,
           'plan ' || p.plan_id || ' has ' || x.what || ' "' || x.mine || '" here and "' || x.other || '" in ' || ${where} AS reason
    FROM ${keyed("stage_fhir_plans")} p JOIN ${other} o ON ${on}
    CROSS JOIN LATERAL (VALUES
      (p.payer_key IS DISTINCT FROM o.payer_key, 'payer', p.payer_path, p.payer, p.payer, o.payer),
      (p.plan_name IS DISTINCT FROM o.plan_name, 'plan name', p.name_path, p.plan_name, p.plan_name, o.plan_name),
      (p.product_line IS DISTINCT FROM o.product_line, 'product line', p.product_line_path, p.product_line_code, p.product_line::text, o.product_line::text)
    ) AS x(differs, what, path, value, mine, other)
    WHERE x.differs`;
  await listProblems(
    sql,
    problems,
    differences(
      `(SELECT DISTINCT ON (plan_id) * FROM ${keyed("stage_fhir_plans")} f ORDER BY plan_id, seq)`,
      "o.plan_id = p.plan_id AND o.seq <> p.seq",
      "o.file || ':' || o.line",
    ),
  );
  const plans = [...csv.keys()].find((spec) => spec.table === "plans");
  if (plans) {
    await listProblems(sql, problems, differences(keyed(stageTable(plans)), "o.plan_id = p.plan_id", `'${plans.file}:' || o.source_line`));
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
      await listProblems(
        sql,
        problems,
        `SELECT file, line, key_path AS path, key_value AS value, seq,
                'duplicate ' || '${check.what}' || ': the same as ' || first_file || ':' || first_line
                || CASE WHEN first_seq = seq THEN ' (' || first_path || ')' ELSE '' END AS reason
         FROM (SELECT s.seq, s.file, s.source_line AS line, s.key_path, ${keyValue} AS key_value,
                      row_number() OVER w AS n, first_value(s.seq) OVER w AS first_seq, first_value(s.file) OVER w AS first_file,
                      first_value(s.source_line) OVER w AS first_line, first_value(s.key_path) OVER w AS first_path
               FROM ${table} s WINDOW w AS (PARTITION BY ${key} ORDER BY s.seq, s.key_path)) d
         WHERE n > 1`,
      );
    }
    const spec = [...csv.keys()].find((s) => s.table === check.table);
    if (!spec) continue;
    const loaded = csv.get(spec) === "staged" ? stageTable(spec) : `(SELECT * FROM ${spec.table} WHERE import_batch_id = ${batchId})`;
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
 *  the order the resources were read and counting the rest. */
async function listProblems(sql: Sql, problems: ProblemLog, query: string): Promise<void> {
  const rows = await sql.query<{ file: string; line: number; path: string; value: string | null; reason: string; total: number }>(
    `SELECT file, line, path, value, reason, count(*) OVER ()::int AS total FROM (${query}) q ORDER BY seq, path LIMIT ${LISTED}`,
  );
  for (const r of rows) problems.add(r.file, r.line, r.path, r.value ?? "", r.reason);
  if (rows.length > 0 && rows[0]!.total > rows.length) problems.addUnlisted(rows[0]!.total - rows.length);
}
