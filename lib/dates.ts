// Calendar dates as `YYYY-MM-DD` strings; arithmetic in UTC so no local time zone can shift a day.

import { readDigits } from "./digits";

/** True for a real calendar date written `YYYY-MM-DD`, years 0001–9999 (2025-02-29 is not
 *  one). Read character by character: imports check tens of millions of dates. */
export function isIsoDate(value: string): boolean {
  if (value.length !== 10 || value.charCodeAt(4) !== DASH || value.charCodeAt(7) !== DASH) return false;
  const y = readDigits(value, 0, 4);
  const m = readDigits(value, 5, 7);
  const d = readDigits(value, 8, 10);
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

const DASH = 45;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Today's calendar date in UTC; callers pass it down so tests can fix it. */
export function todayIso(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
