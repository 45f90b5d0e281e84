import { z } from "zod";
import { rawParameter, type Filters, type SearchParams } from "../filters";
import { ORDER_AGE_BUCKETS, ORDER_SORT_KEYS, type OrderAgeBucket, type OrderQuery, type OrderSortKey, type SortDirection } from "../orders/types";

/** Sorting, paging and the worklist's own filters of /orders, from its URL. An invalid value
 *  falls back to its default with a notice, like the page filters. */
export type WorklistPaging = { sort: OrderSortKey; direction: SortDirection; page: number };

/** The open orders a worklist shows: overdue, in window, or both (empty = both). */
export const WORKLIST_STATUSES = ["overdue", "in_window"] as const;
export type WorklistStatus = (typeof WORKLIST_STATUSES)[number];

export type WorklistFilters = {
  statuses: WorklistStatus[];
  ageBuckets: OrderAgeBucket[];
  /** An ordering NPI, exactly. */
  orderingNpi: string | null;
  /** Member ids starting with this. */
  member: string | null;
};

/** Far beyond any real list (50 orders a page), small enough that an OFFSET stays cheap to refuse. */
export const MAX_WORKLIST_PAGE = 100_000;

/** The direction a column sorts in when first chosen: names and ids A to Z, dates oldest first,
 *  days open longest first — the order a person expects from a click on the heading. */
export const FIRST_DIRECTION: Record<OrderSortKey, SortDirection> = {
  member_id: "asc",
  payer: "asc",
  plan: "asc",
  order_date: "asc",
  days_open: "desc",
};

/** The direction a click on a column's heading asks for: the column's first direction, or the
 *  other one when the list is already sorted on it that way. */
export function nextDirection(column: OrderSortKey, current: WorklistPaging): SortDirection {
  if (column !== current.sort) return FIRST_DIRECTION[column];
  return current.direction === "asc" ? "desc" : "asc";
}

const list = <T extends string>(values: readonly T[]) =>
  z
    .string()
    .max(200)
    .transform((v) => v.split(",").map((s) => s.trim()).filter((s) => s !== ""))
    .pipe(z.array(z.enum(values as [T, ...T[]])));

const FIELDS = {
  sort: { schema: z.enum(ORDER_SORT_KEYS), fallback: "days_open" as OrderSortKey, allowed: ORDER_SORT_KEYS.join(", ") },
  dir: { schema: z.enum(["asc", "desc"]), fallback: "desc" as SortDirection, allowed: "asc or desc" },
  page: { schema: z.coerce.number().int().min(1).max(MAX_WORKLIST_PAGE), fallback: 1, allowed: `a page number from 1 to ${MAX_WORKLIST_PAGE}` },
  status: { schema: list(WORKLIST_STATUSES), fallback: [] as WorklistStatus[], allowed: WORKLIST_STATUSES.join(", ") },
  age: { schema: list(ORDER_AGE_BUCKETS), fallback: [] as OrderAgeBucket[], allowed: ORDER_AGE_BUCKETS.join(", ") },
  npi: { schema: z.string().regex(/^\d{10}$/), fallback: null as string | null, allowed: "an NPI of 10 digits" },
  // No control characters: a NUL, say, is no member id and PostgreSQL refuses it in text.
  member: { schema: z.string().trim().regex(/^[^\u0000-\u001f\u007f]{1,64}$/u), fallback: null as string | null, allowed: "the start of a member id, up to 64 characters" },
} as const;

type FieldName = keyof typeof FIELDS;
type FieldValue<N extends FieldName> = z.output<(typeof FIELDS)[N]["schema"]> | (typeof FIELDS)[N]["fallback"];

/** A value of the URL that is not valid: its name, as given, and what is allowed. */
export type InvalidWorklistParameter = { name: string; value: string; allowed: string };

function readFields(params: SearchParams, names: readonly FieldName[]) {
  const invalid: InvalidWorklistParameter[] = [];
  const read = <N extends FieldName>(name: N): FieldValue<N> => {
    const field = FIELDS[name];
    if (!names.includes(name)) return field.fallback;
    const raw = rawParameter(params, name);
    if (raw === undefined || raw === "") return field.fallback;
    const value = Array.isArray(raw) ? raw.join(",") : raw;
    const result = (field.schema as z.ZodType<FieldValue<N>>).safeParse(value.slice(0, 200));
    if (result.success && value.length <= 200) return result.data;
    invalid.push({ name, value: value.slice(0, 80), allowed: field.allowed });
    return field.fallback;
  };
  return { read, invalid };
}

const unique = <T>(values: T[]) => [...new Set(values)];

/** The worklist's filters of orders (`age`, `npi`, `member`, and `status` when `withStatus`),
 *  shared by /orders and orders.csv, which refuses what a page lets fall back. */
export function parseWorklistFilters(params: SearchParams, withStatus = true): { filters: WorklistFilters; invalid: InvalidWorklistParameter[] } {
  const { read, invalid } = readFields(params, withStatus ? ["status", "age", "npi", "member"] : ["age", "npi", "member"]);
  return { filters: { statuses: unique(read("status")), ageBuckets: unique(read("age")), orderingNpi: read("npi"), member: read("member") }, invalid };
}

export function parseWorklistPaging(params: SearchParams): { paging: WorklistPaging; filters: WorklistFilters; notices: string[] } {
  const { read, invalid } = readFields(params, ["sort", "dir", "page"]);
  const paging = { sort: read("sort"), direction: read("dir"), page: read("page") };
  const parsed = parseWorklistFilters(params);
  const notices = [...invalid, ...parsed.invalid].map(
    (p) => `"${p.value}" is not a valid ${p.name} (expected ${p.allowed}): ${p.name === "member" || p.name === "npi" ? "it is not applied" : "the default is used"}.`,
  );
  return { paging, filters: parsed.filters, notices };
}

/** The worklist's own parameters as they go back into a URL (the page's links, its CSV). */
export function worklistParams(filters: WorklistFilters): Record<string, string> {
  const params: Record<string, string> = {};
  if (filters.statuses.length) params.status = filters.statuses.join(",");
  if (filters.ageBuckets.length) params.age = filters.ageBuckets.join(",");
  if (filters.orderingNpi) params.npi = filters.orderingNpi;
  if (filters.member) params.member = filters.member;
  return params;
}

/** The orders a worklist or orders.csv lists: the page filters' period, window, payers, plans
 *  and product lines on snapshot `asOf`, the D4 statuses asked, and the worklist's narrowing. */
export function worklistOrderQuery(asOf: string, filters: Filters, statuses: OrderQuery["statuses"], worklist?: Omit<WorklistFilters, "statuses">): OrderQuery {
  return {
    asOf,
    from: filters.from,
    to: filters.to,
    window: filters.window,
    payers: filters.payers,
    plans: filters.plans,
    productLines: filters.productLines,
    statuses,
    ageBuckets: worklist?.ageBuckets,
    orderingNpi: worklist?.orderingNpi,
    memberPrefix: worklist?.member,
  };
}
