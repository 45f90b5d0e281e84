// Small-cell suppression (SPEC section 5): the one implementation every page and report calls,
// so that screen and CSV can never disagree.

/** A count from 1 to 10 is too small to show outside the quality team. */
export const SMALL_CELL_MAX = 10;
/** A rate over fewer cases than this is flagged low volume. */
export const LOW_VOLUME_BELOW = 20;

export const isSmallCount = (n: number) => n >= 1 && n <= SMALL_CELL_MAX;

export type Counts = { denominator: number; numerator: number; pending: number };
export type CountName = keyof Counts;
export const COUNT_NAMES: readonly CountName[] = ["denominator", "numerator", "pending"];

/** Why a count is not shown: it is small (shown as `<11`), or it is hidden so that a small
 *  cell cannot be worked out from the total (shown as `≥11`: true, and not enough to subtract). */
export type CountVisibility = "shown" | "small" | "complementary";

export type Visibility = Record<CountName, CountVisibility> & { rateHidden: boolean };

/** A rate is hidden when its numerator, denominator or their difference is a small count. */
export function rateIsHidden(c: Counts): boolean {
  return isSmallCount(c.numerator) || isSmallCount(c.denominator) || isSmallCount(c.denominator - c.numerator);
}

/** What to hide in a single row shown on its own (a total, a headline figure). */
export function suppressSingle(c: Counts): Visibility {
  const v = (n: number): CountVisibility => (isSmallCount(n) ? "small" : "shown");
  return { denominator: v(c.denominator), numerator: v(c.numerator), pending: v(c.pending), rateHidden: rateIsHidden(c) };
}

/**
 * What to hide in a breakdown: group rows whose counts add up to a total shown beside them.
 * Small counts are hidden; then, per count column, when exactly one cell is hidden it could be
 * worked out from the total, so the next-smallest cell of that column is hidden too. A row
 * whose numerator or denominator is hidden hides its rate as well (the rate would give it back).
 */
export function suppressBreakdown(rows: readonly Counts[]): Visibility[] {
  const visibility = rows.map(suppressSingle);
  for (const name of COUNT_NAMES) {
    if (visibility.filter((v) => v[name] !== "shown").length !== 1) continue;
    // The next-smallest cell: the smallest count still shown, zero excepted (a zero reveals
    // nothing: the hidden cell is then the total minus the others either way).
    let pick = -1;
    rows.forEach((c, i) => {
      if (visibility[i]![name] === "shown" && c[name] > 0 && (pick === -1 || c[name] < rows[pick]![name])) pick = i;
    });
    if (pick !== -1) visibility[pick]![name] = "complementary";
  }
  for (const v of visibility) {
    if (v.denominator !== "shown" || v.numerator !== "shown") v.rateHidden = true;
  }
  return visibility;
}
