import type { Change } from "@/lib/views/comparison";

// Whether a change against the previous period is more than chance (issue 14), with the test
// named where the mark is (a tooltip) and in a footnote under the marks (for print and for
// anyone who does not hover).

export const SIGNIFICANCE_TEST =
  "Two-sided two-proportion z-test with a pooled rate (the counts of both periods); a change is significant when p < 0.05, i.e. chance alone would give one as large less than 1 time in 20.";

const pValue = (p: number) => (p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`);

export function SignificanceMark({ change, testId }: { change: Change; testId: string }) {
  const text =
    change.verdict === "significant"
      ? `Significant change (${pValue(change.test!.pValue)})`
      : change.verdict === "not_significant"
        ? `Not significant (${pValue(change.test!.pValue)})`
        : `Change not tested: ${change.reason}`;
  return (
    <span className={`headline-detail signif ${change.verdict === "significant" ? "signif-yes" : "signif-no"}`} data-testid={testId} data-verdict={change.verdict} title={SIGNIFICANCE_TEST}>
      {text}
      <sup className="footnote-mark" aria-hidden="true">
        †
      </sup>
    </span>
  );
}

export function SignificanceFootnote() {
  return (
    <p className="footnotes" data-testid="significance-footnote">
      † Significance of the change against the previous period: {SIGNIFICANCE_TEST}
    </p>
  );
}
