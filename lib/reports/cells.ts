import type { CountVisibility } from "../stats/suppression";

// Cells of the CSV reports (SPEC section 7), each written as text for the CSV writer. Only
// text cells can carry a spreadsheet formula, so only they are neutralised; numbers, dates
// and flags are written by us in forms that never start with a formula character.

/** Characters that make a spreadsheet read a cell as a formula (SPEC section 7), and their
 *  full-width forms, which some spreadsheets normalise to them (as csv-stringify's own
 *  `escape_formulas` does). */
const FORMULA_START = new Set(["=", "+", "-", "@", "\t", "\r", "\uFF1D", "\uFF0B", "\uFF0D", "\uFF20"]);

/** A text cell: a value starting with a formula character gets a leading `'`, which a
 *  spreadsheet shows as text and does not evaluate. Null is an empty cell. */
export function textCell(value: string | null | undefined): string {
  if (value == null || value === "") return "";
  return FORMULA_START.has(value[0]!) ? `'${value}` : value;
}

/** A calendar date, ISO `YYYY-MM-DD` as lib returns it. */
export function dateCell(value: string | null | undefined): string {
  return value ?? "";
}

/** A whole number (a count, days, a window). */
export function integerCell(value: number | null | undefined): string {
  return value == null ? "" : String(value);
}

/** A rate or interval bound as a decimal with 4 places (`0.5577`); null (not available, or
 *  hidden by suppression) is an empty cell, never 0. */
export function rateCell(value: number | null | undefined): string {
  return value == null ? "" : value.toFixed(4);
}

/** A count that small-cell suppression may have hidden: `<11` for a small cell, `≥11` for one
 *  hidden so that a small one cannot be worked out from the total. */
export function countCell(value: number | null, visibility: CountVisibility = "shown"): string {
  if (visibility === "small") return "<11";
  if (visibility === "complementary") return "≥11";
  return integerCell(value);
}

export function booleanCell(value: boolean): string {
  return value ? "true" : "false";
}
