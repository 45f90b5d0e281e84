import type { Sql } from "@/db/client";
import { suspendIndexesIfEmpty, type RebuildIndexes } from "@/db/indexes";
import { FILE_SPECS, PROVENANCE_COLUMNS, stageTable, type FileSpec } from "./files";
import { resolvePayers } from "./payers";
import type { ProblemLog } from "./problems";

export type RowCounts = { new: number; changed: number; unchanged: number };

/** How a file reached its table: straight into it (every key new) or through staging. */
export type LoadPath = "direct" | "staged";

const quoted = (columns: readonly string[]) => columns.map((c) => `"${c}"`).join(", ");

// Cross-row checks list the first problems and count the rest (`count(*) OVER ()`).
const LISTED = 1000;

/** Staging tables live for the import's transaction only. */
export async function createStagingTables(sql: Sql, specs: readonly FileSpec[] = FILE_SPECS): Promise<void> {
  for (const spec of specs) {
    const columns = spec.columns.map((c) => `"${c.name}" ${c.type}`).join(", ");
    await sql.exec(
      `CREATE TEMP TABLE ${stageTable(spec)} (import_batch_id integer NOT NULL, source_line integer NOT NULL, ${columns}) ON COMMIT DROP`,
    );
  }
}

/** The rule that needs every row of a file: no key twice. A directly loaded file has none
 *  (its primary key saw to that); a staged file is checked here. References to members and
 *  plans were checked as each row was read (lib/import/known-ids.ts). */
export async function checkLoadedRows(sql: Sql, loaded: ReadonlyMap<FileSpec, LoadPath>, problems: ProblemLog): Promise<void> {
  for (const [spec, path] of loaded) {
    if (path === "staged") await reportDuplicateKeys(sql, spec, problems);
  }
}

/** How a direct load fills a table it found empty: the indexes to rebuild after its COPY, and
 *  whether that COPY may write the rows frozen. */
export type EmptyTableLoad = { rebuildIndexes: RebuildIndexes; freeze: boolean };

/** Prepares a direct load into `table` when it is empty, inside the load's savepoint; null when
 *  it holds rows (its indexes stay, and its COPY is an ordinary one).
 *
 *  A load into an empty table builds its indexes once, after the COPY (one sort each), rather
 *  than row by row (db/indexes.ts).
 *
 *  On PGlite, which runs in this process's thread, the first load of millions of claim lines
 *  is several times faster so. On a PostgreSQL server it once cost more than it saved (the key
 *  alone, kept, was maintained while this process validated the next rows: 2.0 s against 2.7 s
 *  for 590,223 claim lines), but with the member index and the batch's block range index beside
 *  the key the server became the slower half: maintaining the three was over half of its COPY
 *  (perf: ExecInsertIndexTuples 54 %), 2.1–2.3 s of its CPU for those lines against 1.4–1.7 s
 *  for the COPY and the builds, and the import took 4.4–6.9 s against 4.1–5.0 s beside the
 *  plain COPY's 1.8–2.8 s on the same loaded machine (lib/import/read-file.ts having made this
 *  process the faster half). */
export async function prepareEmptyTableLoad(sql: Sql, table: string): Promise<EmptyTableLoad | null> {
  const rebuildIndexes = await suspendIndexesIfEmpty(sql, table);
  if (!rebuildIndexes) return null;
  return { rebuildIndexes, freeze: await truncateForFrozenLoad(sql, table) };
}

/** Truncates a table found empty, so that its COPY may write the rows frozen (`COPY … FREEZE`
 *  needs the table created or truncated in the current subtransaction). Returns whether it did:
 *  a table another one's foreign key references cannot be truncated alone, and is loaded as
 *  before.
 *
 *  Why it pays: frozen rows on pages marked all-visible are read without a visibility check
 *  per row, by the derivation in this same import and by every reader after it; and no reader
 *  after the commit has to set every row's hint bits (rewriting the whole table, 4.7 million
 *  claim lines at 2,000,000 members), nor a later anti-wraparound vacuum freeze them.
 *  Nothing is lost: the table held no row, and the savepoint's rollback restores it as it was.
 *  The manual's caveat, that a transaction whose snapshot predates the commit sees the rows,
 *  means here seeing the first load rather than an empty warehouse. */
async function truncateForFrozenLoad(sql: Sql, table: string): Promise<boolean> {
  const [referenced] = await sql.query(`SELECT 1 FROM pg_constraint WHERE contype = 'f' AND confrelid = $1::regclass LIMIT 1`, [table]);
  if (referenced) return false;
  await sql.exec(`TRUNCATE ${table}`);
  return true;
}

