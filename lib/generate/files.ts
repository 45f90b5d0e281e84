// The five files of SPEC section 3: their names, their columns in the SPEC's order, and how
// one record becomes one row.
import type { EhrOrder } from "./care";
import type { Plan } from "./catalog";
import { isoDate } from "./calendar";
import type { CoverageSpan } from "./coverage";
import type { Member } from "./people";

export const DATASET_FILES = {
  plans: { name: "plans.csv", columns: ["plan_id", "payer", "plan_name", "product_line"] },
  members: { name: "members.csv", columns: ["member_id", "birth_date", "sex"] },
  coverage: { name: "coverage.csv", columns: ["member_id", "plan_id", "start_date", "end_date"] },
  orders: {
    name: "orders.csv",
    columns: ["order_id", "member_id", "order_date", "ordering_npi", "indication", "status"],
  },
  claimLines: {
    name: "claim_lines.csv",
    columns: [
      "claim_id", "line_number", "frequency_code", "received_date", "member_id", "plan_id", "claim_type",
      "service_date", "procedure_code", "modifiers", "place_of_service", "line_status", "units",
      "billed_amount", "paid_amount", "rendering_npi", "diagnosis_codes",
    ],
  },
} as const;

export type DatasetFile = keyof typeof DATASET_FILES;

export function planRow(plan: Plan): string[] {
  return [plan.planId, plan.payer, plan.planName, plan.productLine];
}

export function memberRow(member: Member): string[] {
  return [member.id, isoDate(member.birthDay), member.sex];
}

export function coverageRow(member: Member, span: CoverageSpan): string[] {
  return [member.id, span.plan.planId, isoDate(span.start), span.end === null ? "" : isoDate(span.end)];
}

export function orderRow(member: Member, order: EhrOrder): string[] {
  return [order.id, member.id, isoDate(order.orderDate), order.orderingNpi, order.indication, order.status];
}

/** `12345` cents → `123.45`. */
export function formatCents(cents: number): string {
  const rest = cents % 100;
  return `${(cents - rest) / 100}.${rest < 10 ? "0" : ""}${rest}`;
}
