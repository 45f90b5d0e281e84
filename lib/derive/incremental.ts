import type { Sql } from "@/db/client";
import { refreshClaimsLag } from "./claims-lag";
import { applyCubeDifference } from "./cubes";
import { deriveEffectiveLinesOfClaims, EFFECTIVE_LINE_COLUMNS, isTrackedLine, JOINED_CODES } from "./effective-lines";
import { deriveFractureEpisodes } from "./fractures";
import type { SnapshotSummary } from "./index";
import { deriveOrders } from "./orders";
import { addScreeningCorners, buildScreeningMonths, mergeScreeningCorners, SEGMENT_MEMBERS, type ScreeningFacts } from "./screening";
import { factsOf, memberIn, SCOPE_COVERAGE, type FactTable, type MemberScope } from "./scope";
import { dropWorkTables, prepareSession, SNAPSHOT_TABLES, timedStep } from "./session";
import { deriveStudies } from "./studies";

/*
 * A monthly claims refresh derived incrementally, inside the import's transaction.
 *
 * What its lines can change. D1 picks each claim's winning version, so only the claims the
 * refresh brings versions of ("touched claims") can change their effective lines; every other
 * claim keeps its versions, and the as-of date moving forward admits none of them (no claim line
 * was received after the old as-of date: it was the latest). Every other fact of SPEC section 4 —
 * studies, orders, captures, completions, documented results, fracture episodes, attribution —
 * is computed per member from that member's own lines, orders, coverage and birth date. So the
 * members whose facts can change are those with a tracked line in any version of a touched claim
 * (new versions, and the older ones whose lines the new ones replace or void), plus — because
 * the as-of date moves — those with an EHR order dated after the old as-of date and on or before
 * the new one, which the snapshot now admits (D3). Their facts are derived again from scratch;
 * nobody else's can differ.
 *
 * How, at 2,000,000 members (75,000 touched a month). Their rows are read once from each table
 * by its member index, their facts derived from those copies into temp tables (factsOf in
 * ./scope.ts), and only the rows that come out different are deleted and written (half of their
 * studies and orders come out as they were; a row written into these tables and their indexes
 * costs more than deriving it). The cubes change by those rows alone, and the screening corners
 * by those of the women whose study dates or live order months changed.
 *
 * What depends on the as-of date itself. The snapshot's key (as_of on every derived row), which
 * moves with the data's as-of date: every table is re-keyed (below). The claims lag, whose
 * 12-month window ends on it: its histogram gains the refresh's original lines and drops the days
 * that left the window. Maturity and "pending" (order date + W ≤ as-of, and the like) are not
 * stored: measures judge them against the snapshot's as-of date when they count the cubes, so
 * they move without any row changing. The cubes (order_days, episode_days, screening_corners)
 * are sums over members and change, cell by cell, by the difference of the touched members'
 * facts; the screening cells (screening_months) are rebuilt from their corners, up to a year
 * past the new as-of date.
 *
 * When it applies. The previous derivation must be the previous import's, over the same storage
 * (derivation_basis); the import must have added claim lines and changed nothing else (rows of
 * members, coverage, plans or orders would change facts beyond the members its lines name, and a
 * claim line changed in place loses the values the old facts came from). Otherwise, or when the
 * refresh touches more than a fifth of the members, everything is derived again.
 */

/** The touched members' derived facts as they were (temp tables of OLD_COPY), the table they
 *  come from, and the name of their changes (replaceRows). */
const OLD_FACTS = [
  ["d_old_studies", "dxa_studies", "studies"],
  ["d_old_orders", "order_facts", "orders"],
  ["d_old_episodes", "fracture_episodes", "episodes"],
] as const;

/** A copy of rows of table `t` as they were, each with its place (ctid), by which it is deleted. */
const OLD_COPY = "t.ctid AS row_ctid, t.*";

/** Columns that identify a fact of each table, by which a row derived again meets the row as it
 *  was (then compared whole). */
const FACT_KEYS: Record<FactTable, readonly string[]> = {
  effective_lines: ["claim_id", "line_number"],
  dxa_studies: ["member_id", "study_date"],
  order_facts: ["order_id"],
  fracture_episodes: ["member_id", "episode_date"],
};

/** The order in which a table's changed rows are written: by its member index's key. Each row
 *  written adds an entry to every index of its table; written in the member index's order,
 *  consecutive entries fall into the same leaf pages instead of one page each at random (an
 *  index page read, dirtied, and logged whole after each checkpoint). */
