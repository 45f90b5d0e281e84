import { funnelCurve, funnelPosition, FUNNEL_LEVELS, type FunnelLimits, type FunnelPosition } from "../stats/funnel";
import { twoProportionTest, type TwoProportionTest } from "../stats/proportions";
import { anhojRules, laneyPPrime, type RunsAnalysis } from "../stats/spc";
import type { ReportableRow } from "../measures/types";
import type { Target } from "../targets";
import { plottedRate } from "./trend";

// Fair comparison and control charts (issue 14), ready to draw: the funnel plot of payers or
// plans around the all-payer rate, the Laney p′ chart of a monthly series with the Anhøj run
// signals, and whether a change against the previous period is more than chance. Everything is
// built from rows already suppressed for the viewer: a unit or month whose counts are hidden is
// left out (and listed as left out), so that no drawn point can give a hidden count away.

/** Denominators under this are low volume (SPEC section 5). */
const LOW_VOLUME = 20;

export type FunnelUnit = {
  key: string;
  name: string;
  href: string | null;
  numerator: number;
  denominator: number;
  rate: number;
  position: FunnelPosition;
  lowVolume: boolean;
};

export type LeftOutUnit = { key: string; name: string; reason: "hidden" | "no_data" };

export type FunnelPlotData = {
  /** The all-payer rate the limits are drawn around; null when it cannot be shown. */
  centre: number | null;
  centreLabel: string;
  /** Why there is no centre, in words. */
  centreMissing: string | null;
  units: FunnelUnit[];
  leftOut: LeftOutUnit[];
  /** The 95% and 99.8% limit curves, from n = 1 to a little past the largest unit. */
  limits: { level: number; points: FunnelLimits[] }[];
  maxN: number;
  target: Target | null;
};

export type FunnelUnitInput = { key: string; name: string; href?: string | null; row: ReportableRow };

/**
 * The funnel plot of units (payers, plans) around `centreRow`'s rate. A unit is plotted only
 * when its numerator, denominator and rate are all shown to this viewer; one with a hidden
 * count is left out whole ("hidden"), one with nothing to count is listed as "no_data".
 */
export function funnelPlotOf(inputs: readonly FunnelUnitInput[], centreRow: ReportableRow | null, centreLabel: string, target: Target | null): FunnelPlotData {
  const centre = centreRow && centreRow.rate !== null && centreRow.visibility.numerator === "shown" && centreRow.visibility.denominator === "shown" ? centreRow.rate : null;
  const units: FunnelUnit[] = [];
  const leftOut: LeftOutUnit[] = [];
  for (const { key, name, href, row } of inputs) {
    if (row.visibility.rateHidden || row.visibility.numerator !== "shown" || row.visibility.denominator !== "shown") {
      leftOut.push({ key, name, reason: "hidden" });
      continue;
    }
    if (row.denominator === null || row.numerator === null || row.denominator === 0 || row.rate === null) {
      leftOut.push({ key, name, reason: "no_data" });
      continue;
    }
    units.push({
      key,
      name,
      href: href ?? null,
      numerator: row.numerator,
      denominator: row.denominator,
      rate: row.rate,
      position: centre === null ? "within" : funnelPosition(row.numerator, row.denominator, centre),
      lowVolume: row.denominator < LOW_VOLUME,
    });
  }
  const largest = Math.max(0, ...units.map((u) => u.denominator));
  // Room to the right of the largest unit, and a funnel wide enough to show its shape.
  const maxN = Math.max(20, Math.ceil(largest * 1.15));
  const limits = centre === null ? [] : FUNNEL_LEVELS.map((level) => ({ level, points: funnelCurve(level, centre, maxN, 80) }));
  const centreMissing =
    centre !== null ? null : centreRow === null ? "the all-payer rate is withheld from this view" : centreRow.denominator === 0 ? "nothing to count in the period" : "the all-payer rate rests on small numbers and is hidden";
  return { centre, centreLabel, centreMissing, units, leftOut, limits, maxN, target };
}

/** A month of a control chart: plotted (in the limits or provisional), or why not. */
export type SpcMonthState = "counted" | "provisional" | "early" | "hidden" | "empty";

export type SpcMonth = {
  month: string;
  state: SpcMonthState;
  rate: number | null;
  numerator: number | null;
  denominator: number | null;
  lower: number | null;
  upper: number | null;
  /** Beyond the Laney limits: a special cause. */
  outside: boolean;
  /** Part of a run longer than the Anhøj limit. */
  inLongRun: boolean;
};

export type SpcChartData = {
  months: SpcMonth[];
  centre: number | null;
  sigmaZ: number | null;
  runs: RunsAnalysis | null;
  /** Why there are no limits, in words. */
  missing: string | null;
  target: Target | null;
};

