// One colour per payer on every page and chart, from the Okabe–Ito palette (distinguishable with
// the common colour-vision deficiencies). The five listed payers have theirs; other payers take
// the remaining colours in the warehouse's display order of payers (so a payer keeps its colour
// from chart to chart, whichever payers a chart shows); Unknown payer is grey. Every chart takes
// its payer colours from `payerColours` over all the payers of the page's context.

const LISTED: Record<string, string> = {
  aetna: "#0072B2",
  bcbs: "#E69F00",
  cigna: "#009E73",
  uhc: "#CC79A7",
  medicare: "#56B4E9",
  unknown: "#8C8C8C",
};
const OTHERS = ["#D55E00", "#332288", "#117733", "#882255", "#44AA99"];

export const ALL_PAYERS_COLOUR = "#1d2430";
/** The all-payer benchmark's series key in a chart: not a payer key (those are letters, digits
 *  and dashes), so that a payer called "All" keeps a line of its own. */
export const ALL_PAYERS_SERIES = "__all_payers";

/** Colours of the payers, given every payer of the page in display order (ViewContext's
 *  `dims.payers`), not only those one chart shows. */
export function payerColours(payerKeys: readonly string[]): Record<string, string> {
  let other = 0;
  return Object.fromEntries(payerKeys.map((key) => [key, LISTED[key] ?? OTHERS[other++ % OTHERS.length]!]));
}