const WRITE_ORDER: Record<FactTable, string> = {
  effective_lines: "member_id, claim_id, line_number",
  dxa_studies: "member_id, study_date",
  order_facts: "member_id, order_date",
  fracture_episodes: "member_id, episode_date",
};

/** What the import's rows allow: a full derivation, none at all, or an incremental one. */
export type DerivationPlan =
  | { kind: "full"; reason: string }
  | { kind: "unchanged"; asOf: string; reason: string }
  | { kind: "incremental"; asOf: string; reason: string };

/** The warehouse tables whose storage the basis records. */
const SOURCE_TABLES = ["payers", "plans", "members", "coverage", "ehr_orders", "claim_lines"] as const;

/** Beyond this share of all members, deriving everyone again is as quick and simpler. */
const MOST_MEMBERS = 0.2;

type Basis = {
  snapshot_as_of: string;
  import_batch_id: number | null;
  storage: Record<string, number>;
  facts: { effectiveLines: number; studies: number; orders: number; fractureEpisodes: number };
};

type FileLog = { file: string; new: number; changed: number };

export async function planDerivation(tx: Sql, importBatchId: number | null): Promise<DerivationPlan> {
  if (importBatchId === null) return { kind: "full", reason: "asked for a full rebuild" };
  const [basis] = await tx.query<Basis>(`SELECT snapshot_as_of::text AS snapshot_as_of, import_batch_id, storage, facts FROM derivation_basis`);
  if (!basis) return { kind: "full", reason: "first derivation" };
  const [previous] = await tx.query<{ id: number }>(
    `SELECT id FROM import_batches WHERE outcome = 'succeeded' AND id < $1 ORDER BY id DESC LIMIT 1`,
    [importBatchId],
  );
  if (!previous || previous.id !== basis.import_batch_id) return { kind: "full", reason: "the snapshot is not the previous import's" };
  const [snapshot] = await tx.query(`SELECT 1 FROM derived_snapshots WHERE as_of = $1::date AND import_batch_id = $2`, [
    basis.snapshot_as_of,
    basis.import_batch_id,
  ]);
  if (!snapshot) return { kind: "full", reason: "the previous snapshot is gone" };
  const storage = await tableStorage(tx);
  if (SOURCE_TABLES.some((t) => storage[t] !== basis.storage[t])) return { kind: "full", reason: "a table was emptied or rewritten outside an import" };
  const [batch] = await tx.query<{ files: FileLog[] }>(`SELECT files FROM import_batches WHERE id = $1`, [importBatchId]);
  const files = batch?.files ?? [];
  const others = files.filter((f) => f.file !== "claim_lines.csv");
  if (others.some((f) => !f.file.endsWith(".csv"))) return { kind: "full", reason: "FHIR files" };
  if (others.some((f) => f.new + f.changed > 0)) return { kind: "full", reason: "members, coverage, plans or orders changed" };
  const claims = files.find((f) => f.file === "claim_lines.csv");
  if (claims && claims.changed > 0) return { kind: "full", reason: "claim lines changed in place" };
  if (!claims || claims.new === 0) return { kind: "unchanged", asOf: basis.snapshot_as_of, reason: "no new or changed rows" };
  return { kind: "incremental", asOf: basis.snapshot_as_of, reason: "claims refresh" };
}

async function tableStorage(tx: Sql): Promise<Record<string, number>> {
  const rows = await tx.query<{ name: string; node: number }>(
    `SELECT relname AS name, relfilenode::int AS node FROM pg_class
     WHERE relname = ANY ($1::text[]) AND relkind = 'r' AND pg_table_is_visible(oid)`,
    [[...SOURCE_TABLES]],
  );
  return Object.fromEntries(rows.map((r) => [r.name, Number(r.node)]));
}

/** Records what the data's snapshot was derived from (derivation_basis), and summarises the
 *  claim lines' block ranges loaded since (see findRefreshLines). */