/**
 * The Laney p′ chart of a monthly series (lib/stats/spc.ts), with the Anhøj rules over the
 * months in the limits. Provisional months (claims still arriving) are plotted against the
 * limits but are no part of them; months still mostly pending ("early", as the trend chart
 * leaves them out), with hidden counts, or empty are not plotted.
 */
export function spcChartOf(rows: readonly ReportableRow[], target: Target | null): SpcChartData {
  const states: SpcMonthState[] = rows.map((r) => {
    if (r.visibility.rateHidden || r.visibility.numerator !== "shown" || r.visibility.denominator !== "shown") return "hidden";
    if (r.denominator === null || r.denominator === 0 || r.numerator === null) return "empty";
    if (plottedRate(r) === null) return "early";
    return r.flags.includes("provisional") ? "provisional" : "counted";
  });
  const plotted = (s: SpcMonthState) => s === "counted" || s === "provisional";
  const points = rows.map((r, i) => ({
    month: r.month ?? String(i),
    numerator: plotted(states[i]!) ? r.numerator! : 0,
    denominator: plotted(states[i]!) ? r.denominator! : 0,
    provisional: states[i] === "provisional",
  }));
  const laney = laneyPPrime(points);
  const counted = states.filter((s) => s === "counted").length;
  if (!laney) {
    return {
      months: rows.map((r, i) => ({
        month: points[i]!.month,
        state: states[i]!,
        rate: plotted(states[i]!) ? r.rate : null,
        numerator: plotted(states[i]!) ? r.numerator : null,
        denominator: plotted(states[i]!) ? r.denominator : null,
        lower: null,
        upper: null,
        outside: false,
        inLongRun: false,
      })),
      centre: null,
      sigmaZ: null,
      runs: null,
      missing: counted < 2 ? "a control chart needs at least two complete months with rates shown" : "no month has a rate to chart",
      target,
    };
  }
  const basis = laney.months.map((m, i) => (states[i] === "counted" ? m.rate : null));
  const runs = anhojRules(basis, laney.centre);
  const inLongRun = longRunMonths(basis, laney.centre, runs.longestRunLimit);
  return {
    months: laney.months.map((m, i) => ({
      month: m.month,
      state: states[i]!,
      rate: m.rate,
      numerator: plotted(states[i]!) ? rows[i]!.numerator : null,
      denominator: plotted(states[i]!) ? rows[i]!.denominator : null,
      lower: m.lower,
      upper: m.upper,
      outside: m.outside,
      inLongRun: inLongRun[i]!,
    })),
    centre: laney.centre,
    sigmaZ: laney.sigmaZ,
    runs,
    missing: null,
    target,
  };
}

/** Which values belong to a run on one side of the centre longer than `limit` (points on the
 *  centre line neither break nor extend a run, as the Anhøj rules count them). */
export function longRunMonths(values: readonly (number | null)[], centre: number, limit: number): boolean[] {
  const marks = values.map(() => false);
  let side = 0;
  let members: number[] = [];
  const close = () => {
    if (members.length > limit) for (const i of members) marks[i] = true;
  };
  values.forEach((v, i) => {
    if (v === null || v === centre) return;
    const s = v > centre ? 1 : -1;
    if (s !== side) {
      close();
      side = s;
      members = [];
    }
    members.push(i);
  });
  close();
  return marks;
}

export type Change = {
  /** Rate now − rate before, when both are shown. */
  difference: number | null;
  /** The two-proportion test, when all four counts are shown and it applies. */
  test: TwoProportionTest | null;
  /** What the test says, in words a card can show. */
  verdict: "significant" | "not_significant" | "not_tested";
  /** Why it was not tested. */
  reason: string | null;
};

/** The change of a rate against the previous period and whether it is more than chance
 *  (pooled two-proportion z-test, P < 0.05). Counts hidden from the viewer are not tested. */
export function changeOf(now: ReportableRow, before: ReportableRow): Change {
  const difference = now.rate !== null && before.rate !== null ? now.rate - before.rate : null;
  if (difference === null) return { difference, test: null, verdict: "not_tested", reason: "no rate to compare" };
  const shown = (r: ReportableRow) => r.visibility.numerator === "shown" && r.visibility.denominator === "shown" && r.numerator !== null && r.denominator !== null;
  if (!shown(now) || !shown(before)) return { difference, test: null, verdict: "not_tested", reason: "counts hidden (small numbers)" };
  const test = twoProportionTest(now.numerator!, now.denominator!, before.numerator!, before.denominator!);
  if (!test) return { difference, test: null, verdict: "not_tested", reason: "both rates 0% or both 100%" };
  return { difference, test, verdict: test.significant ? "significant" : "not_significant", reason: null };
}
