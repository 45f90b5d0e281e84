import { activeCoverageJoin } from "../derive/attribution";
import { CAPTURE_DAYS, FRACTURE_FOLLOW_UP_DAYS } from "../derive/codes";
import { lastDayOfMonth } from "../months";
import { UNKNOWN_PAYER_KEY } from "./dimensions";
import type { MeasureKey } from "./types";

/**
 * Each measure of SPEC section 5 as rows to add up: per anchor day and plan (the daily cubes of
 * lib/derive/cubes.ts) or, for screening, per plan of the period (lib/derive/screening.ts), with
 * the attribution, the anchor date and three weights — in the denominator, in the numerator,
 * pending (left out: window not yet closed). Parameters: $1 as-of (the snapshot), $2 period
 * start, $3 period end, $4 window W.
 */
const byWindow = (prefix: string) =>
  `CASE $4::int WHEN 30 THEN ${prefix}_30 WHEN 60 THEN ${prefix}_60 WHEN 90 THEN ${prefix}_90 ELSE ${prefix}_180 END`;
const ifElse = (condition: string, value: string) => `CASE WHEN ${condition} THEN ${value} ELSE 0 END`;
const ORDER_MATURE = "order_date + $4::int <= $1::date";
const CAPTURE_MATURE = `order_date + ${CAPTURE_DAYS} <= $1::date`;
const EPISODE_MATURE = `episode_date + ${FRACTURE_FOLLOW_UP_DAYS} <= $1::date`;
const ORDER_DAYS = "FROM order_days WHERE as_of = $1::date AND order_date BETWEEN $2::date AND $3::date";

export const MEASURE_UNITS: Record<MeasureKey, string> = {
  // Live orders dated in the period; mature when order date + W ≤ as-of; completed when the
  // first study on or after the order date came within W days (D4).
  order_follow_up: `
    SELECT payer_key, plan_id, product_line, order_date AS anchor,
      ${ifElse(ORDER_MATURE, "live")} AS denominator,
      ${ifElse(ORDER_MATURE, byWindow("done"))} AS numerator,
      ${ifElse(`NOT (${ORDER_MATURE})`, "live")} AS pending
    ${ORDER_DAYS}`,
  // Of the follow-up numerator, those whose completing study has a documented result (D5).
  result_documented: `
    SELECT payer_key, plan_id, product_line, order_date AS anchor,
      ${ifElse(ORDER_MATURE, byWindow("done"))} AS denominator,
      ${ifElse(ORDER_MATURE, byWindow("documented"))} AS numerator,
      0 AS pending
    ${ORDER_DAYS}`,
  // Live EHR orders, mature 14 days after the order date, captured by a 3096F line (D3).
  order_capture: `
    SELECT payer_key, plan_id, product_line, order_date AS anchor,
      ${ifElse(CAPTURE_MATURE, "live_ehr")} AS denominator,
      ${ifElse(CAPTURE_MATURE, "captured")} AS numerator,
      ${ifElse(`NOT (${CAPTURE_MATURE})`, "live_ehr")} AS pending
    ${ORDER_DAYS}`,
  // Fracture episodes dated in the period, mature 180 days on, followed up by a live order or
  // a study within 180 days (D6).
  post_fracture: `
    SELECT payer_key, plan_id, product_line, episode_date AS anchor,
      ${ifElse(EPISODE_MATURE, "episodes")} AS denominator,
      ${ifElse(EPISODE_MATURE, "followed_up")} AS numerator,
      ${ifElse(`NOT (${EPISODE_MATURE})`, "episodes")} AS pending
    FROM episode_days WHERE as_of = $1::date AND episode_date BETWEEN $2::date AND $3::date`,
  // Screening for a period of whole months, from the snapshot's cube (below).
  screening_ordering: `
    SELECT s.payer_key, s.plan_id, s.product_line, $3::date AS anchor, s.denominator, s.numerator, 0 AS pending
    FROM screening_months s
    WHERE s.as_of = $1::date AND s.period_end = $3::date
      AND s.period_start = ${screeningStart("$2::date", "$3::date")}`,
  // CMS249 (SPEC section 5b): the patients of the period's initial population, as evaluated by
  // lib/cms249/results.ts; denominator = in the denominator and not excluded from it, numerator
  // = in the numerator and not excluded from it. Attributed by D7 at the period end, as for
  // screening, Unknown payer without coverage then.
  cms249_dxa_overuse: cms249Units("$2::date", "$3::date", "$3::date AS anchor", ""),
};

