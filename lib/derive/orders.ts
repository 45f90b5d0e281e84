import type { Sql } from "@/db/client";
import { planJoin, UNKNOWN_PAYER, withCoveragePlan } from "./attribution";
import { assignClusters } from "./cluster";
import { CAPTURE_DAYS, CLAIM_ORDER_GAP_DAYS, ORDER_CODE } from "./codes";
import { factsOf, inScope, type MemberScope } from "./scope";

/** D3–D5: EHR orders with their capture, claim-only 3096F lines clustered into orders of their
 *  own, and for every order the first study on or after its date, for the members of the scope
 *  (whose orders are not among its order_facts, factsOf). Needs their dxa_studies. */
export async function deriveOrders(tx: Sql, asOf: string, scope: MemberScope): Promise<void> {
  await tx.query(
    `CREATE TEMP TABLE d_order_lines ON COMMIT DROP AS
     SELECT member_id, service_date AS d, claim_id, line_number, plan_id, rendering_npi
     FROM ${factsOf(scope, "effective_lines")}
     WHERE as_of = $1::date AND procedure_code = '${ORDER_CODE}' AND NOT has_not_performed`,
    [asOf],
  );
  await tx.exec(`CREATE INDEX ON d_order_lines (member_id, d); ANALYZE d_order_lines;`);
  await tx.query(
    `CREATE TEMP TABLE d_orders ON COMMIT DROP AS
     SELECT o.order_id, 'ehr'::order_source AS source, o.member_id, o.order_date, o.status,
       o.ordering_npi, o.indication,
       o.status <> 'cancelled' AND EXISTS (
         SELECT 1 FROM d_order_lines l WHERE l.member_id = o.member_id
           AND l.d BETWEEN o.order_date - ${CAPTURE_DAYS} AND o.order_date + ${CAPTURE_DAYS}
       ) AS captured,
       NULL::text AS billed_plan_id
     FROM ehr_orders o WHERE o.order_date <= $1::date ${inScope(scope, "o.member_id")}`,
    [asOf],
  );
  await tx.exec(`CREATE INDEX ON d_orders (member_id, order_date); ANALYZE d_orders;`);
  // Order lines near no live EHR order become orders of their own, clustered at 14 days.
  await tx.exec(`
    CREATE TEMP TABLE d_orphan_order_lines ON COMMIT DROP AS
    SELECT l.* FROM d_order_lines l
    WHERE NOT EXISTS (
      SELECT 1 FROM d_orders o WHERE o.member_id = l.member_id AND o.status <> 'cancelled'
        AND o.order_date BETWEEN l.d - ${CAPTURE_DAYS} AND l.d + ${CAPTURE_DAYS}
    );
  `);
  await assignClusters(tx, "d_orphan_order_lines", CLAIM_ORDER_GAP_DAYS);
  // The order is dated, billed and named by its first line (earliest date, then claim, line).
  await tx.exec(`
    INSERT INTO d_orders
    SELECT DISTINCT ON (member_id, cluster_start)
      'claim:' || claim_id || '#' || line_number, 'claim', member_id, cluster_start, 'active',
      rendering_npi, NULL, true, plan_id
    FROM d_orphan_order_lines
    ORDER BY member_id, cluster_start, d, claim_id COLLATE "C", line_number;
    ANALYZE d_orders;
  `);
  // The first study on or after each order's date (the completing one for every W it falls
  // within, D4), by one join rather than a lookup per order.
  await tx.query(
    `CREATE TEMP TABLE d_member_studies ON COMMIT DROP AS
     SELECT member_id, study_date, result_date FROM ${factsOf(scope, "dxa_studies")} WHERE as_of = $1::date`,
    [asOf],
  );
  await tx.exec(`
    ANALYZE d_member_studies;
    CREATE TEMP TABLE d_order_studies ON COMMIT DROP AS
    SELECT DISTINCT ON (o.order_id) o.order_id, s.study_date, s.result_date
    FROM d_orders o
    JOIN d_member_studies s ON s.member_id = o.member_id AND s.study_date >= o.order_date
    ORDER BY o.order_id, s.study_date;
  `);
  await tx.query(
    `INSERT INTO ${factsOf(scope, "order_facts")} (as_of, order_id, source, member_id, order_date, status, ordering_npi,
       indication, captured, plan_id, payer_key, product_line, study_date, days_to_scan, result_documented)
     SELECT $1::date, o.order_id, o.source, o.member_id, o.order_date, o.status, o.ordering_npi,
       o.indication, o.captured, p.plan_id, coalesce(p.payer_key, '${UNKNOWN_PAYER}'), p.product_line,
       st.study_date, st.study_date - o.order_date, coalesce(st.result_date IS NOT NULL, false)
     FROM (${withCoveragePlan("d_orders", ["order_id"], "member_id", "order_date", scope)}) o
     LEFT JOIN d_order_studies st ON st.order_id = o.order_id
     ${planJoin("coalesce(o.covered_plan_id, o.billed_plan_id)", "p")}`,
    [asOf],
  );
}
