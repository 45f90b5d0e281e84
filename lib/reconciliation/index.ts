import type { Sql } from "@/db/client";
import { CAPTURE_DAYS, OTHER_BONE_DENSITY_CODES, sqlList } from "../derive/codes";
import type { ProductLine } from "../measures/types";
import { nonEmpty } from "../measures/restrict";
import { assertMemberLevel, payerScopeParam, type Viewer } from "../access";
import { openCursor, type RowCursor, type SqlStatement } from "@/db/cursor";

// Reconciliation of orders and claims (SPEC sections 6 and 7): where the order → scan → bill
// trail does not add up. Read from a snapshot's derived facts, for the /data page and
// reconciliation.csv alike.

export const FINDING_KINDS = ["study_without_order", "order_not_captured", "incomplete_split_bill", "other_bone_density_code"] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** A study with no live order of its member dated in the days up to it (both ends inclusive). */
export const STUDY_ORDER_LOOKBACK_DAYS = 120;

export type ReconciliationQuery = {
  /** The snapshot read (a resolved as-of date). */
  asOf: string;
  /** The finding's date (study, order or service date) in [from, to]. */
  from: string;
  to: string;
  payers?: readonly string[];
  plans?: readonly string[];
  productLines?: readonly ProductLine[];
  /** Kinds of finding; empty or absent = all. */
  findings?: readonly FindingKind[];
};

export type ReconciliationListParams = ReconciliationQuery & { page?: number; pageSize?: number };

type FindingBase = {
  memberId: string;
  /** Study date, order date or service date. */
  date: string;
  payerKey: string;
  payerName: string;
  /** Null (payer `unknown`) when no plan could be attributed. */
  planId: string | null;
  planName: string | null;
  productLine: ProductLine | null;
};

/** One finding, with what the kind of finding needs to be explained. The plan is the
 *  attributed one (D7) for studies and orders, the plan billed for a claim line. */
export type Finding = FindingBase &
  (
    | { finding: "study_without_order"; lineCount: number }
    | { finding: "order_not_captured"; orderId: string }
    | { finding: "incomplete_split_bill"; billed: "TC" | "26" }
    | { finding: "other_bone_density_code"; procedureCode: string; claimId: string; lineNumber: number; lineStatus: string }
  );

// Each kind as rows of one shape (every column named and typed in every branch, so that any
// subset of kinds can be put together); $1 as-of, $2–$3 period. Studies carry no product line
// of their own: it is their plan's.
type FindingColumns = {
  member_id: string;
  date: string;
  payer_key: string;
  plan_id: string;
  order_id?: string;
  claim_id?: string;
  line_number?: string;
  procedure_code?: string;
  line_status?: string;
  line_count?: string;
  billed?: string;
};
const COLUMN_TYPES: Record<keyof FindingColumns, string> = {
  member_id: "text",
  date: "date",
  payer_key: "text",
  plan_id: "text",
  order_id: "text",
  claim_id: "text",
  line_number: "int",
  procedure_code: "text",
  line_status: "text",
  line_count: "int",
  billed: "text",
};
function findingRow(kind: FindingKind, columns: FindingColumns): string {
  const list = (Object.keys(COLUMN_TYPES) as (keyof FindingColumns)[]).map((c) => `${columns[c] ?? "NULL"}::${COLUMN_TYPES[c]} AS ${c}`);
  return `SELECT '${kind}'::text AS finding, ${FINDING_KINDS.indexOf(kind)} AS rank, ${list.join(", ")}`;
}

/**
 * Where findings are read from: the snapshot's tables, rows of snapshot $1; or copies of some
 * members' rows of one snapshot (temp tables, every row of them read), by which an import keeps
 * the stored counts by difference (./stored.ts). $1 is the as-of date either way: an order is not
 * captured only once its capture window has passed by then.
 */
export type FindingSources = { studies: string; orders: string; lines: string; ofSnapshot: boolean };

const SNAPSHOT_TABLES: FindingSources = { studies: "dxa_studies", orders: "order_facts", lines: "effective_lines", ofSnapshot: true };

