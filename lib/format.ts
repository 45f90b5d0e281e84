// Formatting for people, at the edge: lib returns numbers and ISO dates, pages call these.

import { LOWER_IS_BETTER } from "./measures/types";

const countFormat = new Intl.NumberFormat("en-US");

export function formatCount(n: number): string {
  return countFormat.format(n);
}

/** `2026-06-25` → `25 Jun 2026`, independent of the server's time zone. */
/** "1 order", "2 orders": a count with its noun, singular or plural. */
export function formatCountOf(n: number, noun: string, plural = `${noun}s`): string {
  return `${formatCount(n)} ${n === 1 ? noun : plural}`;
}

export function formatDate(isoDate: string): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  return date.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}

/** `0.8731` → `87.3%`; null (no denominator) → `Data not available`. */
export function formatRate(rate: number | null, digits = 1): string {
  return rate === null ? "Data not available" : `${(rate * 100).toFixed(digits)}%`;
}

/** A Wilson interval as `80.1–92.4%`. */
export function formatInterval(low: number | null, high: number | null): string {
  if (low === null || high === null) return "—";
  return `${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)}%`;
}

/** A count that suppression may have hidden: `<11` for a small cell, `≥11` for one hidden so
 *  that a small one cannot be worked out. */
export function formatHiddenCount(value: number | null, visibility: "shown" | "small" | "complementary" = "shown"): string {
  if (visibility === "small") return "<11";
  if (visibility === "complementary") return "≥11";
  return value === null ? "—" : formatCount(value);
}

/** A change of rate in percentage points: `+2.4 pp`. */
export function formatPointChange(delta: number | null): string {
  if (delta === null) return "—";
  const pp = delta * 100;
  return `${pp > 0 ? "+" : pp < 0 ? "−" : "±"}${Math.abs(pp).toFixed(1)} pp`;
}

/** `2025-03` → `Mar 2025`. */
export function formatMonth(month: string): string {
  return formatDate(`${month}-01`).replace(/^\d+ /, "");
}

export const MEASURE_NAMES: Record<string, string> = {
  order_follow_up: "DXA order follow-up rate",
  result_documented: "Result documentation rate",
  order_capture: "3096F capture rate",
  screening_ordering: "Screening ordering rate",
  post_fracture: "Post-fracture DXA follow-up",
  cms249_dxa_overuse: "CMS249 DXA overuse (women under 65)",
};

/** A measure's direction in words, shown beside its rate (SPEC section 5b: CMS249's lower rate
 *  is the good one). */
export function directionWords(measure: string): "Lower is better" | "Higher is better" {
  return (LOWER_IS_BETTER as ReadonlySet<string>).has(measure) ? "Lower is better" : "Higher is better";
}

/** The rate of a row as a viewer may see it: `Hidden (small numbers)` where suppression hid it,
 *  `Data not available` where there is nothing to count, else the rate. */
export function formatRowRate(row: { rate: number | null; denominator: number | null; visibility: { rateHidden: boolean; denominator: string } }): string {
  if (row.rate === null && row.visibility.rateHidden && (row.denominator !== 0 || row.visibility.denominator !== "shown")) return "Hidden (small numbers)";
  return formatRate(row.rate);
}

/** A count as suppression left it (lib/stats/suppression.ts): `<11`, `≥11`, or the count. */
export function formatShownCount(count: { value: number | null; visibility: "shown" | "small" | "complementary" }): string {
  return formatHiddenCount(count.value, count.visibility);
}

/** `2025-01-01`, `2025-12-31` → `1 Jan 2025 – 31 Dec 2025`. */
export function formatPeriod(from: string, to: string): string {
  return `${formatDate(from)} – ${formatDate(to)}`;
}

export const PRODUCT_LINE_NAMES: Record<string, string> = {
  commercial: "Commercial",
  medicare_advantage: "Medicare Advantage",
  medicare_ffs: "Medicare fee-for-service",
  medicaid: "Medicaid",
  other: "Other",
};

/** The plan (and product line) of what no coverage could be attributed to (D7), on screen and
 *  in every CSV alike; its payer is Unknown payer. */
export const UNKNOWN_PLAN_NAME = "Unknown";

/** A rate with the denominator it rests on, for tables of monthly rates: `62.9% (n=35)`;
 *  `Hidden (small numbers) (n<11)` where suppression hid them. */
export function formatRateWithN(row: { rate: number | null; denominator: number | null; visibility: { rateHidden: boolean; denominator: "shown" | "small" | "complementary" } }): string {
  const rate = formatRowRate(row);
  if (row.denominator === 0 && row.visibility.denominator === "shown") return rate;
  const n = formatHiddenCount(row.denominator, row.visibility.denominator);
  return `${rate} (n${n.startsWith("<") || n.startsWith("≥") ? "" : "="}${n})`;
}

const FULL_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** A date typed by a person, as the pages write them (`1 Jul 2025`, `1 July 2025`) or as ISO
 *  (`2025-07-01`), to `YYYY-MM-DD`; null when it is not a real calendar date. Numeric forms
 *  such as `07/01/2025` are refused: day and month order would be a guess. */
export function parseDateInput(text: string): string | null {
  const value = text.trim().replace(/\s+/g, " ");
  let year: number, month: number, day: number;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  const words = /^(\d{1,2}) ([A-Za-z]{3,9})\.? (\d{4})$/.exec(value);
  if (iso) {
    [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else if (words) {
    const name = words[2]!.toLowerCase();
    const index = FULL_MONTHS.findIndex((full, i) => name === full || name === MONTHS[i] || (i === 8 && name === "sept"));
    if (index < 0) return null;
    [year, month, day] = [Number(words[3]), index + 1, Number(words[1])];
  } else {
    return null;
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/** An import problem as a person reads it. The import writes `file:line: column: value:
 *  reason`; a problem of a whole row or file has no column (`-`) and no value, which would
 *  read `orders.csv:5: -: : row has 3 fields`, so that part is left out. */
export function formatImportProblem(problem: string): string {
  return problem.replace(/^(.*?:\d+): -: : /, "$1: ");
}
