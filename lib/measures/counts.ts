import type { Sql } from "@/db/client";
import { CAPTURE_DAYS, FRACTURE_FOLLOW_UP_DAYS } from "../derive/codes";
import { activeCoverageJoin } from "../derive/attribution";

export const MEASURE_KEYS = [
  "order_follow_up",
  "result_documented",
  "order_capture",
  "screening_ordering",
  "post_fracture",
] as const;
export type MeasureKey = (typeof MEASURE_KEYS)[number];

export type MeasureParams = {
  /** The snapshot to read (see resolveSnapshot). */
  asOf: string;
  from: string;
  to: string;
  /** Follow-up window W in days. */
  window: 30 | 60 | 90 | 180;
};

export type PayerCounts = { payerKey: string; denominator: number; numerator: number; pending: number };

// Each measure as one grouped query over the derived facts of a snapshot: $1 as-of, $2 from,
// $3 to, $4 window. Counts follow the table of SPEC section 5.
const MEASURE_SQL: Record<MeasureKey, string> = {
  order_follow_up: `
    SELECT payer_key,
      count(*) FILTER (WHERE order_date + $4::int <= $1::date) AS denominator,
      count(*) FILTER (WHERE order_date + $4::int <= $1::date AND days_to_scan <= $4::int) AS numerator,
      count(*) FILTER (WHERE order_date + $4::int > $1::date) AS pending
    FROM order_facts
    WHERE as_of = $1::date AND status <> 'cancelled' AND order_date BETWEEN $2::date AND $3::date
    GROUP BY payer_key`,
  result_documented: `
    SELECT payer_key,
      count(*) AS denominator,
      count(*) FILTER (WHERE result_documented) AS numerator,
      0 AS pending
    FROM order_facts
    WHERE as_of = $1::date AND status <> 'cancelled' AND order_date BETWEEN $2::date AND $3::date
      AND order_date + $4::int <= $1::date AND days_to_scan <= $4::int
    GROUP BY payer_key`,
  order_capture: `
    SELECT payer_key,
      count(*) FILTER (WHERE order_date + ${CAPTURE_DAYS} <= $1::date) AS denominator,
      count(*) FILTER (WHERE order_date + ${CAPTURE_DAYS} <= $1::date AND captured) AS numerator,
      count(*) FILTER (WHERE order_date + ${CAPTURE_DAYS} > $1::date) AS pending
    FROM order_facts
    WHERE as_of = $1::date AND source = 'ehr' AND status <> 'cancelled'
      AND order_date BETWEEN $2::date AND $3::date AND $4::int > 0
    GROUP BY payer_key`,
  post_fracture: `
    SELECT payer_key,
      count(*) FILTER (WHERE episode_date + ${FRACTURE_FOLLOW_UP_DAYS} <= $1::date) AS denominator,
      count(*) FILTER (WHERE episode_date + ${FRACTURE_FOLLOW_UP_DAYS} <= $1::date AND follow_up_date IS NOT NULL) AS numerator,
      count(*) FILTER (WHERE episode_date + ${FRACTURE_FOLLOW_UP_DAYS} > $1::date) AS pending
    FROM fracture_episodes
    WHERE as_of = $1::date AND episode_date BETWEEN $2::date AND $3::date AND $4::int > 0
    GROUP BY payer_key`,
  // Women 65–85 on the period end with coverage active then, no study in the two years before
  // the period; attributed at the period end (D7), so no Unknown payer row can arise.
  screening_ordering: `
    SELECT p.payer_key,
      count(*) AS denominator,
      count(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM order_facts o WHERE o.as_of = $1::date AND o.member_id = m.member_id
          AND o.status <> 'cancelled' AND o.order_date BETWEEN $2::date AND $3::date)) AS numerator,
      0 AS pending
    FROM members m
    ${activeCoverageJoin("m.member_id", "$3::date", "cov")}
    JOIN plans p ON p.plan_id = cov.plan_id
    WHERE m.sex = 'F' AND $4::int > 0
      AND extract(year FROM age($3::date, m.birth_date)) BETWEEN 65 AND 85
      AND NOT EXISTS (
        SELECT 1 FROM dxa_studies s WHERE s.as_of = $1::date AND s.member_id = m.member_id
          AND s.study_date BETWEEN $2::date - 730 AND $2::date - 1)
    GROUP BY p.payer_key`,
};

/** Denominator, numerator and pending of one measure by payer key (payers with no rows in the
 *  measure are absent). */
export async function countMeasureByPayer(db: Sql, measure: MeasureKey, params: MeasureParams): Promise<PayerCounts[]> {
  const rows = await db.query<{ payer_key: string; denominator: number | string; numerator: number | string; pending: number | string }>(
    MEASURE_SQL[measure],
    [params.asOf, params.from, params.to, params.window],
  );
  return rows.map((r) => ({
    payerKey: r.payer_key,
    denominator: Number(r.denominator),
    numerator: Number(r.numerator),
    pending: Number(r.pending),
  }));
}