function findingRows(kind: FindingKind, from: FindingSources): string {
  const ofSnapshot = (alias: string) => (from.ofSnapshot ? `${alias}.as_of = $1::date AND ` : "");
  switch (kind) {
    case "study_without_order":
      return `
    ${findingRow("study_without_order", { member_id: "s.member_id", date: "s.study_date", payer_key: "s.payer_key", plan_id: "s.plan_id", line_count: "s.line_count" })}
    FROM ${from.studies} s
    WHERE ${ofSnapshot("s")}s.study_date BETWEEN $2::date AND $3::date
      AND NOT EXISTS (
        SELECT 1 FROM ${from.orders} o
        WHERE ${ofSnapshot("o")}o.member_id = s.member_id AND o.status <> 'cancelled'
          AND o.order_date BETWEEN s.study_date - ${STUDY_ORDER_LOOKBACK_DAYS} AND s.study_date
      )`;
    case "order_not_captured":
      return `
    ${findingRow("order_not_captured", { member_id: "o.member_id", date: "o.order_date", payer_key: "o.payer_key", plan_id: "o.plan_id", order_id: "o.order_id" })}
    FROM ${from.orders} o
    WHERE ${ofSnapshot("o")}o.order_date BETWEEN $2::date AND $3::date
      AND o.source = 'ehr' AND o.status <> 'cancelled' AND NOT o.captured
      AND o.order_date + ${CAPTURE_DAYS} <= $1::date`;
    case "incomplete_split_bill":
      return `
    ${findingRow("incomplete_split_bill", {
      member_id: "s.member_id",
      date: "s.study_date",
      payer_key: "s.payer_key",
      plan_id: "s.plan_id",
      line_count: "s.line_count",
      billed: "CASE WHEN s.has_tc THEN 'TC' ELSE '26' END",
    })}
    FROM ${from.studies} s
    WHERE ${ofSnapshot("s")}s.study_date BETWEEN $2::date AND $3::date
      AND NOT s.has_global AND s.has_tc <> s.has_professional`;
    case "other_bone_density_code":
      return `
    ${findingRow("other_bone_density_code", {
      member_id: "e.member_id",
      date: "e.service_date",
      payer_key: "bp.payer_key",
      plan_id: "e.plan_id",
      claim_id: "e.claim_id",
      line_number: "e.line_number",
      procedure_code: "e.procedure_code",
      line_status: "e.line_status",
    })}
    FROM ${from.lines} e JOIN plans bp ON bp.plan_id = e.plan_id
    WHERE ${ofSnapshot("e")}e.procedure_code IN (${sqlList(OTHER_BONE_DENSITY_CODES)})
      AND e.service_date BETWEEN $2::date AND $3::date`;
  }
}

/** The kinds of finding a query selects, in the order of FINDING_KINDS. */
export function selectedKinds(q: Pick<ReconciliationQuery, "findings">): readonly FindingKind[] {
  return q.findings?.length ? FINDING_KINDS.filter((k) => q.findings!.includes(k)) : FINDING_KINDS;
}

/** The conditions of a query's payers ($4), plans ($5) and product lines ($6) and of the
 *  viewer's payer scope ($7) on a finding's columns: one text for the findings and for their
 *  stored counts (./stored.ts). Parameters $1–$3 are the as-of date and the period. */
export function findingConditions(c: { payerKey: string; planId: string; productLine: string }): string {
  return `($4::text[] IS NULL OR ${c.payerKey} = ANY ($4::text[]))
        AND ($5::text[] IS NULL OR ${c.planId} = ANY ($5::text[]))
        AND ($6::text[] IS NULL OR ${c.productLine}::text = ANY ($6::text[]))
        AND ($7::text[] IS NULL OR ${c.payerKey} = ANY ($7::text[]))`;
}

export function findingParams(scope: Viewer["payerScope"], q: ReconciliationQuery): unknown[] {
  return [q.asOf, q.from, q.to, nonEmpty(q.payers), nonEmpty(q.plans), nonEmpty(q.productLines), payerScopeParam({ payerScope: scope })];
}

/** FROM … WHERE of the findings a query selects within a payer scope (null: every payer), built
 *  once for lists, counts, the CSV and the stored counts; read from the snapshot's tables unless
 *  `from` names copies (FindingSources). */
export function findingsFrom(scope: Viewer["payerScope"], q: ReconciliationQuery, from: FindingSources = SNAPSHOT_TABLES): SqlStatement {
  return {
    text: `FROM (${selectedKinds(q).map((k) => findingRows(k, from)).join("\nUNION ALL\n")}) f
      JOIN payers p ON p.key = f.payer_key
      LEFT JOIN plans pl ON pl.plan_id = f.plan_id
      WHERE ${findingConditions({ payerKey: "f.payer_key", planId: "f.plan_id", productLine: "pl.product_line" })}${from.ofSnapshot ? "" : " AND $1::date IS NOT NULL"}`,
    params: findingParams(scope, q),
  };
}

