// Calendar dates as `YYYY-MM-DD` strings; arithmetic in UTC so no local time zone can shift a day.

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

// Files repeat a few thousand distinct dates millions of times; remembering the verdicts
// makes date checks nearly free on large imports. Bounded, so odd input cannot grow it forever.
const verdicts = new Map<string, boolean>();
const MAX_REMEMBERED = 50_000;

/** True for a real calendar date written `YYYY-MM-DD` (2025-02-29 is not one). */
export function isIsoDate(value: string): boolean {
  let verdict = verdicts.get(value);
  if (verdict === undefined) {
    verdict = checkIsoDate(value);
    if (verdicts.size >= MAX_REMEMBERED) verdicts.clear();
    verdicts.set(value, verdict);
  }
  return verdict;
}

function checkIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
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
