import type { Sql } from "@/db/client";

/** Every table holding a snapshot's rows (each with an as_of column), in derivation order. */
export const SNAPSHOT_TABLES = [
  "effective_lines",
  "dxa_studies",
  "order_facts",
  "fracture_episodes",
  "claims_lag_days",
  "claims_lag",
  "order_days",
  "episode_days",
  "scan_days",
  "scan_months",
  "dxa_line_days",
  "screening_corners",
  "screening_months",
] as const;

export type SnapshotTable = (typeof SNAPSHOT_TABLES)[number];

/**
 * Settings for the rest of the transaction. No JIT compilation: each large statement here paid
 * 0.2–0.4 s to compile expressions it then ran for a second or two, and at 2,000,000 members
 * running them compiled was no faster. Memory for sorts, hashes and index builds: the
 * derivation's joins and DISTINCT ONs sort millions of rows, which spill to disk in the default
 * 4 MB. PGlite holds its data in this process, so it gets less.
 */
export async function prepareSession(tx: Sql): Promise<void> {
  const memory = tx.engine === "pglite" ? "64MB" : "256MB";
  await tx.exec(`SET LOCAL jit = off; SET LOCAL work_mem = '${memory}'; SET LOCAL maintenance_work_mem = '${memory}'`);
}

/**
 * Runs `run` with hash joins only (nested loops and merge joins off), then puts the settings
 * back. For statements that read a whole table whatever the plan, where the planner's guesses
 * go wrong after a claims refresh re-keys the snapshot (its as_of column then has no
 * statistics) and a sort for a merge join or a lookup per row costs several times the hash.
 * On failure the transaction is lost and the settings with it.
 */
export function withHashJoins<T>(tx: Sql, run: () => Promise<T>): Promise<T> {
  return withPlannerMethodsOff(tx, ["enable_nestloop", "enable_mergejoin"], run);
}

/** A planner method that a statement here may need to rule out. */
export type PlannerMethod = "enable_nestloop" | "enable_mergejoin" | "enable_hashagg" | "enable_sort";

/** Runs `run` with the planner's methods `settings` off, then puts each back as it was. */
export async function withPlannerMethodsOff<T>(tx: Sql, settings: readonly PlannerMethod[], run: () => Promise<T>): Promise<T> {
  const was: [string, string][] = [];
  for (const name of settings) was.push([name, (await tx.query<{ value: string }>(`SELECT current_setting($1) AS value`, [name]))[0]!.value]);
  await tx.exec(settings.map((name) => `SET LOCAL ${name} = off;`).join(" "));
  const result = await run();
  await tx.exec(was.map(([name, value]) => `SET LOCAL ${name} = ${value === "off" ? "off" : "on"};`).join(" "));
  return result;
}

// The derivation's temp tables (prefix d_) go as soon as it ends, so that a second snapshot
// in the same transaction can reuse their names.
export async function dropWorkTables(tx: Sql): Promise<void> {
  const tables = await tx.query<{ name: string }>(
    `SELECT relname AS name FROM pg_class
     WHERE relpersistence = 't' AND relkind = 'r' AND relname LIKE 'd\\_%' AND pg_table_is_visible(oid)`,
  );
  if (tables.length > 0) await tx.exec(`DROP TABLE ${tables.map((t) => `"${t.name}"`).join(", ")}`);
}

/** How long each step of the last derivation in this process took, in milliseconds: the
 *  benchmark reports where the time goes (docs/benchmarks.md). */
export const derivationSteps: { step: string; ms: number }[] = [];

/** Runs one step of a derivation, noting its time in `derivationSteps`. */
export async function timedStep<T>(step: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    derivationSteps.push({ step, ms: performance.now() - started });
  }
}
