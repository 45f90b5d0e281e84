import type { CountVisibility } from "../stats/suppression";

export const MEASURE_KEYS = [
  "order_follow_up",
  "result_documented",
  "order_capture",
  "screening_ordering",
  "post_fracture",
  // CMS249, the official eCQM, from FHIR data (SPEC section 5b; lib/cms249).
  "cms249_dxa_overuse",
] as const;
export type MeasureKey = (typeof MEASURE_KEYS)[number];

/** The measures of SPEC section 5, computed from the claims and orders (every one but CMS249). */
export const CLAIMS_MEASURE_KEYS = MEASURE_KEYS.filter((m): m is Exclude<MeasureKey, "cms249_dxa_overuse"> => m !== "cms249_dxa_overuse");
export type ClaimsMeasureKey = (typeof CLAIMS_MEASURE_KEYS)[number];

/** Which way a rate is good. CMS249 is an inverse measure: a lower rate is better, so any
 *  better/worse reading of it (a change, a colour) turns round. */
export const LOWER_IS_BETTER: ReadonlySet<MeasureKey> = new Set<MeasureKey>(["cms249_dxa_overuse"]);

/** Measures counted per period over a population (anchored at the period end): by month each
 *  point is the rolling 12 months ending with that month (SPEC section 5). */
export const ROLLING_MONTH_MEASURES: ReadonlySet<MeasureKey> = new Set<MeasureKey>(["screening_ordering", "cms249_dxa_overuse"]);

export const WINDOWS = [30, 60, 90, 180] as const;
export type FollowUpWindow = (typeof WINDOWS)[number];

/** `ordering_npi` only for the order-based measures (lib/measures/ordering-npi.ts). */
export const GROUP_BYS = ["payer", "plan", "product_line", "month", "ordering_npi"] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

export const PRODUCT_LINES = ["commercial", "medicare_advantage", "medicare_ffs", "medicaid", "other"] as const;
export type ProductLine = (typeof PRODUCT_LINES)[number];

/** One question to the measure engine. Periods are closed calendar-date intervals. */
export type MeasureQuery = {
  measure: MeasureKey;
  from: string;
  to: string;
  window: FollowUpWindow;
  /** The snapshot read (lib/measures/snapshot.ts resolves a requested date to one). */
  asOf: string;
  groupBy: GroupBy;
  /** Restrictions; empty or absent = all. */
  payers?: readonly string[];
  plans?: readonly string[];
  productLines?: readonly ProductLine[];
};

export type MeasureFlag = "low_volume" | "suppressed" | "provisional" | "not_available";

/** The dimensions of a row; `null` where the row is not grouped on it (the CSV's `All`).
 *  Orders and episodes without a plan are under payer `unknown` with plan and product line
 *  `null` and `unattributed` true. */
export type MeasureGroup = {
  payerKey: string | null;
  payerName: string | null;
  planId: string | null;
  planName: string | null;
  productLine: string | null;
  month: string | null;
  unattributed: boolean;
  /** groupBy=ordering_npi only: the ordering clinician's NPI, null on the row of the orders
   *  that name none; absent on every other breakdown and on totals. */
  orderingNpi?: string | null;
};

export type MeasureRow = MeasureGroup & {
  denominator: number;
  numerator: number;
  pending: number;
  /** x / n; null when n = 0 ("not available", never 0%). */
  rate: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  flags: MeasureFlag[];
};

export type MeasureResult = {
  query: MeasureQuery;
  rows: MeasureRow[];
  total: MeasureRow;
};

/** A row as a viewer may see it once suppression has run: hidden counts and rates are null,
 *  with the reason kept for display (`<11`, `≥11`). */
export type ReportableRow = Omit<MeasureRow, "denominator" | "numerator" | "pending" | "rate" | "ciLow" | "ciHigh"> & {
  denominator: number | null;
  numerator: number | null;
  pending: number | null;
  rate: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  visibility: Record<"denominator" | "numerator" | "pending", CountVisibility> & { rateHidden: boolean };
};

export type ReportableResult = {
  query: MeasureQuery;
  suppressed: boolean;
  rows: ReportableRow[];
  total: ReportableRow;
};