export async function recordBasis(tx: Sql, asOf: string, importBatchId: number | null, facts: Omit<SnapshotSummary, "asOf" | "derivation">): Promise<void> {
  await tx.query(`SELECT brin_summarize_new_values('claim_lines_import_batch_brin')`);
  const storage = await tableStorage(tx);
  const { effectiveLines, studies, orders, fractureEpisodes } = facts;
  await tx.exec(`DELETE FROM derivation_basis`);
  await tx.query(
    `INSERT INTO derivation_basis (snapshot_as_of, import_batch_id, storage, facts) VALUES ($1::date, $2, $3::jsonb, $4::jsonb)`,
    [asOf, importBatchId, JSON.stringify(storage), JSON.stringify({ effectiveLines, studies, orders, fractureEpisodes })],
  );
}

/**
 * Derives the import's refresh into the data's snapshot (see above). Returns null, having changed
 * nothing, when a full derivation should be made instead.
 */
export async function deriveIncrementally(
  tx: Sql,
  importBatchId: number,
  plan: Exclude<DerivationPlan, { kind: "full" }>,
): Promise<SnapshotSummary | null> {
  const [basis] = await tx.query<Basis>(`SELECT snapshot_as_of::text AS snapshot_as_of, import_batch_id, storage, facts FROM derivation_basis`);
  if (!basis) return null;
  const oldAsOf = plan.asOf;
  if (plan.kind === "unchanged") {
    await tx.query(`UPDATE derived_snapshots SET built_at = now(), import_batch_id = $2 WHERE as_of = $1::date`, [oldAsOf, importBatchId]);
    await dropEarlierSnapshots(tx, oldAsOf);
    await tx.query(`UPDATE import_batches SET data_as_of = $1::date WHERE id = $2`, [oldAsOf, importBatchId]);
    await recordBasis(tx, oldAsOf, importBatchId, basis.facts);
    return { asOf: oldAsOf, ...basis.facts, derivation: { kind: "unchanged", reason: plan.reason } };
  }
  await prepareSession(tx);
  await dropChanges(tx);
  await timedStep("the refresh's claim lines", () => findRefreshLines(tx, importBatchId));
  const [moved] = await tx.query<{ as_of: string }>(`SELECT greatest($1::date, max(received_date))::text AS as_of FROM d_refresh_lines`, [oldAsOf]);
  const asOf = moved!.as_of;
  const touched = await timedStep("touched claims and members", () => findTouchedMembers(tx, oldAsOf, asOf));
  const [members] = await tx.query<{ n: number }>(`SELECT greatest(reltuples, 1)::float8 AS n FROM pg_class WHERE relname = 'members' AND pg_table_is_visible(oid)`);
  if (touched > MOST_MEMBERS * Number(members?.n ?? 1)) {
    await dropWorkTables(tx);
    return null;
  }

  await timedStep("re-key to the new as-of date", async () => {
    await dropEarlierSnapshots(tx, oldAsOf);
    if (asOf !== oldAsOf) await rekeySnapshot(tx, oldAsOf, asOf);
  });
  const scope: MemberScope = { members: "d_members" };
  await tx.exec(SCOPE_COVERAGE("d_members"));

  // The touched members' facts as they were, read once each by the member indexes (OLD_COPY).
  // Their lines are marked by whether a touched claim holds them (those D1 derives again; the
  // others stay as they are).
  await timedStep("the touched members' facts as they were", async () => {
    await tx.query(
      `CREATE TEMP TABLE d_old_member_lines ON COMMIT DROP AS
       SELECT ${OLD_COPY}, t.claim_id IN (SELECT claim_id FROM d_claims) AS touched
       FROM effective_lines t WHERE t.as_of = $1::date AND ${memberIn("t.member_id", "d_members")}`,
      [asOf],
    );
    await tx.exec(`CREATE TEMP TABLE d_old_lines ON COMMIT DROP AS SELECT * FROM d_old_member_lines WHERE touched`);
    for (const [copy, table] of OLD_FACTS) {
      await tx.query(
        `CREATE TEMP TABLE ${copy} ON COMMIT DROP AS SELECT ${OLD_COPY} FROM ${table} t WHERE t.as_of = $1::date AND ${memberIn("t.member_id", "d_members")}`,
        [asOf],
      );
    }
  });

  // D1 for the touched claims; the touched members' lines now are theirs as they were outside
  // those claims and D1's lines of them (every line of a touched claim belongs to a member with
  // a tracked line in it: d_line_members).
  await timedStep("effective lines (D1)", async () => {
    await tx.exec(`CREATE TEMP TABLE d_new_lines (LIKE effective_lines) ON COMMIT DROP`);
    await deriveEffectiveLinesOfClaims(tx, asOf, "d_claim_lines", "d_new_lines");
    await replaceRows(tx, "effective_lines", "d_old_lines", "d_new_lines", "lines");
    // A view, not a copy: D2-D7 read it four times, each a scan of these two small tables with a
    // filter on the code, where the copy of 230,000 rows took 0.28 s. Sampled for the columns
    // those reads filter and join on only: the arrays' element statistics made ANALYZE of every
    // column cost three times as much (psql, load 6: 150,000 lines, 0.35 s against 0.11 s).
    // Dropped after D2-D7, before the tables it reads.
    await tx.exec(`
      ANALYZE d_old_member_lines (member_id, procedure_code, service_date, has_not_performed, touched);
      ANALYZE d_new_lines (member_id, procedure_code, service_date, has_not_performed);
      CREATE TEMP VIEW ${factsOf(scope, "effective_lines")} AS
      SELECT ${EFFECTIVE_LINE_COLUMNS} FROM d_old_member_lines WHERE NOT touched
      UNION ALL SELECT ${EFFECTIVE_LINE_COLUMNS} FROM d_new_lines;
    `);
  });
  // The touched members' facts from scratch, into temp tables (factsOf), then in place of theirs.
  await timedStep("studies, orders, episodes (D2–D7)", async () => {
    for (const [, table] of OLD_FACTS) await tx.exec(`CREATE TEMP TABLE ${factsOf(scope, table)} (LIKE ${table}) ON COMMIT DROP`);
    await deriveStudies(tx, asOf, scope);
    await deriveOrders(tx, asOf, scope);
    await deriveFractureEpisodes(tx, asOf, scope);
    for (const [copy, table, name] of OLD_FACTS) await replaceRows(tx, table, copy, factsOf(scope, table), name);
    // A temp view lasts as long as the session, and its tables cannot be dropped before it.
    await tx.exec(`DROP VIEW ${factsOf(scope, "effective_lines")}`);
  });
  const now = { orders: factsOf(scope, "order_facts"), studies: factsOf(scope, "dxa_studies"), episodes: factsOf(scope, "fracture_episodes") };

  // Rows that did not change add as much as they take away: the cubes change by those that did.
  await timedStep("daily cubes", () =>
    applyCubeDifference(
      tx,
      asOf,
      { orders: "d_orders_added", episodes: "d_episodes_added", lines: "d_lines_added" },
      { orders: "d_orders_gone", episodes: "d_episodes_gone", lines: "d_lines_gone" },
    ),
  );
  await timedStep("claims lag", () => refreshClaimsLag(tx, asOf, "d_refresh_lines"));
  await timedStep("screening corners of the touched women", async () => {
    // A woman's corners follow from her coverage and age, which a refresh leaves as they are,
    // and her studies' dates and live orders' months: only those whose dates or months changed
    // can change corners (of the touched members, who gain a claim, most keep theirs).
    // Read from the rows that changed (gone and added): a date or month in one of them and not
    // in the other may still be in a row that did not change, which adds a woman whose corners
    // then cancel out; none whose corners change is missed.
    // One grouping of the four tables' dates: a (member, date or month) in the rows gone and not
    // in those added, or the other way round (its two sets taken and compared cost twice as much).
    const inputs = (studies: string, orders: string, gone: boolean) =>
      `SELECT member_id, study_date AS d, false AS is_order, ${gone} AS gone FROM ${studies}
       UNION ALL SELECT member_id, date_trunc('month', order_date)::date, true, ${gone} FROM ${orders} WHERE status <> 'cancelled'`;
    await tx.exec(`
      CREATE TEMP TABLE d_sc_members ON COMMIT DROP AS
      SELECT DISTINCT member_id FROM (
        SELECT member_id FROM (${inputs("d_studies_gone", "d_orders_gone", true)} UNION ALL ${inputs("d_studies_added", "d_orders_added", false)}) x
        GROUP BY member_id, d, is_order HAVING bool_or(gone) <> bool_or(NOT gone)
      ) changed ORDER BY member_id;
      ALTER TABLE d_sc_members ADD PRIMARY KEY (member_id);
      ANALYZE d_sc_members;
      CREATE TEMP TABLE d_sc_difference (plan_id text COLLATE "C", month_from int, month_to int, denominator int, numerator int) ON COMMIT DROP;
    `);
    const ofChanged = (relation: string) => `SELECT * FROM ${relation} WHERE member_id IN (${SEGMENT_MEMBERS})`;
    const facts = (studies: string, orders: string, sign: 1 | -1): ScreeningFacts => ({
      studies: `SELECT member_id, study_date FROM (${ofChanged(studies)}) s`,
      orders: `SELECT member_id, order_date, status FROM (${ofChanged(orders)}) o`,
      sign,
    });
    // Their spans are among the touched members' (d_scope_coverage).
    await addScreeningCorners(tx, { members: "d_sc_members" }, [facts("d_old_studies", "d_old_orders", -1), facts(now.studies, now.orders, 1)], "d_sc_difference");
  });
  await timedStep("screening corners merged", () => mergeScreeningCorners(tx, asOf, "d_sc_difference"));
  await timedStep("screening months", () => buildScreeningMonths(tx, asOf));

  const [counts] = await tx.query<{ lines: number; studies: number; orders: number; episodes: number; old_studies: number; old_orders: number; old_episodes: number; old_lines: number }>(
    `SELECT
       (SELECT count(*) FROM d_new_lines)::int AS lines,
       (SELECT count(*) FROM ${now.studies})::int AS studies,
       (SELECT count(*) FROM ${now.orders})::int AS orders,
       (SELECT count(*) FROM ${now.episodes})::int AS episodes,
       (SELECT count(*) FROM d_old_studies)::int AS old_studies,
       (SELECT count(*) FROM d_old_orders)::int AS old_orders,
       (SELECT count(*) FROM d_old_episodes)::int AS old_episodes,
       (SELECT count(*) FROM d_old_lines)::int AS old_lines`,
  );
  const c = counts!;
  const facts = {
    effectiveLines: basis.facts.effectiveLines - c.old_lines + c.lines,
    studies: basis.facts.studies - c.old_studies + c.studies,
    orders: basis.facts.orders - c.old_orders + c.orders,
    fractureEpisodes: basis.facts.fractureEpisodes - c.old_episodes + c.episodes,
  };
  await keepChanges(tx, oldAsOf, asOf, importBatchId, now);
  await dropWorkTables(tx);
  await tx.query(`UPDATE derived_snapshots SET built_at = now(), import_batch_id = $2 WHERE as_of = $1::date`, [asOf, importBatchId]);
  await tx.query(`UPDATE import_batches SET data_as_of = $1::date WHERE id = $2`, [asOf, importBatchId]);
  await recordBasis(tx, asOf, importBatchId, facts);
  return { asOf, ...facts, derivation: { kind: "incremental", reason: plan.reason, members: touched } };
}

