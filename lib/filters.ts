import { z } from "zod";
import { isIsoDate } from "./dates";
import { MEASURE_KEYS, PRODUCT_LINES, WINDOWS, GROUP_BYS, type GroupBy, type MeasureQuery } from "./measures/types";
import { addMonths, addYears, lastDayOfMonth, monthOf } from "./months";

// The one definition of the filters every page, control and report shares (SPEC sections 6 and
// 11): parsed from the URL here, written back to it by `filtersToSearchParams`. Every value is
// bounded — dates, the length of a period, lists, strings — so that no request can ask for
// unbounded work. An invalid value falls back to its default with a notice on a page, and is
// refused (400, naming it) by a report; it never fails a request.

export type SearchParams = Record<string, string | string[] | undefined>;

/** The earliest date any filter may name. */
export const EARLIEST_DATE = "1990-01-01";
/** The longest period a page or report computes. */
export const MAX_PERIOD_YEARS = 10;
/** The most values one list filter (payers, plans, product lines) may hold. */
export const MAX_LIST_VALUES = 50;
/** The longest raw value of one parameter. */
export const MAX_PARAMETER_LENGTH = 4000;

const isoDate = z.string().max(10).refine(isIsoDate, "a date written YYYY-MM-DD");
const key = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "a key of letters, digits, - _ .");
const list = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter((s) => s !== ""))
    .pipe(z.array(item).max(MAX_LIST_VALUES));

const FIELDS = {
  from: isoDate,
  to: isoDate,
  payer: list(key),
  // Plan ids are 1–64 characters without control characters (a NUL could not even reach the
  // database as a parameter).
  plan: list(z.string().min(1).max(64).regex(/^[^\u0000-\u001f\u007f]+$/)),
  productLine: list(z.enum(PRODUCT_LINES)),
  window: z.coerce.number().pipe(z.union(WINDOWS.map((w) => z.literal(w)) as [z.ZodLiteral<30>, z.ZodLiteral<60>, z.ZodLiteral<90>, z.ZodLiteral<180>])),
  asOf: isoDate,
  measure: z.enum(MEASURE_KEYS),
  groupBy: z.enum(GROUP_BYS),
  suppress: z.enum(["0", "1"]).transform((v) => v === "1"),
};
type FieldName = keyof typeof FIELDS;

export type Filters = {
  from: string;
  to: string;
  payers: string[];
  plans: string[];
  productLines: (typeof PRODUCT_LINES)[number][];
  window: (typeof WINDOWS)[number];
  /** As asked for; null = the data's own as-of date. */
  asOf: string | null;
  measure: (typeof MEASURE_KEYS)[number];
  groupBy: GroupBy;
  suppress: boolean;
};

export type ParsedFilters = {
  filters: Filters;
  /** One sentence per value that was not valid and fell back to its default. */
  notices: string[];
  /** Parameters a report must refuse (400) rather than silently replace. */
  invalid: { name: string; value: string; allowed: string }[];
};

const ALLOWED: Record<FieldName, string> = {
  from: "a date YYYY-MM-DD",
  to: "a date YYYY-MM-DD",
  payer: `up to ${MAX_LIST_VALUES} payer keys separated by commas (aetna, bcbs, cigna, uhc, medicare, …)`,
  plan: `up to ${MAX_LIST_VALUES} plan ids separated by commas`,
  productLine: PRODUCT_LINES.join(", "),
  window: WINDOWS.join(", "),
  asOf: "a date YYYY-MM-DD",
  measure: MEASURE_KEYS.join(", "),
  groupBy: GROUP_BYS.join(", "),
  suppress: "0 or 1",
};

/** The default period: the 12 calendar months ending with the last complete month on the
 *  as-of date (a month is complete when its last day is on or before it). */
export function defaultPeriod(asOf: string): { from: string; to: string } {
  const current = monthOf(asOf);
  const lastComplete = lastDayOfMonth(current) <= asOf ? current : addMonths(current, -1);
  return { from: `${addMonths(lastComplete, -11)}-01`, to: lastDayOfMonth(lastComplete) };
}

/** The value of a parameter as the URL gave it: its own property only (a key such as
 *  `__proto__` or `constructor` is a name like any other), and bounded in length. */
export function rawParameter(params: SearchParams, name: string): string | string[] | undefined {
  if (!Object.hasOwn(params, name)) return undefined;
  return params[name];
}

const tooLong = (raw: string | string[]) => (Array.isArray(raw) ? raw.join(",") : raw).length > MAX_PARAMETER_LENGTH;

