import { z } from "zod";
import { isIsoDate } from "./dates";
import { MEASURE_KEYS, PRODUCT_LINES, WINDOWS, GROUP_BYS, type GroupBy, type MeasureQuery } from "./measures/types";
import { addMonths, lastDayOfMonth, monthOf } from "./months";

// The one definition of the filters every page, control and report shares (SPEC section 6):
// parsed from the URL here, written back to it by `filtersToSearchParams`. An invalid value
// falls back to its default and says so; it never fails a page.

export type SearchParams = Record<string, string | string[] | undefined>;

const isoDate = z.string().refine(isIsoDate, "a date written YYYY-MM-DD");
const key = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, "a key of letters, digits, - _ .");
const list = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter((s) => s !== ""))
    .pipe(z.array(item));

const FIELDS = {
  from: isoDate,
  to: isoDate,
  payer: list(key),
  plan: list(z.string().min(1).max(64)),
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
  payer: "payer keys separated by commas (aetna, bcbs, cigna, uhc, medicare, …)",
  plan: "plan ids separated by commas",
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

/** Reads the filters of a URL. `dataAsOf` is the data's as-of date (null before any claim). */
export function parseFilters(params: SearchParams, dataAsOf: string | null): ParsedFilters {
  const notices: string[] = [];
  const invalid: ParsedFilters["invalid"] = [];
  const read = <N extends FieldName>(name: N): z.output<(typeof FIELDS)[N]> | undefined => {
    const raw = params[name];
    if (raw === undefined || raw === "") return undefined;
    const result = FIELDS[name].safeParse(raw);
    if (result.success) return result.data as z.output<(typeof FIELDS)[N]>;
    const shown = Array.isArray(raw) ? raw.join(",") : raw;
    invalid.push({ name, value: shown, allowed: ALLOWED[name] });
    notices.push(`"${shown}" is not a valid ${name} (expected ${ALLOWED[name]}): the default is used.`);
    return undefined;
  };

  let asOf = read("asOf") ?? null;
  if (asOf && dataAsOf && asOf > dataAsOf) {
    notices.push(`The data are complete only up to ${dataAsOf}: figures are as of that date, not ${asOf}.`);
    asOf = null;
  }
  const effectiveAsOf = asOf ?? dataAsOf ?? new Date().toISOString().slice(0, 10);
  const defaults = defaultPeriod(effectiveAsOf);
  let from = read("from") ?? defaults.from;
  let to = read("to") ?? defaults.to;
  if (from > to) {
    notices.push(`The period ${from} to ${to} ends before it starts: the default period is used.`);
    invalid.push({ name: "from", value: from, allowed: `a date on or before to (${to})` });
    ({ from, to } = defaults);
  }
  return {
    filters: {
      from,
      to,
      payers: read("payer") ?? [],
      plans: read("plan") ?? [],
      productLines: read("productLine") ?? [],
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
