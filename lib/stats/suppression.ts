// Small-cell suppression (SPEC section 5): the one implementation every page and report calls,
// so that screen and CSV can never disagree. It decides what to hide; lib/measures/reportable.ts
// and `showCounts` below null the hidden numbers before they leave the server.

/** A count from 1 to 10 is too small to show outside the quality team. */
export const SMALL_CELL_MAX = 10;
/** A rate over fewer cases than this is flagged low volume. */
export const LOW_VOLUME_BELOW = 20;

export const isSmallCount = (n: number) => n >= 1 && n <= SMALL_CELL_MAX;

export type Counts = { denominator: number; numerator: number; pending: number };
export type CountName = keyof Counts;
export const COUNT_NAMES: readonly CountName[] = ["denominator", "numerator", "pending"];

/** Why a count is not shown: it is small (shown as `<11`), or it is hidden so that a small
 *  count cannot be worked out from others shown (shown as `≥11`: true, and not enough to
 *  subtract). */
export type CountVisibility = "shown" | "small" | "complementary";

export type Visibility = Record<CountName, CountVisibility> & { rateHidden: boolean };

/** A rate is hidden when its numerator, denominator or their difference is a small count. */
export function rateIsHidden(c: Counts): boolean {
  return isSmallCount(c.numerator) || isSmallCount(c.denominator) || isSmallCount(c.denominator - c.numerator);
}

const small = (n: number): CountVisibility => (isSmallCount(n) ? "small" : "shown");

/** A denominator and a numerator shown side by side give their difference away: when it is
 *  small, the numerator is hidden too (it is then at least 11 — a numerator of 0 would make
 *  the denominator itself small — so `≥11` is true). Returns whether it hid anything. */
function hideSmallDifference(c: Counts, v: Visibility): boolean {
  if (v.denominator !== "shown" || v.numerator !== "shown" || !isSmallCount(c.denominator - c.numerator)) return false;
  v.numerator = "complementary";
  return true;
}

/** What to hide in a single row shown on its own (a total, a headline figure). */
export function suppressSingle(c: Counts): Visibility {
  const visibility: Visibility = { denominator: small(c.denominator), numerator: small(c.numerator), pending: small(c.pending), rateHidden: rateIsHidden(c) };
  hideSmallDifference(c, visibility);
  return visibility;
}

/** In one column whose cells add up to a total shown beside them: when exactly one cell is
 *  hidden it could be worked out from the total, so the next-smallest cell is hidden too.
 *  Returns whether it hid anything. */
function complementColumn(values: readonly number[], visibility: CountVisibility[]): boolean {
  if (visibility.filter((v) => v !== "shown").length !== 1) return false;
  // The next-smallest cell: the smallest count still shown, zero excepted (a zero cannot be
  // shown as hidden truthfully, and it adds nothing to subtract).
  let pick = -1;
  values.forEach((n, i) => {
    if (visibility[i] === "shown" && n > 0 && (pick === -1 || n < values[pick]!)) pick = i;
  });
  if (pick === -1) return false;
  visibility[pick] = "complementary";
  return true;
}

/**
 * What to hide in a breakdown: group rows whose counts add up to a total shown beside them.
 * Small counts are hidden; then, until nothing more changes, a column with exactly one hidden
 * cell hides its next-smallest cell too, and a row whose denominator and numerator are both
 * still shown hides its numerator when their difference is small (each step can make the
 * other necessary). A row whose numerator or denominator is hidden hides its rate as well
 * (the rate would give it back).
 */
export function suppressBreakdown(rows: readonly Counts[]): Visibility[] {
  const visibility: Visibility[] = rows.map((c) => ({ denominator: small(c.denominator), numerator: small(c.numerator), pending: small(c.pending), rateHidden: rateIsHidden(c) }));
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of COUNT_NAMES) {
      const column = visibility.map((v) => v[name]);
      if (complementColumn(rows.map((r) => r[name]), column)) {
        column.forEach((v, i) => (visibility[i]![name] = v));
        changed = true;
      }
    }
    rows.forEach((c, i) => {
      if (hideSmallDifference(c, visibility[i]!)) changed = true;
    });
  }
  for (const v of visibility) {
    if (v.denominator !== "shown" || v.numerator !== "shown") v.rateHidden = true;
  }
  return visibility;
}

/** A count as a viewer may see it: the number, or null with the reason it is hidden. */
export type ShownCount = { value: number | null; visibility: CountVisibility };

const shown = (value: number): ShownCount => ({ value, visibility: "shown" });

/** One count shown on its own (a total, a card). */
export function showCount(value: number, suppress: boolean): ShownCount {
  if (!suppress || !isSmallCount(value)) return shown(value);
  return { value: null, visibility: "small" };
}

/** The counts of a breakdown that adds up to a total shown with it (histogram bins, aging
 *  buckets, overdue and in-window): small cells hidden, and a complementary one where a single
 *  hidden cell could be worked out from the total. */
export function showCounts(values: readonly number[], suppress: boolean): ShownCount[] {
  if (!suppress) return values.map(shown);
  const visibility = values.map(small);
  complementColumn(values, visibility);
  return values.map((value, i) => (visibility[i] === "shown" ? shown(value) : { value: null, visibility: visibility[i]! }));
}

/** The value a chart may draw for a count: none when it is hidden. */
export function drawableValue(count: ShownCount): number | null {
  return count.visibility === "shown" ? count.value : null;
}