/** Reads the filters of a URL. `dataAsOf` is the data's as-of date (null before any claim). */
export function parseFilters(params: SearchParams, dataAsOf: string | null): ParsedFilters {
  const notices: string[] = [];
  const invalid: ParsedFilters["invalid"] = [];
  const refuse = (name: string, raw: string | string[], allowed: string) => {
    const shown = Array.isArray(raw) ? raw.join(",") : raw;
    const quoted = shown.length > 80 ? `${shown.slice(0, 77)}…` : shown;
    invalid.push({ name, value: quoted, allowed });
    notices.push(`"${quoted}" is not a valid ${name} (expected ${allowed}): the default is used.`);
  };
  const read = <N extends FieldName>(name: N): z.output<(typeof FIELDS)[N]> | undefined => {
    const raw = rawParameter(params, name);
    if (raw === undefined || raw === "") return undefined;
    if (tooLong(raw)) {
      refuse(name, raw, `${ALLOWED[name]}, at most ${MAX_PARAMETER_LENGTH} characters`);
      return undefined;
    }
    const result = FIELDS[name].safeParse(raw);
    if (result.success) return result.data as z.output<(typeof FIELDS)[N]>;
    refuse(name, raw, ALLOWED[name]);
    return undefined;
  };

  const today = new Date().toISOString().slice(0, 10);
  let asOf = read("asOf") ?? null;
  if (asOf && asOf < EARLIEST_DATE) {
    refuse("asOf", asOf, `a date from ${EARLIEST_DATE}`);
    asOf = null;
  }
  if (asOf && dataAsOf && asOf > dataAsOf) {
    notices.push(`The data are complete only up to ${dataAsOf}: figures are as of that date, not ${asOf}.`);
    asOf = null;
  }
  const effectiveAsOf = asOf ?? dataAsOf ?? today;
  const defaults = defaultPeriod(effectiveAsOf);
  // A period lies between 1990-01-01 and a year after the as-of date, and spans at most ten
  // years: longer ones would ask for unbounded work (months, rows) and mean nothing here.
  const latest = addYears(effectiveAsOf, 1);
  const bounded = (name: "from" | "to") => {
    const value = read(name);
    if (value !== undefined && (value < EARLIEST_DATE || value > latest)) {
      refuse(name, value, `a date from ${EARLIEST_DATE} to ${latest} (a year after the as-of date)`);
      return undefined;
    }
    return value;
  };
  let from = bounded("from") ?? defaults.from;
  let to = bounded("to") ?? defaults.to;
  if (from > to) {
    notices.push(`The period ${from} to ${to} ends before it starts: the default period is used.`);
    invalid.push({ name: "from", value: from, allowed: `a date on or before to (${to})` });
    ({ from, to } = defaults);
  } else if (to >= addYears(from, MAX_PERIOD_YEARS)) {
    notices.push(`The period ${from} to ${to} is longer than ${MAX_PERIOD_YEARS} years: the default period is used.`);
    invalid.push({ name: "to", value: to, allowed: `a date less than ${MAX_PERIOD_YEARS} years after from (before ${addYears(from, MAX_PERIOD_YEARS)})` });
    ({ from, to } = defaults);
  }
  return {
    filters: {
      from,
      to,
      payers: unique(read("payer") ?? []),
      plans: unique(read("plan") ?? []),
      productLines: unique(read("productLine") ?? []),
      window: read("window") ?? 90,
      asOf,
      measure: read("measure") ?? "order_follow_up",
      groupBy: read("groupBy") ?? "payer",
      suppress: read("suppress") ?? false,
    },
    notices,
    invalid,
  };
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];

/** The URL form of filters, leaving out what equals the default so that links stay short. */
export function filtersToSearchParams(filters: Filters, overrides: Partial<Filters> = {}, dataAsOf: string | null = null): URLSearchParams {
  const f = { ...filters, ...overrides };
  const defaults = dataAsOf ? defaultPeriod(f.asOf ?? dataAsOf) : null;
  const params = new URLSearchParams();
  if (!defaults || f.from !== defaults.from || f.to !== defaults.to) {
    params.set("from", f.from);
    params.set("to", f.to);
  }
  if (f.payers.length) params.set("payer", f.payers.join(","));
  if (f.plans.length) params.set("plan", f.plans.join(","));
  if (f.productLines.length) params.set("productLine", f.productLines.join(","));
  if (f.window !== 90) params.set("window", String(f.window));
  if (f.asOf) params.set("asOf", f.asOf);
  if (f.measure !== "order_follow_up") params.set("measure", f.measure);
  if (f.groupBy !== "payer") params.set("groupBy", f.groupBy);
  if (f.suppress) params.set("suppress", "1");
  return params;
}

/** The measure-engine question for these filters, on a resolved snapshot. */
export function toMeasureQuery(filters: Filters, snapshotAsOf: string, overrides: Partial<MeasureQuery> = {}): MeasureQuery {
  return {
    measure: filters.measure,
    from: filters.from,
    to: filters.to,
    window: filters.window,
    asOf: snapshotAsOf,
    groupBy: filters.groupBy,
    payers: filters.payers,
    plans: filters.plans,
    productLines: filters.productLines,
    ...overrides,
  };
}

/** The URL of a CSV report (SPEC section 7) for these filters. It always states its period, so
 *  that a saved link keeps meaning the same months. */
export function reportUrl(
  report: "measure-summary" | "orders" | "reconciliation",
  filters: Filters,
  dataAsOf: string,
  overrides: Partial<Filters> = {},
  extra: Record<string, string> = {},
): string {
  const params = filtersToSearchParams(filters, overrides, dataAsOf);
  params.set("from", overrides.from ?? filters.from);
  params.set("to", overrides.to ?? filters.to);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return `/api/reports/${report}.csv?${params.toString()}`;
}