/**
 * What a refresh changed, kept for the import's later steps until its transaction ends: the
 * touched members' studies and orders as they were and as they are, the lines of the touched
 * claims as they were and as they are (the members' other lines are as they were), and the as-of
 * dates before and after (refresh_dates, one row, with the import's batch id). The data page's
 * stored findings change by them (lib/warehouse/stored-counts.ts) instead of being counted again,
 * as the cubes change by the rows that changed. The copies of rows as they were carry row_ctid
 * (and the lines `touched`) besides the table's columns.
 */
export const REFRESH_CHANGES = {
  dates: "refresh_dates",
  before: { studies: "refresh_studies_before", orders: "refresh_orders_before", lines: "refresh_lines_before" },
  after: { studies: "refresh_studies_after", orders: "refresh_orders_after", lines: "refresh_lines_after" },
} as const;

export type RefreshChanges = { asOfBefore: string; asOf: string; before: typeof REFRESH_CHANGES.before; after: typeof REFRESH_CHANGES.after };

const changeTables = () => [REFRESH_CHANGES.dates, ...Object.values(REFRESH_CHANGES.before), ...Object.values(REFRESH_CHANGES.after)];

async function keepChanges(tx: Sql, asOfBefore: string, asOf: string, importBatchId: number, now: { studies: string; orders: string }): Promise<void> {
  const { before, after } = REFRESH_CHANGES;
  const renames: [string, string][] = [
    ["d_old_studies", before.studies],
    ["d_old_orders", before.orders],
    ["d_old_lines", before.lines],
    [now.studies, after.studies],
    [now.orders, after.orders],
    ["d_new_lines", after.lines],
  ];
  await tx.exec(renames.map(([from, to]) => `ALTER TABLE ${from} RENAME TO ${to};`).join("\n"));
  await tx.query(`CREATE TEMP TABLE ${REFRESH_CHANGES.dates} ON COMMIT DROP AS SELECT $1::date AS as_of_before, $2::date AS as_of, $3::int AS import_batch_id`, [
    asOfBefore,
    asOf,
    importBatchId,
  ]);
}

