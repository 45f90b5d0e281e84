import type { Sql } from "@/db/client";
import { FILE_SPECS, stageTable, type FileSpec } from "./files";
import type { ProblemLog } from "./problems";

export type RowCounts = { new: number; changed: number; unchanged: number };

/** Staging tables live for the import's transaction only. */
export async function createStagingTables(sql: Sql, specs: readonly FileSpec[] = FILE_SPECS): Promise<void> {
  for (const spec of specs) {
    const columns = spec.columns.map((c) => `"${c.name}" ${c.type}`).join(", ");
    await sql.exec(`CREATE TEMP TABLE ${stageTable(spec)} (line integer NOT NULL, ${columns}) ON COMMIT DROP`);
  }
}

/** The rules that need more than one row: keys repeated within the import, and references to
 *  members and plans that are neither in this import nor already loaded. */
export async function checkStagedRows(sql: Sql, staged: readonly FileSpec[], problems: ProblemLog): Promise<void> {
  for (const spec of staged) {
    await reportDuplicateKeys(sql, spec, problems);
  }
  const stagedTables = new Set(staged.map((s) => s.table));
  for (const spec of staged) {
    for (const ref of spec.references) {
      const [table, column] = ref.kind === "member" ? ["members", "member_id"] : ["plans", "plan_id"];
      const inImport = stagedTables.has(table) ? `OR EXISTS (SELECT 1 FROM stage_${table} i WHERE i.${column} = s."${ref.column}")` : "";
      const rows = await sql.query<{ line: number; value: string }>(
        `SELECT s.line, s."${ref.column}" AS value FROM ${stageTable(spec)} s
         WHERE NOT (EXISTS (SELECT 1 FROM ${table} w WHERE w.${column} = s."${ref.column}") ${inImport})
         ORDER BY s.line LIMIT 1000`,
      );
      const what = ref.kind === "member" ? "members.csv" : "plans.csv";
      for (const r of rows) {
        problems.add(spec.file, r.line, ref.column, r.value, `unknown ${ref.kind}: not in ${what} of this import nor already loaded`);
      }
    }
  }
}

async function reportDuplicateKeys(sql: Sql, spec: FileSpec, problems: ProblemLog): Promise<void> {
  const key = spec.key.map((k) => `"${k}"`).join(", ");
  const rows = await sql.query<{ line: number; first_line: number; key_value: string }>(
    `SELECT line, first_line, key_value FROM (
       SELECT line, min(line) OVER w AS first_line, concat_ws(' / ', ${key}) AS key_value
       FROM ${stageTable(spec)} WINDOW w AS (PARTITION BY ${key})
     ) d WHERE line <> first_line ORDER BY line LIMIT 1000`,
  );
  for (const r of rows) {
    problems.add(spec.file, r.line, spec.key.join("+"), r.key_value, `duplicate key: the same as line ${r.first_line}`);
  }
}

/** Plans name their payer by display name or key, in any case and spacing ("BCBS",
 *  "Blue Cross Blue Shield", "UnitedHealthcare"); any other name becomes a payer of its own. */
async function resolvePayers(sql: Sql): Promise<void> {
  const compact = (expr: string) => `regexp_replace(lower(${expr}), '[^a-z0-9]', '', 'g')`;
  await sql.exec(`
    ALTER TABLE stage_plans ADD COLUMN payer_key text;
    UPDATE stage_plans s SET payer_key = p.key FROM payers p
      WHERE ${compact("s.payer")} IN (${compact("p.key")}, ${compact("p.display_name")});
    INSERT INTO payers (key, display_name, sort_order, listed)
      SELECT DISTINCT ON (slug) slug, payer, 100, false FROM (
        SELECT trim(both '-' from regexp_replace(lower(payer), '[^a-z0-9]+', '-', 'g')) AS slug, payer
        FROM stage_plans WHERE payer_key IS NULL
      ) n ORDER BY slug, payer
      ON CONFLICT (key) DO NOTHING;
    UPDATE stage_plans s SET payer_key = trim(both '-' from regexp_replace(lower(s.payer), '[^a-z0-9]+', '-', 'g'))
      WHERE payer_key IS NULL;
  `);
}

/** Upserts one staged file by its natural key and counts new, changed and unchanged rows. */
export async function upsertStaged(sql: Sql, spec: FileSpec): Promise<RowCounts> {
  if (spec.table === "plans") await resolvePayers(sql);
  const columns = spec.table === "plans" ? ["plan_id", "payer_key", "plan_name", "product_line"] : spec.columns.map((c) => c.name);
  const list = columns.map((c) => `"${c}"`).join(", ");
  const nonKey = columns.filter((c) => !spec.key.includes(c));
  const target = spec.table;
  // `xmax = 0` marks a freshly inserted row; an updated one has the updating transaction's id.
  // Rows whose values did not change are skipped by the WHERE and so are not returned at all.
  const [counts] = await sql.query<{ new: number; changed: number; staged: number }>(`
    WITH written AS (
      INSERT INTO ${target} (${list}) SELECT ${list} FROM ${stageTable(spec)}
      ON CONFLICT (${spec.key.map((k) => `"${k}"`).join(", ")}) DO UPDATE
        SET ${nonKey.map((c) => `"${c}" = EXCLUDED."${c}"`).join(", ")}
        WHERE (${nonKey.map((c) => `${target}."${c}"`).join(", ")}) IS DISTINCT FROM (${nonKey.map((c) => `EXCLUDED."${c}"`).join(", ")})
      RETURNING (xmax = 0) AS inserted
    )
    SELECT count(*) FILTER (WHERE inserted)::int AS new,
           count(*) FILTER (WHERE NOT inserted)::int AS changed,
           (SELECT count(*) FROM ${stageTable(spec)})::int AS staged
    FROM written`);
  if (!counts) throw new Error(`upsert of ${spec.file} returned no counts`);
  return { new: counts.new, changed: counts.changed, unchanged: counts.staged - counts.new - counts.changed };
}
