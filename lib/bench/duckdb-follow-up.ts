import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

// The DXA order follow-up rate computed the way a user of an ad-hoc tool would: DuckDB over the
// raw import files, every rule of SPEC section 4 that the all-payer rate needs (D1 latest
// version, D2 studies, D3 orders, D4 outcome) written out in one script, no warehouse.
// The benchmark times it beside the warehouse's query and checks that both give the same counts.

export type DuckFollowUp = { asOf: string; denominator: number; numerator: number; pending: number };

const csv = (folder: string, file: string) => `read_csv('${path.join(folder, file).replaceAll("'", "''")}', header = true, all_varchar = true)`;

export async function duckdbFollowUp(folder: string, from: string, to: string, window: number): Promise<DuckFollowUp> {
  const instance = await DuckDBInstance.create(":memory:");
  const db = await instance.connect();
  try {
    await db.run(`
      CREATE TABLE cl AS SELECT claim_id, CAST(line_number AS INT) AS line_number, CAST(frequency_code AS INT) AS freq,
        CAST(received_date AS DATE) AS received, member_id, plan_id, CAST(service_date AS DATE) AS service,
        upper(procedure_code) AS code, upper(coalesce(modifiers, '')) AS modifiers, rendering_npi
      FROM ${csv(folder, "claim_lines.csv")};
      CREATE TABLE coverage AS SELECT member_id, plan_id, CAST(start_date AS DATE) AS start_date, CAST(end_date AS DATE) AS end_date
      FROM ${csv(folder, "coverage.csv")};
      CREATE TABLE ehr AS SELECT order_id, member_id, CAST(order_date AS DATE) AS order_date, lower(coalesce(status, 'active')) AS status
      FROM ${csv(folder, "orders.csv")};
      CREATE TABLE as_of AS SELECT max(received) AS d FROM cl;
      -- D1: the latest version of each claim; a void leaves nothing.
      CREATE TABLE eff AS SELECT c.* FROM cl c JOIN (
        SELECT claim_id, received, freq FROM (
          SELECT claim_id, received, freq, row_number() OVER (PARTITION BY claim_id ORDER BY received DESC, freq DESC) AS rn
          FROM (SELECT DISTINCT claim_id, received, freq FROM cl)
        ) WHERE rn = 1 AND freq <> 8
      ) w USING (claim_id, received, freq);
      -- D2: studies, a new one more than 7 days after the current one's start.
      CREATE TABLE dxa_dates AS SELECT DISTINCT member_id, service AS d FROM eff WHERE code IN ('77080', '77085');
      CREATE TABLE studies AS WITH RECURSIVE starts(member_id, s) AS (
        SELECT member_id, min(d) FROM dxa_dates GROUP BY member_id
        UNION ALL
        SELECT x.member_id, min(x.d) FROM starts st JOIN dxa_dates x ON x.member_id = st.member_id AND x.d > st.s + 7 GROUP BY x.member_id
      ) SELECT member_id, s AS study_date FROM starts;
      -- D3: order lines, EHR orders, and claim-only orders clustered at 14 days.
      CREATE TABLE order_lines AS SELECT * FROM eff WHERE code = '3096F' AND NOT list_contains(string_split(modifiers, ';'), '8P');
      CREATE TABLE live_ehr AS SELECT * FROM ehr WHERE status <> 'cancelled' AND order_date <= (SELECT d FROM as_of);
      CREATE TABLE orphan AS SELECT l.* FROM order_lines l WHERE NOT EXISTS (
        SELECT 1 FROM live_ehr e WHERE e.member_id = l.member_id AND abs(datediff('day', e.order_date, l.service)) <= 14);
      CREATE TABLE orphan_dates AS SELECT DISTINCT member_id, service AS d FROM orphan;
      CREATE TABLE claim_orders AS WITH RECURSIVE starts(member_id, s) AS (
        SELECT member_id, min(d) FROM orphan_dates GROUP BY member_id
        UNION ALL
        SELECT x.member_id, min(x.d) FROM starts st JOIN orphan_dates x ON x.member_id = st.member_id AND x.d > st.s + 14 GROUP BY x.member_id
      ) SELECT member_id, s AS order_date FROM starts;
      CREATE TABLE orders AS
        SELECT member_id, order_date FROM live_ehr
        UNION ALL SELECT member_id, order_date FROM claim_orders;
      -- D4: the first study on or after the order date.
      CREATE TABLE outcomes AS SELECT o.member_id, o.order_date,
        (SELECT min(s.study_date) FROM studies s WHERE s.member_id = o.member_id AND s.study_date >= o.order_date) AS study_date
      FROM orders o;
    `);
    const reader = await db.runAndReadAll(`
      SELECT CAST((SELECT d FROM as_of) AS VARCHAR) AS as_of,
        count(*) FILTER (WHERE order_date + ${window} <= (SELECT d FROM as_of)) AS denominator,
        count(*) FILTER (WHERE order_date + ${window} <= (SELECT d FROM as_of) AND datediff('day', order_date, study_date) <= ${window}) AS numerator,
        count(*) FILTER (WHERE order_date + ${window} > (SELECT d FROM as_of)) AS pending
      FROM outcomes WHERE order_date BETWEEN DATE '${from}' AND DATE '${to}'`);
    const [row] = reader.getRowObjects() as { as_of: string; denominator: bigint; numerator: bigint; pending: bigint }[];
    if (!row) throw new Error("DuckDB returned no row");
    return { asOf: row.as_of, denominator: Number(row.denominator), numerator: Number(row.numerator), pending: Number(row.pending) };
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}
