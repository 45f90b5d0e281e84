// One colour per payer on every page, from the Okabe–Ito palette (distinguishable with the
// common colour-vision deficiencies). Payers beyond the listed five take the remaining colours
// in display order; Unknown payer is grey.

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

export function payerColour(payerKey: string, otherIndex = 0): string {
  return LISTED[payerKey] ?? OTHERS[otherIndex % OTHERS.length]!;
}

/** Colours for the payers of a page, in their display order. */
export function payerColours(payerKeys: readonly string[]): Record<string, string> {
  let other = 0;
  return Object.fromEntries(payerKeys.map((key) => [key, LISTED[key] ?? OTHERS[other++ % OTHERS.length]!]));
}
