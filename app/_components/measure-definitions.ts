import type { MeasureKey } from "@/lib/measures/types";

// Each measure's definition in words, as the in-app help page shows it next to every number
// (docs/measures.md says the same at more length).

export type MeasureDefinition = {
  /** One sentence: what the rate says. */
  summary: string;
  /** Whom or what the denominator counts. */
  denominator: string;
  numerator: string;
  /** What is left out of the rate because its window has not closed. */
  pending: string;
  /** The date that places a unit in the period, a month and a plan. */
  anchor: string;
  /** The window the measure waits for, in words. */
  window: string;
};

export const MEASURE_DEFINITIONS: Record<MeasureKey, MeasureDefinition> = {
  order_follow_up: {
    summary: "Of the central DXA orders whose follow-up window has closed, the share that were followed by a central DXA scan within the window.",
    denominator: "Orders (EHR orders and orders seen only as 3096F claim lines), not cancelled, dated in the period, whose window W has closed on the as-of date (order date + W ≤ as-of date).",
    numerator: "Those with a central DXA study (77080 or 77085) of the same member dated from the order date to the order date + W, both days included.",
    pending: "Orders of the period whose window is still open on the as-of date, scanned or not: they are counted once their window closes.",
    anchor: "The order date.",
    window: "W, the follow-up window chosen on the page: 30, 60, 90 (default) or 180 days.",
  },
  result_documented: {
    summary: "Of the orders completed within the window, the share whose result was documented with 3095F within 30 days of the scan.",
    denominator: "The numerator of the DXA order follow-up rate: orders completed within W.",
    numerator: "Those with a 3095F claim line (without modifier 8P) of the same member dated from the study date to 30 days after it.",
    pending: "None: an order enters this measure only once its follow-up window has closed.",
    anchor: "The order date.",
    window: "W for the scan, then 30 days for the documented result.",
  },
  order_capture: {
    summary: "Of the EHR orders, the share that were reported to the payer with a 3096F claim line.",
    denominator: "EHR orders, not cancelled, dated in the period, at least 14 days before the as-of date.",
    numerator: "Those with a 3096F claim line (without modifier 8P) of the same member dated within 14 days of the order date, either side.",
    pending: "EHR orders of the last 14 days before the as-of date.",
    anchor: "The order date.",
    window: "14 days either side of the order date.",
  },
  screening_ordering: {
    summary: "Of the women aged 65 to 85 who had no DXA in the two years before the period, the share for whom a DXA was ordered in the period.",
    denominator: "Women (sex F) aged 65 to 85 on the last day of the period, with coverage active on that day, and no central DXA study in the 730 days before the period starts.",
    numerator: "Those with an order (not cancelled) dated in the period.",
    pending: "None: the measure looks back, not forward.",
    anchor: "The last day of the period; by month, each point is the 12 months ending with that month.",
    window: "None.",
  },
  post_fracture: {
    summary: "Of the fragility fractures of members aged 50 or more, the share followed by a DXA order or scan within 180 days.",
    denominator: "Fracture episodes dated in the period whose 180 days have passed on the as-of date (hip, spine and distal radius fractures at their initial encounter, and osteoporotic fractures, M80; a new episode more than 180 days after the last one began).",
    numerator: "Those with an order (not cancelled) or a central DXA study of the same member dated from the episode date to 180 days after it.",
    pending: "Episodes of the period whose 180 days have not passed yet.",
    anchor: "The episode date (its first claim line's service date).",
    window: "180 days after the episode date, whatever follow-up window is chosen for orders.",
  },
  cms249_dxa_overuse: {
    summary:
      "CMS249, the official eCQM (MIPS 472), computed from FHIR data: of the women aged 50 to 63 with a visit in the period and no risk factor for osteoporotic fracture, the share for whom a DXA scan was ordered anyway. Lower is better.",
    denominator:
      "Women aged 50 to 63 on the first day of the period with a finished office, preventive, outpatient-consultation, virtual or telephone visit in it (the initial population), less those with a risk factor for osteoporotic fracture (the denominator exclusions: a low BMI, osteoporosis or osteopenia, long glucocorticoid use, a parent's hip fracture, and the other conditions of the measure).",
    numerator:
      "Those with a DXA scan ordered in the period (a ServiceRequest in the DXA value set), less those whose first such order followed a fracture-risk assessment that indicated one (the numerator exclusions: FRAX, ORAI, OSIRIS or OST above its threshold).",
    pending: "None: the measure looks at the period only.",
    anchor: "The last day of the period (payer and plan); by month, each point is the 12 months ending with that month.",
    window: "None. The logic is the published package's, run with fqm-execution over the FHIR resources imported (Patient, Encounter, Condition, Observation, Procedure, ServiceRequest, MedicationRequest); with no FHIR data it is not available.",
  },
};

/** What every measure shares: attribution, interval, flags and suppression. */
export const COMMON_RULES: { term: string; text: string }[] = [
  { term: "Payer and plan", text: "The plan of the member's coverage active on the anchor date (the latest start when several are; then the smallest plan id). With none, a claim-sourced order or an episode takes the plan billed on its first claim line; an EHR order without coverage is under Unknown payer, plan Unknown." },
  { term: "95% interval", text: "The Wilson score interval of the rate: the range of rates compatible with the counts." },
  { term: "Low volume", text: "A rate over fewer than 20 in its denominator: read it with care. Charts draw it hollow or hatched." },
  { term: "Provisional", text: "A month whose claims are still arriving: the as-of date is less than the payer's 90th-percentile claims lag after the month's end." },
  { term: "Data not available", text: "Nothing to count (a denominator of 0): never shown as 0%." },
  { term: "Hidden (small numbers)", text: "For payer relations and in files for sharing, a count from 1 to 10 reads <11 and a rate resting on one is hidden; a count hidden only so that a small one cannot be worked out from a total reads ≥11." },
];