function cms249Units(start: string, end: string, anchor: string, from: string): string {
  return `
    SELECT coalesce(p.payer_key, '${UNKNOWN_PAYER_KEY}') AS payer_key, p.plan_id, p.product_line, ${anchor},
      CASE WHEN r.denominator AND NOT r.denominator_exclusion THEN 1 ELSE 0 END AS denominator,
      CASE WHEN r.denominator AND NOT r.denominator_exclusion AND r.numerator AND NOT r.numerator_exclusion THEN 1 ELSE 0 END AS numerator,
      0 AS pending
    FROM ${from} cms249_results r
    ${activeCoverageJoin("r.patient_id", end, "cov")}
    LEFT JOIN plans p ON p.plan_id = cov.plan_id
    -- $1 (the as-of date) typed here: CMS249 reads no claims, so it does not depend on it.
    WHERE r.period_start = ${start} AND r.period_end = ${end} AND r.initial_population AND $1::date IS NOT NULL`;
}

/** cms249_dxa_overuse per plan and month for the rolling 12 months ending with each month, as
 *  SCREENING_ROLLING_UNITS: $9 the periods' starts, $10 their ends, $11 their months. */
export const CMS249_ROLLING_UNITS = cms249Units(
  "w.period_start",
  "w.period_end",
  "w.month",
  "unnest($9::text[]::date[], $10::text[]::date[], $11::text[]) AS w (period_start, period_end, month) CROSS JOIN",
);

/**
 * The cell of screening_months that answers a period of whole months from `start` to `end`: a
 * period starting before the first start the cube holds for its end month (no study or order of
 * the snapshot is older) counts as starting there.
 */
function screeningStart(start: string, end: string): string {
  return `greatest(${start}, (SELECT min(f.period_start) FROM screening_months f WHERE f.as_of = $1::date AND f.period_end = ${end}))`;
}

/** Whether screening_months answers the period: from a month's first day to a month's last. */
export function screeningCubeAnswers(from: string, to: string): boolean {
  return from.endsWith("-01") && to === lastDayOfMonth(to);
}

/** screening_ordering per plan and month for the rolling 12 months ending with each month
 *  (SPEC section 5): $9 the periods' starts, $10 their ends, $11 their months (`YYYY-MM`). */
export const SCREENING_ROLLING_UNITS = `
    SELECT s.payer_key, s.plan_id, s.product_line, w.month, s.denominator, s.numerator, 0 AS pending
    FROM unnest($9::text[]::date[], $10::text[]::date[], $11::text[]) AS w (period_start, period_end, month)
    JOIN screening_months s ON s.as_of = $1::date AND s.period_end = w.period_end
      AND s.period_start = ${screeningStart("w.period_start", "w.period_end")}`;

/**
 * screening_ordering for any period, counted over the population (seconds at millions of
 * members): for periods that do not start on a month's first day or end on a month's last,
 * which the cube does not hold. Kept exact; remembered per snapshot by the caller.
 */
export const SCREENING_POPULATION_UNITS =
  // Women aged 65–85 on the period end with coverage active then (attributed there, D7), and
  // no study in the two years before the period; numerator: a live order dated in the period.
  // Members without active coverage are not eligible, so no Unknown-payer unit arises.
  `
    SELECT p.payer_key, p.plan_id, p.product_line, $3::date AS anchor,
      1 AS denominator, CASE WHEN ordered.member_id IS NULL THEN 0 ELSE 1 END AS numerator, 0 AS pending
    FROM (
      -- Women 65–85 (completed years) on the period end: born at most 65 years and more than
      -- 86 years before it. A range on birth_date, not age() on every member.
      SELECT member_id FROM members
      WHERE sex = 'F' AND birth_date <= ($3::date - interval '65 years')::date
        AND birth_date > ($3::date - interval '86 years')::date
    ) m
    ${activeCoverageJoin("m.member_id", "$3::date", "cov")}
    JOIN plans p ON p.plan_id = cov.plan_id
    -- Joins, not IN (subquery): at millions of members a subquery's result outgrows work_mem
    -- and PostgreSQL would re-run it for every member.
    LEFT JOIN (
      SELECT DISTINCT o.member_id FROM order_facts o
      WHERE o.as_of = $1::date AND o.status <> 'cancelled' AND o.order_date BETWEEN $2::date AND $3::date
    ) ordered ON ordered.member_id = m.member_id
    WHERE NOT EXISTS (
      SELECT 1 FROM dxa_studies s
      WHERE s.as_of = $1::date AND s.member_id = m.member_id AND s.study_date BETWEEN $2::date - 730 AND $2::date - 1
    )`;
