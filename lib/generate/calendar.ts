// Calendar dates as whole day numbers (days since 1970-01-01, UTC). The generator does date
// arithmetic millions of times; integers are exact and cheap, and no time zone can shift them.

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `2026-06-30` → day number; throws on anything that is not a real calendar date. */
export function dayNumber(iso: string): number {
  const m = ISO_DATE.exec(iso);
  if (!m) throw new Error(`not a date in the form YYYY-MM-DD: ${iso}`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    throw new Error(`not a calendar date: ${iso}`);
  }
  return date.getTime() / MS_PER_DAY;
}

export function fromParts(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

export function parts(day: number): { year: number; month: number; day: number } {
  const date = new Date(day * MS_PER_DAY);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** The same calendar day `years` later (29 February falls back to 28 February). */
export function addYears(day: number, years: number): number {
  const p = parts(day);
  const sameDay = fromParts(p.year + years, p.month, p.day);
  return parts(sameDay).day === p.day ? sameDay : fromParts(p.year + years, p.month, 28);
}

export function firstOfMonth(day: number): number {
  const p = parts(day);
  return fromParts(p.year, p.month, 1);
}

// Formatting a date is the most frequent operation of all (3–4 dates per claim line), so
// each day's string is built once. The cache covers 1900–2199 and grows lazily.
const CACHE_BASE = fromParts(1900, 1, 1);
const CACHE_SIZE = 110_000;
const isoCache: string[] = new Array<string>(CACHE_SIZE).fill(""); // "" = not built yet

export function isoDate(day: number): string {
  const slot = day - CACHE_BASE;
  const cached = isoCache[slot];
  if (cached) return cached;
  const iso = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
  if (slot >= 0 && slot < CACHE_SIZE) isoCache[slot] = iso;
  return iso;
}

/** The days the data set covers: services from `start`; nothing dated (or received) after `end`. */
export interface DataWindow {
  start: number;
  end: number;
}