async function dropChanges(tx: Sql): Promise<void> {
  await tx.exec(`DROP TABLE IF EXISTS ${changeTables().join(", ")}`);
}

/** What the refresh of import `importBatchId`, derived in this transaction, changed (see
 *  REFRESH_CHANGES); null when no such refresh was derived here. */
export async function refreshChanges(tx: Sql, importBatchId: number): Promise<RefreshChanges | null> {
  const [kept] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM unnest($1::text[]) t WHERE to_regclass('pg_temp.' || t) IS NOT NULL`, [changeTables()]);
  if (kept!.n !== changeTables().length) return null;
  const [dates] = await tx.query<{ as_of_before: string; as_of: string }>(
    `SELECT as_of_before::text AS as_of_before, as_of::text AS as_of FROM ${REFRESH_CHANGES.dates} WHERE import_batch_id = $1`,
    [importBatchId],
  );
  if (!dates) return null;
  return { asOfBefore: dates.as_of_before, asOf: dates.as_of, before: REFRESH_CHANGES.before, after: REFRESH_CHANGES.after };
}

/**
 * Replaces in `table` the rows copied to temp table `old` (OLD_COPY) by the rows of temp table
 * `now` (the table's columns in its order), writing only those that differ: most of a touched
 * member's facts come out as they were, and writing a row into these tables and their indexes
 * costs more than deriving it. The rows that went and came are kept as d_<name>_gone and
 * d_<name>_added. Rows meet by their key and are compared column by column (comparing their
 * text cost ten times as much).
 */
async function replaceRows(tx: Sql, table: FactTable, old: string, now: string, name: string): Promise<void> {
  const columns = await tx.query<{ name: string }>(
    `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [table],
  );
  const row = (alias: string) => `(${columns.map((c) => `${alias}.${c.name}`).join(", ")})`;
  const same = `${FACT_KEYS[table].map((k) => `n.${k} = o.${k}`).join(" AND ")} AND ${row("n")} IS NOT DISTINCT FROM ${row("o")}`;
  await tx.exec(`
    CREATE TEMP TABLE d_${name}_gone ON COMMIT DROP AS SELECT * FROM ${old} o WHERE NOT EXISTS (SELECT 1 FROM ${now} n WHERE ${same});
    CREATE TEMP TABLE d_${name}_added ON COMMIT DROP AS SELECT * FROM ${now} n WHERE NOT EXISTS (SELECT 1 FROM ${old} o WHERE ${same});
    DELETE FROM ${table} WHERE ctid = ANY (ARRAY(SELECT row_ctid FROM d_${name}_gone));
    INSERT INTO ${table} SELECT * FROM d_${name}_added ORDER BY ${WRITE_ORDER[table]};
  `);
}

