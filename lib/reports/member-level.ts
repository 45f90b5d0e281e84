import { addDays } from "../dates";
import { CAPTURE_DAYS } from "../derive/codes";
import type { OrderRow } from "../orders/types";
import { OTHER_BONE_DENSITY_NAMES, STUDY_ORDER_LOOKBACK_DAYS, type Finding } from "../reconciliation";
import { booleanCell, dateCell, integerCell, textCell } from "./cells";
import { UNKNOWN } from "./measure-summary";

// The member-level reports (SPEC section 7): orders.csv and reconciliation.csv, one record per
// row of lib/orders and lib/reconciliation. Unattributed rows are under `Unknown payer` with
// plan and product line `Unknown`, as in measure-summary.csv.

export const ORDERS_COLUMNS = [
  "order_id",
  "source",
  "member_id",
  "order_date",
  "payer",
  "plan",
  "product_line",
  "ordering_npi",
  "status",
  "study_date",
  "days_to_scan",
  "result_documented",
  "captured",
] as const;

export function orderRecord(o: OrderRow): string[] {
  return [
    textCell(o.orderId),
    textCell(o.source),
    textCell(o.memberId),
    dateCell(o.orderDate),
    textCell(o.payerName),
    textCell(o.planId === null ? UNKNOWN : (o.planName ?? o.planId)),
    textCell(o.productLine ?? UNKNOWN),
    textCell(o.orderingNpi),
    textCell(o.status),
    dateCell(o.studyDate),
    integerCell(o.daysToScan),
    booleanCell(o.resultDocumented),
    booleanCell(o.captured),
  ];
}

export const RECONCILIATION_COLUMNS = ["finding", "member_id", "date", "payer", "plan", "detail"] as const;

/** What a finding is about, in words. */
export function findingDetail(f: Finding): string {
  switch (f.finding) {
    case "study_without_order":
      return `no order dated ${addDays(f.date, -STUDY_ORDER_LOOKBACK_DAYS)} to ${f.date}; ${f.lineCount} central DXA line${f.lineCount === 1 ? "" : "s"}`;
    case "order_not_captured":
      return `EHR order ${f.orderId}: no 3096F claim line dated ${addDays(f.date, -CAPTURE_DAYS)} to ${addDays(f.date, CAPTURE_DAYS)}`;
    case "incomplete_split_bill":
      return f.billed === "TC" ? "technical component (TC) billed, professional (26) missing" : "professional component (26) billed, technical (TC) missing";
    case "other_bone_density_code": {
      const name = OTHER_BONE_DENSITY_NAMES[f.procedureCode as keyof typeof OTHER_BONE_DENSITY_NAMES] ?? "bone density";
      return `${f.procedureCode} ${name}: claim ${f.claimId} line ${f.lineNumber}, ${f.lineStatus}`;
    }
  }
}

export function findingRecord(f: Finding): string[] {
  return [
    textCell(f.finding),
    textCell(f.memberId),
    dateCell(f.date),
    textCell(f.payerName),
    textCell(f.planId === null ? UNKNOWN : (f.planName ?? f.planId)),
    textCell(findingDetail(f)),
  ];
}
