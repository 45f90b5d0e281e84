import { activeCoverageJoin } from "../derive/attribution";
import { CAPTURE_DAYS, FRACTURE_FOLLOW_UP_DAYS } from "../derive/codes";
import type { MeasureKey } from "./types";

/**
 * Each measure of SPEC section 5 as the set of units it counts (orders, episodes, members),
 * one row each with its attribution, anchor date and three flags: in the denominator, in the
 * numerator, pending (left out: window not yet closed). Parameters: $1 as-of (the snapshot),
 * $2 period start, $3 period end, $4 window W in days.
 */
export const MEASURE_UNITS: Record<MeasureKey, string> = {
  // Live orders dated in the period; mature when order date + W ≤ as-of; completed when the
  // first study on or after the order date came within W days (D4).
  order_follow_up: `
    SELECT payer_key, plan_id, product_line, order_date AS anchor,
      order_date + $4::int <= $1::date AS in_denominator,
      order_date + $4::int <= $1::date AND days_to_scan <= $4::int AS in_numerator,
      order_date + $4::int > $1::date AS in_pending
    FROM order_facts
    WHERE as_of = $1::date AND status <> 'cancelled' AND order_date BETWEEN $2::date AND $3::date`,
  // Of the follow-up numerator, those whose completing study has a documented result (D5).
  result_documented: `
    SELECT payer_key, plan_id, product_line, order_date AS anchor,
      true AS in_denominator, result_documented AS in_numerator, false AS in_pending
    FROM order_facts
    WHERE as_of = $1::date AND status <> 'cancelled' AND order_date BETWEEN $2::date AND $3::date
      AND order_date + $4::int <= $1::date AND days_to_scan <= $4::int`,
  // Live EHR orders, mature 14 days after the order date, captured by a 3096F line (D3).
  order_capture: `
    SELECT payer_key, plan_id, product_line, order_date AS anchor,
      order_date + ${CAPTURE_DAYS} <= $1::date AS in_denominator,
      order_date + ${CAPTURE_DAYS} <= $1::date AND captured AS in_numerator,
      order_date + ${CAPTURE_DAYS} > $1::date AS in_pending
    FROM order_facts
    WHERE as_of = $1::date AND source = 'ehr' AND status <> 'cancelled'
      AND order_date BETWEEN $2::date AND $3::date AND $4::int > 0`,
  // Fracture episodes dated in the period, mature 180 days on, followed up by a live order or
  // a study within 180 days (D6).
  post_fracture: `
    SELECT payer_key, plan_id, product_line, episode_date AS anchor,
      episode_date + ${FRACTURE_FOLLOW_UP_DAYS} <= $1::date AS in_denominator,
      episode_date + ${FRACTURE_FOLLOW_UP_DAYS} <= $1::date AND follow_up_date IS NOT NULL AS in_numerator,
      episode_date + ${FRACTURE_FOLLOW_UP_DAYS} > $1::date AS in_pending
    FROM fracture_episodes
    WHERE as_of = $1::date AND episode_date BETWEEN $2::date AND $3::date AND $4::int > 0`,
  // Women aged 65–85 on the period end with coverage active then (attributed there, D7), and
  // no study in the two years before the period; numerator: a live order dated in the period.
  // Members without active coverage are not eligible, so no Unknown-payer unit arises.
  screening_ordering: `
    SELECT p.payer_key, p.plan_id, p.product_line, $3::date AS anchor,
      true AS in_denominator,
      EXISTS (
        SELECT 1 FROM order_facts o WHERE o.as_of = $1::date AND o.member_id = m.member_id
          AND o.status <> 'cancelled' AND o.order_date BETWEEN $2::date AND $3::date
      ) AS in_numerator,
      false AS in_pending
    FROM members m
    ${activeCoverageJoin("m.member_id", "$3::date", "cov")}
    JOIN plans p ON p.plan_id = cov.plan_id
    WHERE m.sex = 'F' AND $4::int > 0
      AND extract(year FROM age($3::date, m.birth_date)) BETWEEN 65 AND 85
      AND NOT EXISTS (
        SELECT 1 FROM dxa_studies s WHERE s.as_of = $1::date AND s.member_id = m.member_id
          AND s.study_date BETWEEN $2::date - 730 AND $2::date - 1
      )`,
};
