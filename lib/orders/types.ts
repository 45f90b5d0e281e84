import type { FollowUpWindow, ProductLine } from "../measures/types";

/** D4 status of an order for a follow-up window W (SPEC section 4). */
export const ORDER_STATUSES = ["cancelled", "completed", "overdue", "in_window"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The columns a list of orders can be sorted on. */
export const ORDER_SORT_KEYS = ["order_date", "days_open", "payer", "plan", "member_id"] as const;
export type OrderSortKey = (typeof ORDER_SORT_KEYS)[number];
export type SortDirection = "asc" | "desc";

/** Age of an open order on the as-of date (days since the order), as the overview's aging. */
export const ORDER_AGE_BUCKETS = ["0-30", "31-60", "61-90", "91-180", "over_180"] as const;
export type OrderAgeBucket = (typeof ORDER_AGE_BUCKETS)[number];

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** Which orders: those of a snapshot dated in a period, for a follow-up window, within the
 *  restrictions given (empty or absent = all). */
export type OrderQuery = {
  /** The snapshot read (a resolved as-of date, lib/measures/snapshot.ts). */
  asOf: string;
  /** Order date in [from, to]. */
  from: string;
  to: string;
  window: FollowUpWindow;
  payers?: readonly string[];
  plans?: readonly string[];
  productLines?: readonly ProductLine[];
  /** D4 statuses for W; the worklist asks for overdue and in_window. */
  statuses?: readonly OrderStatus[];
  /** Days since the order on the as-of date, in these buckets. */
  ageBuckets?: readonly OrderAgeBucket[];
  /** The ordering NPI, exactly. */
  orderingNpi?: string | null;
  /** Member ids starting with this (case as written). */
  memberPrefix?: string | null;
};

/** A page of a sorted list. Pages count from 1. */
export type OrderListParams = OrderQuery & {
  sort?: OrderSortKey;
  direction?: SortDirection;
  page?: number;
  pageSize?: number;
};

/** One order as a quality officer sees it (member-level). */
export type OrderRow = {
  orderId: string;
  source: "ehr" | "claim";
  memberId: string;
  orderDate: string;
  payerKey: string;
  payerName: string;
  /** Null (with payer `unknown`) when no plan could be attributed (D7). */
  planId: string | null;
  planName: string | null;
  productLine: ProductLine | null;
  orderingNpi: string | null;
  status: OrderStatus;
  /** The completing study, only when the order is completed within W. */
  studyDate: string | null;
  daysToScan: number | null;
  /** D5; false unless completed. */
  resultDocumented: boolean;
  captured: boolean;
  /** As-of date − order date, for orders still open (overdue or in window); else null. */
  daysOpen: number | null;
};