/**
 * The refresh's claim lines (temp table d_refresh_lines): every row of claim_lines carrying this
 * import's batch id, read by the batch's block range index. Every derivation summarises the
 * ranges loaded before it (recordBasis), so the index names the pages the table grew by (not
 * yet summarised) and the few older ranges where the import's COPY filled free space (a range's
 * summary widens as a row goes in) — which happens to every refresh once the table has been
 * vacuumed. At 2,000,000 members: 70 ms for June's 167,649 lines, where a scan of the whole
 * table took 0.9-1.5 s (and an index whose ranges were never summarised, as many).
 */
async function findRefreshLines(tx: Sql, importBatchId: number): Promise<void> {
  await tx.query(
    `CREATE TEMP TABLE d_refresh_lines ON COMMIT DROP AS
     SELECT claim_id, received_date, frequency_code, line_number, member_id, plan_id, service_date FROM claim_lines WHERE import_batch_id = $1`,
    [importBatchId],
  );
  await tx.exec(`ANALYZE d_refresh_lines`);
}

/**
 * The touched claims (d_claims), their lines (d_claim_lines) and members (d_members, see above;
 * those with a tracked line in a touched claim also in d_line_members); returns how many members.
 *
 * d_members is written in key order (so is d_sc_members, below). Each read by memberIn
 * (`= ANY (ARRAY(…))`) has its index scan sort the array first, to walk the index in order,
 * comparing keys one function call at a time: 77,000 ids cost 40-100 ms per read at 2,000,000
 * members, and a refresh reads by them six times (coverage, effective lines, studies, orders,
 * episodes, EHR orders). An array already in order is checked in one pass (PostgreSQL's sort
 * looks for that first), and the table's rows come out in the order written; sorting them once
 * costs about 40 ms. Same rows either way (order_facts of 77,000 members, psql, back to back:
 * 180 ms and 184 ms, 105 ms and 76 ms when sorted). Not d_claims: sorting its 147,000 claim ids
 * took 190 ms, and it is read once so.
 */
