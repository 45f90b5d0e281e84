import type { Sql } from "@/db/client";
import {
  CENTRAL_DXA_CODES,
  hasFractureCode,
  NOT_PERFORMED_MODIFIER,
  ORDER_CODE,
  OTHER_BONE_DENSITY_CODES,
  RESULT_CODE,
  sqlList,
} from "./codes";

const TRACKED_CODES = [...CENTRAL_DXA_CODES, ...OTHER_BONE_DENSITY_CODES, ORDER_CODE, RESULT_CODE];

/** D1: per claim the latest version received on or before the as-of date wins (on a tie of
 *  received dates: void 8 over replacement 7 over original 1); a winning void leaves nothing.
 *  Only the lines DXA tracking reads are kept: tracked codes and fragility-fracture diagnoses. */
export async function deriveEffectiveLines(tx: Sql, asOf: string): Promise<void> {
  await tx.query(
    `CREATE TEMP TABLE d_winning_versions ON COMMIT DROP AS
     SELECT DISTINCT ON (claim_id) claim_id, received_date, frequency_code
     FROM claim_lines WHERE received_date <= $1::date
     ORDER BY claim_id, received_date DESC, frequency_code DESC`,
    [asOf],
  );
  // Millions of rows: the join below must know it, or it sorts both sides to merge them.
  await tx.exec(`ANALYZE d_winning_versions`);
  await tx.query(
    `INSERT INTO effective_lines (as_of, claim_id, line_number, received_date, member_id, plan_id,
       service_date, procedure_code, modifiers, has_not_performed, line_status, rendering_npi, diagnosis_codes)
     SELECT $1::date, c.claim_id, c.line_number, c.received_date, c.member_id, c.plan_id,
       c.service_date, c.procedure_code, c.modifiers, '${NOT_PERFORMED_MODIFIER}' = ANY (c.modifiers),
       c.line_status, c.rendering_npi, c.diagnosis_codes
     FROM claim_lines c
     JOIN d_winning_versions w ON w.claim_id = c.claim_id AND w.received_date = c.received_date
       AND w.frequency_code = c.frequency_code
     WHERE w.frequency_code <> 8
       AND (c.procedure_code IN (${sqlList(TRACKED_CODES)})
         OR ${hasFractureCode("c.diagnosis_codes")})`,
    [asOf],
  );
}
