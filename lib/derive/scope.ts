/**
 * Whose facts a derivation step derives: every member (a full derivation), or the members listed
 * in a temp table (member_id, unique) — those an incremental derivation found touched. Every
 * fact of SPEC section 4 belongs to one member and is computed from that member's rows alone, so
 * deriving a member's facts again from scratch needs nobody else's.
 */
export type MemberScope = { members: string | null };

export const EVERY_MEMBER: MemberScope = { members: null };

/** The snapshot's tables of facts, each read by the steps after the one that fills it. */
export type FactTable = "effective_lines" | "dxa_studies" | "order_facts" | "fracture_episodes";

/**
 * Where a scope's facts are read from and written to (same columns): the snapshot's tables, or
 * for a scope of some members temp tables d_scope_<table> holding those members' rows only,
 * which the incremental derivation fills (effective lines) or creates empty (the rest) and then
 * writes to the snapshot's tables in one statement each. Its steps then read their few members'
 * rows by plain scans of small tables, where reading them from the snapshot's tables cost an
 * index lookup per member per read (six reads of 75,000 members at 2,000,000).
 */
export const factsOf = (scope: MemberScope, table: FactTable) => (scope.members ? `d_scope_${table}` : table);

/** The coverage spans a scope's facts are attributed by: the whole table, or the temp table
 *  d_scope_coverage an incremental derivation copies its members' spans into (a join must not
 *  carry memberIn, below). */
export const coverageOf = (scope: MemberScope) => (scope.members ? "d_scope_coverage" : "coverage");

/** Copies the scope's members' coverage spans into d_scope_coverage (see coverageOf). */
export const SCOPE_COVERAGE = (members: string) =>
  `CREATE TEMP TABLE d_scope_coverage ON COMMIT DROP AS SELECT * FROM coverage WHERE ${memberIn("member_id", members)};
   CREATE INDEX ON d_scope_coverage (member_id, start_date);
   ANALYZE d_scope_coverage;`;

/** SQL condition (with a leading AND) limiting `column` of a table read by its member index
 *  (members, ehr_orders) to the scope's members; none for all. */
export function inScope(scope: MemberScope, column: string): string {
  return scope.members ? `AND ${memberIn(column, scope.members)}` : "";
}

/**
 * SQL condition: `column` (an indexed member_id) is one of temp table `members`'. Written as
 * `= ANY (ARRAY(…))` so that it becomes an index condition: the planner cannot size the array
 * beforehand and so looks the members up by the index, where a join or `IN (SELECT …)` with a
 * few thousand members of millions led it to scan the whole table (12 s instead of 0.15 s for
 * the refresh's claim lines at 200,000 members). Only on a table read once by itself, never on
 * a join's inner side: an index scan sorts its array of keys every time it starts, which a
 * nested loop does once per outer row (75,000 members × 100,000 rows at 2,000,000 members ran
 * for minutes); and only for indexed columns: as a filter the array is searched row by row.
 */
export function memberIn(column: string, members: string): string {
  return `${column} = ANY (ARRAY(SELECT member_id FROM ${members}))`;
}
