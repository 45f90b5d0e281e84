// Calendar months as `YYYY-MM`, with string arithmetic only: no Date, so no time zone can
// move a month boundary.

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function parts(isoDateOrMonth: string): { y: number; m: number } {
  return { y: Number(isoDateOrMonth.slice(0, 4)), m: Number(isoDateOrMonth.slice(5, 7)) };
}

/** `2025-03-17` → `2025-03`. */
export const monthOf = (isoDate: string) => isoDate.slice(0, 7);

/** `2025-03` (or a date in it) → `2025-03-01`. */
export const startOfMonth = (month: string) => `${month.slice(0, 7)}-01`;

export function daysInMonth(month: string): number {
  const { y, m } = parts(month);
  return [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/** `2024-02` → `2024-02-29`. */
export const lastDayOfMonth = (month: string) => `${month.slice(0, 7)}-${pad(daysInMonth(month))}`;

/** Shifts a date's month by n, keeping the day when the month has it, else its last day. */
export function addMonths(isoDate: string, n: number): string {
  const { y, m } = parts(isoDate);
  const index = y * 12 + (m - 1) + n;
  const month = `${pad(Math.floor(index / 12), 4)}-${pad((index % 12) + 1)}`;
  if (isoDate.length === 7) return month;
  const day = Math.min(Number(isoDate.slice(8, 10)), daysInMonth(month));
  return `${month}-${pad(day)}`;
}

/** Shifts a date by n years (29 February becomes 28 February in a common year). */
export const addYears = (isoDate: string, n: number): string => addMonths(isoDate, 12 * n);

/** Every month touched by the period [from, to], in order (`YYYY-MM`). */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let month = monthOf(from); month <= monthOf(to); month = addMonths(month, 1)) months.push(month);
  return months;
}
