import { parseFilters, rawParameter, type Filters, type SearchParams } from "../filters";
import { groupByApplies, ORDERING_NPI_MEASURES } from "../measures/ordering-npi";
import { ORDER_STATUSES, type OrderStatus } from "../orders/types";
import { parseWorklistFilters, type WorklistFilters } from "../views/worklist";

// The query string of a report URL (SPEC section 7): the page filters of lib/filters.ts plus
// `groupBy` and `suppress=1`, and for orders.csv a `status` list. A report refuses what it
// cannot honour (400, naming parameter, value and what is allowed) rather than quietly
// answering another question, as a page may with a notice.

export const REPORT_NAMES = ["measure-summary", "orders", "reconciliation"] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

/** Reports that list members: never for payer relations, never marked for external sharing. */
export const MEMBER_LEVEL_REPORTS: readonly ReportName[] = ["orders", "reconciliation"];

const FILTER_PARAMETERS = ["from", "to", "payer", "plan", "productLine", "window", "asOf", "measure", "groupBy", "suppress"] as const;
const PARAMETERS: Record<ReportName, readonly string[]> = {
  // `series=payer` (with groupBy=month): the lines of a trend chart, each payer's months besides
  // the all-payer ones. `bom=1`: a UTF-8 byte-order mark first, for spreadsheet programs.
  "measure-summary": [...FILTER_PARAMETERS, "series", "bom"],
  // The page filters are accepted by every report, so that one set of links carries them all;
  // measure and groupBy do not change a member-level list. The worklist's own filters narrow
  // orders.csv as they narrow /orders.
  orders: [...FILTER_PARAMETERS, "status", "age", "npi", "member", "bom"],
  reconciliation: [...FILTER_PARAMETERS, "bom"],
};

/** `series` values: one line per payer (a trend chart's lines). */
export const REPORT_SERIES = ["payer"] as const;

export type ReportRequest = {
  report: ReportName;
  filters: Filters;
  /** orders.csv only: D4 statuses to list; empty = all. */
  statuses: OrderStatus[];
  /** orders.csv only: the worklist's narrowing (age, NPI, member); statuses are above. */
  worklist?: Omit<WorklistFilters, "statuses">;
  /** measure-summary.csv by month: one block of months per payer line, after the all-payer one. */
  series?: "payer" | null;
  /** A UTF-8 byte-order mark before the header, for spreadsheet programs (Excel). */
  bom?: boolean;
};

export type InvalidParameter = { name: string; value: string; allowed: string };

/** A report's own parameters, read before the filters: the query string as SearchParams for
 *  the request context (lib/views/context.ts), the statuses of orders.csv, and what is wrong
 *  with them. The page filters themselves are checked by the context, as on a page. */
export type ReportParameters = {
  params: SearchParams;
  statuses: OrderStatus[];
  worklist: Omit<WorklistFilters, "statuses">;
  series: "payer" | null;
  bom: boolean;
  invalid: InvalidParameter[];
};

/** URLSearchParams as the SearchParams of lib/filters.ts (a repeated name gives a list). */
export function toSearchParams(query: URLSearchParams): SearchParams {
  // No prototype: a parameter called `__proto__` or `constructor` is a name like any other.
  const params: SearchParams = Object.create(null) as SearchParams;
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name);
    params[name] = values.length === 1 ? values[0] : values;
  }
  return params;
}

export function parseReportParameters(report: ReportName, query: URLSearchParams): ReportParameters {
  const params = toSearchParams(query);
  const invalid: InvalidParameter[] = [];
  const known = PARAMETERS[report];
  for (const name of Object.keys(params)) {
    if (!known.includes(name)) invalid.push({ name, value: shown(params[name]), allowed: `no such parameter; ${report}.csv takes ${known.join(", ")}` });
  }
  let statuses: OrderStatus[] = [];
  if (report === "orders" && params.status !== undefined && params.status !== "") {
    const values = [params.status].flat().flatMap((v) => (v ?? "").split(",")).map((v) => v.trim()).filter((v) => v !== "");
    const wrong = values.filter((v) => !(ORDER_STATUSES as readonly string[]).includes(v));
    if (wrong.length > 0) invalid.push({ name: "status", value: shown(params.status), allowed: `statuses separated by commas: ${ORDER_STATUSES.join(", ")}` });
    else statuses = [...new Set(values)] as OrderStatus[];
  }
  // `suppress=1` marks an export for external sharing (SPEC section 5); a list of members
  // cannot be made fit for that, so it is refused rather than sent unsuppressed.
  if (MEMBER_LEVEL_REPORTS.includes(report) && shown(params.suppress) === "1") {
    invalid.push({ name: "suppress", value: "1", allowed: `0 (${report}.csv lists members and cannot be marked for external sharing; measure-summary.csv can)` });
  }
  let worklist: Omit<WorklistFilters, "statuses"> = { ageBuckets: [], orderingNpi: null, member: null };
  if (report === "orders") {
    const parsed = parseWorklistFilters(params, false);
    invalid.push(...parsed.invalid);
    worklist = { ageBuckets: parsed.filters.ageBuckets, orderingNpi: parsed.filters.orderingNpi, member: parsed.filters.member };
  }
  const bomValue = shown(rawParameter(params, "bom"));
  if (bomValue !== "" && bomValue !== "0" && bomValue !== "1") invalid.push({ name: "bom", value: bomValue, allowed: "0 or 1 (1: a UTF-8 byte-order mark first, for Excel)" });
  let series: "payer" | null = null;
  const seriesValue = shown(rawParameter(params, "series"));
  if (report === "measure-summary" && seriesValue !== "") {
    if (!(REPORT_SERIES as readonly string[]).includes(seriesValue)) invalid.push({ name: "series", value: seriesValue, allowed: REPORT_SERIES.join(", ") });
    else if (shown(rawParameter(params, "groupBy")) !== "month") invalid.push({ name: "series", value: seriesValue, allowed: "payer, with groupBy=month (a trend's lines)" });
    else series = "payer";
  }
  return { params, statuses, worklist, series, bom: bomValue === "1", invalid };
}

/** Valid values that do not go together, once the filters are read: measure-summary.csv by
 *  ordering NPI of a measure whose units are not orders (screening counts women,
 *  post-fracture episodes) is refused, naming groupBy, rather than answered by payer. */
export function invalidCombinations(report: ReportName, filters: Pick<Filters, "measure" | "groupBy">): InvalidParameter[] {
  if (report !== "measure-summary" || groupByApplies(filters.measure, filters.groupBy)) return [];
  return [
    {
      name: "groupBy",
      value: filters.groupBy,
      allowed: `payer, plan, product_line or month for measure=${filters.measure} (ordering_npi only with measure=${ORDERING_NPI_MEASURES.join(", ")}: the measures whose units are orders)`,
    },
  ];
}

/** The filters alone, as a report with no data loaded yet reads them (to name invalid ones). */
export function invalidFilters(params: SearchParams): InvalidParameter[] {
  return parseFilters(params, null).invalid;
}

function shown(value: SearchParams[string]): string {
  return Array.isArray(value) ? value.join(",") : (value ?? "");
}

/** The 400 answer's text: one line per parameter, naming it, its value and what is allowed. */
export function describeInvalid(invalid: readonly InvalidParameter[]): string {
  return invalid.map((p) => `Invalid parameter ${p.name}=${JSON.stringify(p.value)}: allowed ${p.allowed}.`).join("\n") + "\n";
}
