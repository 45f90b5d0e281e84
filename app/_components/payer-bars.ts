import { formatHiddenCount, formatRowRate } from "@/lib/format";
import type { ReportableResult } from "@/lib/measures";
import { UNKNOWN_PAYER_KEY } from "@/lib/measures/dimensions";
import type { PayerRate } from "./charts/rate-by-payer-chart";

/** The bars of a by-payer result, coloured from the page's one payer colour map
 *  (payer-colors.ts); `href` links a payer's bar (Unknown payer has no page). */
export function payerBars(result: ReportableResult, colours: Record<string, string>, href: (payerKey: string) => string): PayerRate[] {
  return result.rows.map((r) => ({
    key: r.payerKey!,
    label: r.payerName!,
    rate: r.rate,
    ciLow: r.ciLow,
    ciHigh: r.ciHigh,
    rateText: formatRowRate(r),
    n: formatHiddenCount(r.denominator, r.visibility.denominator),
    lowVolume: r.flags.includes("low_volume"),
    colour: colours[r.payerKey!] ?? "#8C8C8C",
    href: r.payerKey === UNKNOWN_PAYER_KEY ? null : href(r.payerKey!),
  }));
}

/** Whether a by-payer chart draws anything: at least one bar with a rate. */
export const hasBar = (bars: readonly PayerRate[]) => bars.some((b) => b.rate !== null);
