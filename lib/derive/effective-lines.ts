import type { Sql } from "@/db/client";
import {
  CENTRAL_DXA_CODES,
  joinedHasFractureCode,
  NOT_PERFORMED_MODIFIER,
  ORDER_CODE,
  OTHER_BONE_DENSITY_CODES,
  RESULT_CODE,
  sqlList,
} from "./codes";
import { withPlannerMethodsOff } from "./session";

// A claim version as one bigint ordered as D1 orders versions: received date (days since the
// least date PostgreSQL holds, never negative), then frequency code (a smallint, shifted to be
// non-negative) in the low 16 bits.
const FIRST_DATE = `'4714-11-24 BC'::date`;
const VERSION_NUMBER = `((received_date - ${FIRST_DATE})::bigint * 65536 + (frequency_code + 32768))`;
const VERSION_DATE = (n: string) => `(${FIRST_DATE} + (${n} / 65536)::int)`;
const VERSION_FREQUENCY = (n: string) => `(${n} % 65536 - 32768)::smallint`;

const TRACKED_CODES = [...CENTRAL_DXA_CODES, ...OTHER_BONE_DENSITY_CODES, ORDER_CODE, RESULT_CODE];

/** SQL condition: claim line `alias` is one DXA tracking reads (a tracked code, or a
 *  fragility-fracture diagnosis); `joined` is its diagnosis codes joined by commas
 *  (JOINED_CODES). */
export const isTrackedLine = (alias: string, joined = "dx.joined") =>
  `(${alias}.procedure_code IN (${sqlList(TRACKED_CODES)}) OR ${joinedHasFractureCode(joined)})`;

/** A line's diagnosis codes joined once, as `dx.joined`, for `isTrackedLine`. */
export const JOINED_CODES = (alias: string) => `CROSS JOIN LATERAL (SELECT array_to_string(${alias}.diagnosis_codes, ',') AS joined) dx`;

/** effective_lines' columns, for statements that copy its rows between tables. */
export const EFFECTIVE_LINE_COLUMNS = `as_of, claim_id, line_number, received_date, member_id, plan_id,
       service_date, procedure_code, modifiers, has_not_performed, line_status, rendering_npi, diagnosis_codes`;
const insertInto = (table: string) => `INSERT INTO ${table} (${EFFECTIVE_LINE_COLUMNS})`;
const LINE_VALUES = `$1::date, c.claim_id, c.line_number, c.received_date, c.member_id, c.plan_id,
       c.service_date, c.procedure_code, c.modifiers, '${NOT_PERFORMED_MODIFIER}' = ANY (c.modifiers),
       c.line_status, c.rendering_npi, c.diagnosis_codes`;

/** D1: per claim the latest version received on or before the as-of date wins (on a tie of
 *  received dates: void 8 over replacement 7 over original 1); a winning void leaves nothing.
 *  Only the lines DXA tracking reads are kept: tracked codes and fragility-fracture diagnoses.
 *
 *  Most claims have one version, all of whose lines are the winning version's; only claims with
 *  several versions, or a void alone, need their winner looked up. The winners are read from
 *  the claim lines' key in its order, and joined to the tracked lines as a small hash table
 *  (at 2,000,000 members about 330,000 claims of 4.7 million) rather than every claim's.
 *
 *  A version is (received date, frequency code), numbered so that their order is the winner's
 *  order (VERSION_NUMBER): a claim has several versions when its least and greatest numbers
 *  differ, and the greatest is the winner. One grouping of the key's rows in order, where
 *  listing each claim's distinct versions and ranking them took two window passes over 5
 *  million versions (9.4 s against 3.6 s at 2,000,000 members, EXPLAIN ANALYZE, same load). */
export async function deriveEffectiveLines(tx: Sql, asOf: string): Promise<void> {
  // In the key's order, not hashed: the planner expects half the claims there are (2.2 million
  // of 4.7 million at 2,000,000 members) and hashes them, and the hash table spills to disk even
  // in 256 MB: 4.2 s against 2.4 s read in order (EXPLAIN ANALYZE, same warehouse).
  await withPlannerMethodsOff(tx, ["enable_hashagg", "enable_sort"], () =>
    tx.query(
      `CREATE TEMP TABLE d_winning_versions ON COMMIT DROP AS
       SELECT claim_id, ${VERSION_DATE("last")} AS received_date, ${VERSION_FREQUENCY("last")} AS frequency_code
       FROM (
         SELECT claim_id, min(${VERSION_NUMBER}) AS first, max(${VERSION_NUMBER}) AS last
         FROM claim_lines WHERE received_date <= $1::date
         GROUP BY claim_id
       ) v
       WHERE first <> last OR ${VERSION_FREQUENCY("last")} = 8`,
      [asOf],
    ),
  );
  await tx.exec(`ANALYZE d_winning_versions`);
  await tx.query(
    `${insertInto("effective_lines")}
     SELECT ${LINE_VALUES}
     FROM claim_lines c
     ${JOINED_CODES("c")}
     LEFT JOIN d_winning_versions w ON w.claim_id = c.claim_id
     WHERE c.received_date <= $1::date AND ${isTrackedLine("c")}
       AND (w.claim_id IS NULL
         OR (w.received_date = c.received_date AND w.frequency_code = c.frequency_code AND w.frequency_code <> 8))`,
    [asOf],
  );
}

/** D1 for the claims whose every version's lines (received on or before the as-of date) are in
 *  temp table `lines` (claim_lines' columns), into `target` (effective_lines' columns): the lines
 *  of each claim's latest version. */
export async function deriveEffectiveLinesOfClaims(tx: Sql, asOf: string, lines: string, target: string): Promise<void> {
  await tx.query(
    `${insertInto(target)}
     SELECT ${LINE_VALUES}
     FROM (
       SELECT l.*, rank() OVER (PARTITION BY l.claim_id ORDER BY l.received_date DESC, l.frequency_code DESC) AS version
       FROM ${lines} l WHERE l.received_date <= $1::date
     ) c
     ${JOINED_CODES("c")}
     WHERE c.version = 1 AND c.frequency_code <> 8 AND ${isTrackedLine("c")}`,
    [asOf],
  );
}