async function reportDuplicateKeys(sql: Sql, spec: FileSpec, problems: ProblemLog): Promise<void> {
  const key = quoted(spec.key);
  const rows = await sql.query<{ line: number; first_line: number; key_value: string; total: number }>(
    `SELECT line, first_line, key_value, count(*) OVER () AS total FROM (
       SELECT source_line AS line, min(source_line) OVER w AS first_line, concat_ws(' / ', ${key}) AS key_value
       FROM ${stageTable(spec)} WINDOW w AS (PARTITION BY ${key})
     ) d WHERE line <> first_line ORDER BY line LIMIT ${LISTED}`,
  );
  for (const r of rows) {
    problems.add(spec.file, r.line, spec.key.join("+"), r.key_value, `duplicate key: the same as line ${r.first_line}`);
  }
  const total = Number(rows[0]?.total ?? 0);
  if (total > rows.length) problems.addUnlisted(total - rows.length);
}

/** A changed row as a dry run shows it: its key, the file line of its new values, and the
 *  columns whose values change, old and new, as text (null when empty). */
export type RowChange = {
  line: number;
  key: Record<string, string>;
  changes: { column: string; old: string | null; new: string | null }[];
};

/** Upserts one staged file by its natural key and counts new, changed and unchanged rows.
 *  An unchanged row keeps its provenance; a changed one takes this import's. `from` is the
 *  staging table (FHIR resources stage their rows apart from the CSV files': lib/fhir). With
 *  `sample`, the first changed rows in line order are read before they are written. */
export async function upsertStaged(
  sql: Sql,
  spec: FileSpec,
  from = stageTable(spec),
  options: { sample?: number } = {},
): Promise<{ counts: RowCounts; changes: RowChange[] }> {
  if (spec.table === "plans") await resolvePayers(sql, from);
  const values = spec.tableColumns ?? spec.columns.map((c) => c.name);
  const all = quoted([...PROVENANCE_COLUMNS, ...values]);
  const nonKey = values.filter((c) => !spec.key.includes(c));
  const target = spec.table;
  const changes = options.sample ? await sampleChanges(sql, spec, from, nonKey, options.sample) : [];
  // `xmax = 0` marks a freshly inserted row; an updated one has the updating transaction's id.
  // Rows whose values did not change are skipped by the WHERE and so are not returned at all.
  const [counts] = await sql.query<{ new: number; changed: number; staged: number }>(`
    WITH written AS (
      INSERT INTO ${target} (${all}) SELECT ${all} FROM ${from}
      ON CONFLICT (${quoted(spec.key)}) DO UPDATE
        SET ${[...PROVENANCE_COLUMNS, ...nonKey].map((c) => `"${c}" = EXCLUDED."${c}"`).join(", ")}
        WHERE (${nonKey.map((c) => `${target}."${c}"`).join(", ")}) IS DISTINCT FROM (${nonKey.map((c) => `EXCLUDED."${c}"`).join(", ")})
      RETURNING (xmax = 0) AS inserted
    )
    SELECT count(*) FILTER (WHERE inserted)::int AS new,
           count(*) FILTER (WHERE NOT inserted)::int AS changed,
           (SELECT count(*) FROM ${from})::int AS staged
    FROM written`);
  if (!counts) throw new Error(`upsert of ${spec.file} returned no counts`);
  return { counts: { new: counts.new, changed: counts.changed, unchanged: counts.staged - counts.new - counts.changed }, changes };
}

/** The first `limit` staged rows, in line order, whose key is loaded with other values. */
async function sampleChanges(sql: Sql, spec: FileSpec, from: string, nonKey: string[], limit: number): Promise<RowChange[]> {
  const text = (alias: string, columns: readonly string[]) => `json_build_array(${columns.map((c) => `${alias}."${c}"::text`).join(", ")})`;
  const rows = await sql.query<{ line: number; key: (string | null)[]; old: (string | null)[]; new: (string | null)[] }>(
    `SELECT s.source_line AS line, ${text("s", spec.key)} AS key, ${text("t", nonKey)} AS old, ${text("s", nonKey)} AS new
     FROM ${from} s JOIN ${spec.table} t USING (${quoted(spec.key)})
     WHERE (${nonKey.map((c) => `t."${c}"`).join(", ")}) IS DISTINCT FROM (${nonKey.map((c) => `s."${c}"`).join(", ")})
     ORDER BY s.source_line LIMIT ${Number(limit)}`,
  );
  return rows.map((r) => ({
    line: r.line,
    key: Object.fromEntries(spec.key.map((c, i) => [c, r.key[i] ?? ""])),
    changes: nonKey.flatMap((column, i) => (r.old[i] === r.new[i] ? [] : [{ column, old: r.old[i] ?? null, new: r.new[i] ?? null }])),
  }));
}
