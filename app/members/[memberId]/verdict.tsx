import type { MeasureVerdict, Verdict } from "@/lib/members";

const VERDICT_NAMES: Record<Verdict, string> = {
  numerator: "Met",
  denominator: "Not met",
  pending: "Pending",
  not_counted: "Not counted",
};

/** One measure's verdict on a unit: a word a reader can scan down a column, and the rule that
 *  decided it under it, in full (no hover needed, and it prints). */
export function VerdictCell({ verdict }: { verdict: MeasureVerdict }) {
  return (
    <div className="verdict" data-verdict={verdict.verdict} data-measure={verdict.measure}>
      <span className={`status verdict-${verdict.verdict}`}>{VERDICT_NAMES[verdict.verdict]}</span>
      <span className="verdict-rule">{verdict.rule}</span>
    </div>
  );
}

export const VERDICT_LEGEND =
  "Met: in the measure's numerator (and denominator). Not met: in the denominator only. Pending: its window has not closed by the as-of date, so it is left out of the rate for now. Not counted: outside the measure, for the reason given.";
