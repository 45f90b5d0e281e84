import type { Sql } from "./client";

/** Rebuilds what `suspendIndexesIfEmpty` dropped. */
export type RebuildIndexes = () => Promise<void>;

/**
 * Drops the indexes (primary key and unique constraints included) of an empty table, so that a
 * bulk load into it builds each index once afterwards, by one sort, instead of inserting every
 * row into it. Returns the rebuild, or null when the table holds rows (its indexes stay: other
 * rows may need them, and readers may be using them).
 *
 * Why it pays: a row-by-row insert into an index larger than shared buffers reads and writes
 * index pages at random; at 2,000,000 members filling the derived tables that way took longer
 * than computing them. A duplicate key surfaces when the key is rebuilt, as the same unique
 * violation (23505) as during the load. Dropping takes the table's exclusive lock, which a
 * load into it inside the transaction holds or soon will.
 */
export async function suspendIndexesIfEmpty(sql: Sql, table: string): Promise<RebuildIndexes | null> {
  const [any] = await sql.query(`SELECT 1 FROM ${table} LIMIT 1`);
  if (any) return null;
  const constraints = await sql.query<{ name: string; def: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
     WHERE conrelid = $1::regclass AND contype IN ('p', 'u')`,
    [table],
  );
  const indexes = await sql.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes
     WHERE schemaname = current_schema() AND tablename = $1 AND indexname <> ALL ($2::text[])`,
    [table, constraints.map((c) => c.name)],
  );
  for (const c of constraints) await sql.exec(`ALTER TABLE ${table} DROP CONSTRAINT "${c.name}"`);
  for (const i of indexes) await sql.exec(`DROP INDEX "${i.name}"`);
  return async () => {
    for (const c of constraints) await sql.exec(`ALTER TABLE ${table} ADD CONSTRAINT "${c.name}" ${c.def}`);
    for (const i of indexes) await sql.exec(i.def);
  };
}

/** Runs `load`, which fills `tables`, with the indexes of those that are empty suspended
 *  (above) and rebuilt after it. */
export async function loadWithoutIndexes<T>(sql: Sql, tables: readonly string[], load: () => Promise<T>): Promise<T> {
  const rebuilds: RebuildIndexes[] = [];
  for (const table of tables) {
    const rebuild = await suspendIndexesIfEmpty(sql, table);
    if (rebuild) rebuilds.push(rebuild);
  }
  const result = await load();
  for (const rebuild of rebuilds) await rebuild();
  return result;
}
