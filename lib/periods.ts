import { addDays, daysBetween } from "./dates";
import { addMonths, lastDayOfMonth, monthOf, startOfMonth } from "./months";

// Periods people ask for (issue 14): the presets of the filter bar and the period a change is
// measured against. Every function takes the reference date (the as-of date: the data are
// complete up to it) instead of reading a clock, so that tests fix it. Calendar strings only.

export type Period = { from: string; to: string };

/** True when [from, to] is made of whole calendar months (from the 1st to a month's last day). */
export function isWholeMonths({ from, to }: Period): boolean {
  return from.endsWith("-01") && to === lastDayOfMonth(monthOf(to)) && from <= to;
}

/** Calendar months in a whole-month period (`2025-01-01`–`2025-12-31` → 12). */
function monthCount({ from, to }: Period): number {
  const index = (d: string) => Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7));
  return index(to) - index(from) + 1;
}

/**
 * The period just before [from, to] that a change is read against: the same number of whole
 * months when the period is whole months (2025 → 1 Jan–31 Dec 2024, not the 366 days
 * 2 Jan–31 Dec 2024 a day count gives in a leap year), else the same number of days.
 */
export function previousPeriod(from: string, to: string): Period {
  if (isWholeMonths({ from, to })) {
    const months = monthCount({ from, to });
    return { from: startOfMonth(addMonths(monthOf(from), -months)), to: addDays(from, -1) };
  }
  const days = daysBetween(from, to) + 1;
  return { from: addDays(from, -days), to: addDays(from, -1) };
}

/** The first day of the calendar quarter holding a date (`2025-05-17` → `2025-04-01`). */
export function quarterStart(date: string): string {
  const m = Number(date.slice(5, 7));
  const first = m - ((m - 1) % 3);
  return `${date.slice(0, 4)}-${String(first).padStart(2, "0")}-01`;
}

/** Quarter to date: the quarter's first day to the reference date. */
export function quarterToDate(asOf: string): Period {
  return { from: quarterStart(asOf), to: asOf };
}

/** Year to date: 1 January to the reference date. */
export function yearToDate(asOf: string): Period {
  return { from: `${asOf.slice(0, 4)}-01-01`, to: asOf };
}

/** The last four complete calendar quarters: a quarter is complete when its last day is on or
 *  before the reference date. */
export function lastFourQuarters(asOf: string): Period {
  const current = quarterStart(asOf);
  const currentEnd = lastDayOfMonth(monthOf(addMonths(current, 2)));
  const lastComplete = currentEnd <= asOf ? current : addMonths(current, -3);
  return { from: addMonths(lastComplete, -9), to: lastDayOfMonth(monthOf(addMonths(lastComplete, 2))) };
}

/** The same period a year earlier (year over year): whole months stay whole months (February
 *  2024 → 1–28 February 2023); other dates move back a year (29 February → 28 February). */
export function yearEarlier({ from, to }: Period): Period {
  if (isWholeMonths({ from, to })) return { from: addMonths(from, -12), to: lastDayOfMonth(addMonths(monthOf(to), -12)) };
  return { from: addMonths(from, -12), to: addMonths(to, -12) };
}
