// Formatting for people, at the edge: lib returns numbers and ISO dates, pages call these.

const countFormat = new Intl.NumberFormat("en-US");

export function formatCount(n: number): string {
  return countFormat.format(n);
}

/** `2026-06-25` → `25 Jun 2026`, independent of the server's time zone. */
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
};

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