const SELECT = `SELECT f.finding, f.member_id, f.date, f.payer_key, p.display_name AS payer_name, f.plan_id,
    pl.plan_name, pl.product_line::text AS product_line, f.order_id, f.claim_id, f.line_number,
    f.procedure_code, f.line_status, f.line_count, f.billed`;
// Kinds in the order of FINDING_KINDS, then by date and member; byte order so that both
// engines agree whatever the server's locale.
const ORDER_BY = `ORDER BY f.rank, f.date, f.member_id COLLATE "C", f.order_id COLLATE "C", f.claim_id COLLATE "C", f.line_number`;

type FindingRecord = {
  finding: FindingKind;
  member_id: string;
  date: string;
  payer_key: string;
  payer_name: string;
  plan_id: string | null;
  plan_name: string | null;
  product_line: ProductLine | null;
  order_id: string | null;
  claim_id: string | null;
  line_number: number | null;
  procedure_code: string | null;
  line_status: string | null;
  line_count: number | null;
  billed: "TC" | "26" | null;
};

function toFinding(r: FindingRecord): Finding {
  const base: FindingBase = {
    memberId: r.member_id,
    date: r.date,
    payerKey: r.payer_key,
    payerName: r.payer_name,
    planId: r.plan_id,
    planName: r.plan_name,
    productLine: r.product_line,
  };
  switch (r.finding) {
    case "study_without_order":
      return { ...base, finding: r.finding, lineCount: r.line_count ?? 0 };
    case "order_not_captured":
      return { ...base, finding: r.finding, orderId: r.order_id ?? "" };
    case "incomplete_split_bill":
      return { ...base, finding: r.finding, billed: r.billed ?? "TC" };
    case "other_bone_density_code":
      return {
        ...base,
        finding: r.finding,
        procedureCode: r.procedure_code ?? "",
        claimId: r.claim_id ?? "",
        lineNumber: r.line_number ?? 0,
        lineStatus: r.line_status ?? "",
      };
  }
}

/** How many findings of each kind the query selects. Aggregate: any viewer, within their
 *  payer scope. */
export async function countFindings(db: Sql, viewer: Viewer, query: ReconciliationQuery): Promise<Record<FindingKind, number>> {
  const from = findingsFrom(viewer.payerScope, query);
  const rows = await db.query<{ finding: FindingKind; n: number }>(`SELECT f.finding, count(*)::int AS n ${from.text} GROUP BY f.finding`, from.params);
  return countsByKind(rows);
}

/** Counts per kind, every kind present (0 when no row names it). */
export function countsByKind(rows: readonly { finding: FindingKind | null; n: number }[]): Record<FindingKind, number> {
  const counts = Object.fromEntries(FINDING_KINDS.map((k) => [k, 0])) as Record<FindingKind, number>;
  for (const r of rows) if (r.finding) counts[r.finding] = r.n;
  return counts;
}

/** One page of findings (member-level), in the order of FINDING_KINDS, then date and member. */
export async function listFindings(db: Sql, viewer: Viewer, params: ReconciliationListParams): Promise<Finding[]> {
  assertMemberLevel(viewer, "reconciliation");
  const from = findingsFrom(viewer.payerScope, params);
  const limit = Math.min(Math.max(Math.trunc(params.pageSize ?? 50) || 50, 1), 500);
  const offset = (Math.max(Math.trunc(params.page ?? 1) || 1, 1) - 1) * limit;
  const n = from.params.length;
  const rows = await db.query<FindingRecord>(`${SELECT} ${from.text} ${ORDER_BY} LIMIT $${n + 1} OFFSET $${n + 2}`, [...from.params, limit, offset]);
  return rows.map(toFinding);
}

/** Every finding the query selects, through a server-side cursor (reconciliation.csv). The
 *  caller must read to the end or close it. */
export async function openFindingCursor(db: Sql, viewer: Viewer, query: ReconciliationQuery, fetchRows?: number): Promise<RowCursor<Finding>> {
  assertMemberLevel(viewer, "reconciliation");
  const from = findingsFrom(viewer.payerScope, query);
  return openCursor(db, { text: `${SELECT} ${from.text} ${ORDER_BY}`, params: from.params }, toFinding, fetchRows);
}

/** What an `other_bone_density_code` is (SPEC section 2); none of them is a central DXA. */
export const OTHER_BONE_DENSITY_NAMES: Record<(typeof OTHER_BONE_DENSITY_CODES)[number], string> = {
  "77081": "peripheral DXA",
  "77086": "vertebral fracture assessment only",
  "77078": "quantitative CT",
  "76977": "ultrasound bone density",
  G0130: "single-energy X-ray absorptiometry",
};