async function findTouchedMembers(tx: Sql, oldAsOf: string, asOf: string): Promise<number> {
  await tx.exec(`
    CREATE TEMP TABLE d_claims ON COMMIT DROP AS SELECT DISTINCT claim_id FROM d_refresh_lines;
    ALTER TABLE d_claims ADD PRIMARY KEY (claim_id);
    ANALYZE d_claims;
  `);
  // Every version's lines of the touched claims, read once by the claim lines' key (see
  // memberIn in ./scope.ts): their members here, D1 from them.
  await tx.query(
    `CREATE TEMP TABLE d_claim_lines ON COMMIT DROP AS
     SELECT * FROM claim_lines WHERE claim_id = ANY (ARRAY(SELECT claim_id FROM d_claims)) AND received_date <= $1::date`,
    [asOf],
  );
  await tx.exec(
    `CREATE TEMP TABLE d_line_members ON COMMIT DROP AS
     SELECT DISTINCT c.member_id FROM d_claim_lines c ${JOINED_CODES("c")} WHERE ${isTrackedLine("c")}`,
  );
  await tx.query(
    `CREATE TEMP TABLE d_members ON COMMIT DROP AS
     SELECT member_id FROM d_line_members
     UNION
     SELECT member_id FROM ehr_orders WHERE order_date > $1::date AND order_date <= $2::date
     ORDER BY member_id`,
    [oldAsOf, asOf],
  );
  await tx.exec(`ALTER TABLE d_line_members ADD PRIMARY KEY (member_id); ANALYZE d_line_members; ALTER TABLE d_members ADD PRIMARY KEY (member_id); ANALYZE d_members;`);
  const [row] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM d_members`);
  return row!.n;
}

/** Only the data's snapshot survives an import: every earlier one is stale. */
async function dropEarlierSnapshots(tx: Sql, asOf: string): Promise<void> {
  const [earlier] = await tx.query(`SELECT 1 FROM derived_snapshots WHERE as_of <> $1::date LIMIT 1`, [asOf]);
  if (!earlier) return;
  for (const table of SNAPSHOT_TABLES) await tx.query(`DELETE FROM ${table} WHERE as_of <> $1::date`, [asOf]);
  await tx.query(`DELETE FROM derived_snapshots WHERE as_of <> $1::date`, [asOf]);
}

/** Moves the snapshot (the only one left) from one as-of date to another (rekeyTables). */
async function rekeySnapshot(tx: Sql, from: string, to: string): Promise<void> {
  await rekeyTables(tx, SNAPSHOT_TABLES, to);
  await tx.query(`UPDATE derived_snapshots SET as_of = $2::date WHERE as_of = $1::date`, [from, to]);
}

/**
 * Sets as_of to `to` on every row of each table, all of whose rows are one snapshot's. Rewriting
 * as_of on every row would write the whole snapshot again (millions of rows at full size);
 * instead each table's as_of column is dropped and added back with the new date as its default,
 * which PostgreSQL keeps in the catalogue as the value of every existing row (a "missing"
 * attribute value) without touching them. No index may contain as_of (db/schema/derived.ts), or
 * it would be rebuilt. The default is dropped again: a row inserted later states its as_of.
 */
export async function rekeyTables(tx: Sql, tables: readonly string[], to: string): Promise<void> {
  for (const table of tables) {
    await tx.exec(`
      ALTER TABLE ${table} DROP COLUMN as_of;
      ALTER TABLE ${table} ADD COLUMN as_of date NOT NULL DEFAULT '${to}'::date;
      ALTER TABLE ${table} ALTER COLUMN as_of DROP DEFAULT;
    `);
  }
}
