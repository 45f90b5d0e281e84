import { payerScopeParam, type Viewer } from "../access";
import type { MeasureQuery } from "./types";

// The parameters and WHERE clause every measure and figure query shares, written once:
// $1 as-of (snapshot), $2 period start, $3 period end, $4 window W; $5–$8 the payers, plans and
// product lines of the filters (null = all) and the viewer's payer scope (null = all; empty = none).

export type Restriction = Pick<MeasureQuery, "asOf" | "from" | "to" | "window" | "payers" | "plans" | "productLines">;

/** A list restriction as a query parameter: null (no restriction) when empty or absent. */
export const nonEmpty = (values: readonly string[] | undefined) => (values && values.length > 0 ? [...values] : null);

export function restrictionParams(viewer: Viewer, q: Restriction): unknown[] {
  return [q.asOf, q.from, q.to, q.window, nonEmpty(q.payers), nonEmpty(q.plans), nonEmpty(q.productLines), payerScopeParam(viewer)];
}

/** The $5–$8 conditions on rows of `alias` (with payer_key, plan_id, product_line). */
export function restrictionClause(alias: string): string {
  return `($5::text[] IS NULL OR ${alias}.payer_key = ANY ($5::text[]))
    AND ($6::text[] IS NULL OR ${alias}.plan_id = ANY ($6::text[]))
    AND ($7::text[] IS NULL OR ${alias}.product_line::text = ANY ($7::text[]))
    AND ($8::text[] IS NULL OR ${alias}.payer_key = ANY ($8::text[]))`;
}
