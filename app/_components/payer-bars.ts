import type { ReportableResult } from "@/lib/measures";
import type { PayerRate } from "./charts/rate-by-payer-chart";
import { payerColours } from "./payer-colors";

/** The bars of a by-payer result, coloured per payer; `href` links a payer's bar (Unknown
 *  payer has no page). */
export function payerBars(result: ReportableResult, href: (payerKey: string) => string): PayerRate[] {
  const colours = payerColours(result.rows.map((r) => r.payerKey!));
  return result.rows.map((r) => ({
    key: r.payerKey!,
    label: r.payerName!,
    rate: r.rate,
    ciLow: r.ciLow,
    ciHigh: r.ciHigh,
    colour: colours[r.payerKey!]!,
    href: r.payerKey === "unknown" ? null : href(r.payerKey!),
  }));
}
