import { addDays } from "../dates";
import { formatDate as d } from "../format";
import { CAPTURE_DAYS, FRACTURE_FOLLOW_UP_DAYS, RESULT_DAYS } from "../derive/codes";
import type { MeasureKey } from "../measures/types";

// Why a member counts (issue 14, "why does this member count?"): for each order, fracture episode
// and the screening population, the verdict each measure of SPEC section 5 gives under the
// current filters, and the rule that decided it, in words. Pure functions of the derived facts
// the measures count (order_facts, fracture_episodes, dxa_studies) and of the filters, so that
// the explanation and the numbers cannot disagree — a test adds up every member's verdicts and
// compares them with the measure engine's counts. The rules are sentences for people, so their
// dates are written as the pages write them.

/** A unit's place in a measure: in the numerator (and so the denominator), in the denominator
 *  only, left out as pending (its window has not closed), or not counted at all. */
export type Verdict = "numerator" | "denominator" | "pending" | "not_counted";

export type MeasureVerdict = { measure: MeasureKey; verdict: Verdict; rule: string };

export type ExplainFilters = {
  from: string;
  to: string;
  window: number;
  asOf: string;
  payers: readonly string[];
  plans: readonly string[];
  productLines: readonly string[];
};

/** The attribution of a unit as the derivation decided it (D7), and how. */
export type Attribution = {
  planId: string | null;
  planName: string | null;
  payerKey: string;
  payerName: string;
  productLine: string | null;
  how: "coverage" | "billed_plan" | "none";
  /** The coverage span that decided it, when one did. */
  span: { start: string; end: string | null } | null;
};

export type OrderFact = {
  orderId: string;
  source: "ehr" | "claim";
  orderDate: string;
  status: "active" | "cancelled";
  captured: boolean;
  studyDate: string | null;
  daysToScan: number | null;
  resultDocumented: boolean;
  attribution: Attribution;
};

export type EpisodeFact = {
  episodeDate: string;
  followUpDate: string | null;
  followUpDays: number | null;
  attribution: Attribution;
};

/** Why a unit is outside the filters, or null when it is inside them. */
function outsideFilters(anchor: string, a: Attribution, f: ExplainFilters, what: string): string | null {
  if (anchor < f.from || anchor > f.to) return `${what} ${d(anchor)} is outside the period ${d(f.from)} to ${d(f.to)}`;
  if (f.payers.length > 0 && !f.payers.includes(a.payerKey)) return `attributed to ${a.payerName}, which the payer filter leaves out`;
  if (f.plans.length > 0 && (a.planId === null || !f.plans.includes(a.planId))) return `attributed to ${a.planName ?? "no plan"}, which the plan filter leaves out`;
  if (f.productLines.length > 0 && (a.productLine === null || !f.productLines.includes(a.productLine))) {
    return `its product line (${a.productLine ?? "none"}) is left out by the product-line filter`;
  }
  return null;
}

const notCounted = (measure: MeasureKey, rule: string): MeasureVerdict => ({ measure, verdict: "not_counted", rule });

/** The four order-based measures' verdicts for one order (SPEC section 5, D3–D5). */
export function explainOrder(o: OrderFact, f: ExplainFilters): MeasureVerdict[] {
  const orderMeasures: MeasureKey[] = ["order_follow_up", "result_documented", "order_capture"];
  if (o.status === "cancelled") return orderMeasures.map((m) => notCounted(m, "the order is cancelled: cancelled orders take part in no measure"));
  const outside = outsideFilters(o.orderDate, o.attribution, f, "ordered on");
  if (outside) return orderMeasures.map((m) => notCounted(m, outside));
  return [followUp(o, f), resultDocumented(o, f), capture(o, f)];
}

function followUp(o: OrderFact, f: ExplainFilters): MeasureVerdict {
  const closes = addDays(o.orderDate, f.window);
  const measure = "order_follow_up";
  if (closes > f.asOf) return { measure, verdict: "pending", rule: `its ${f.window}-day window closes on ${d(closes)}, after the as-of date ${d(f.asOf)}` };
  if (o.daysToScan !== null && o.daysToScan <= f.window) {
    return { measure, verdict: "numerator", rule: `completed by the DXA study of ${d(o.studyDate!)}, ${o.daysToScan} days after the order (within ${f.window})` };
  }
  const later = o.studyDate ? `; the first study after it, on ${d(o.studyDate)}, came ${o.daysToScan} days after the order` : "";
  return { measure, verdict: "denominator", rule: `no central DXA study in ${d(o.orderDate)} to ${d(closes)} (${f.window} days)${later}` };
}

function resultDocumented(o: OrderFact, f: ExplainFilters): MeasureVerdict {
  const measure = "result_documented";
  const closes = addDays(o.orderDate, f.window);
  if (closes > f.asOf) return notCounted(measure, `its ${f.window}-day window is still open: only completed orders count here`);
  if (o.daysToScan === null || o.daysToScan > f.window) return notCounted(measure, `not completed within ${f.window} days: only completed orders count here`);
  const study = o.studyDate!; // a completed order has its completing study
  const resultBy = addDays(study, RESULT_DAYS);
  if (o.resultDocumented) return { measure, verdict: "numerator", rule: `a 3095F result line in ${d(study)} to ${d(resultBy)}, after the completing study` };
  return { measure, verdict: "denominator", rule: `completed, but no 3095F result line in ${d(study)} to ${d(resultBy)}` };
}

function capture(o: OrderFact, f: ExplainFilters): MeasureVerdict {
  const measure = "order_capture";
  if (o.source === "claim") return notCounted(measure, "a claim-sourced order (its 3096F line is the order): the capture rate counts EHR orders");
  const matures = addDays(o.orderDate, CAPTURE_DAYS);
  if (matures > f.asOf) return { measure, verdict: "pending", rule: `a 3096F line may still come until ${d(matures)}, after the as-of date ${d(f.asOf)}` };
  const around = `${d(addDays(o.orderDate, -CAPTURE_DAYS))} to ${d(matures)}`;
  if (o.captured) return { measure, verdict: "numerator", rule: `a 3096F line of the member in ${around} reports it` };
  return { measure, verdict: "denominator", rule: `no 3096F line of the member in ${around}` };
}

/** post_fracture's verdict for one fracture episode (D6). */
export function explainEpisode(e: EpisodeFact, f: ExplainFilters): MeasureVerdict {
  const measure = "post_fracture";
  const outside = outsideFilters(e.episodeDate, e.attribution, f, "the episode of");
  if (outside) return notCounted(measure, outside);
  const closes = addDays(e.episodeDate, FRACTURE_FOLLOW_UP_DAYS);
  if (closes > f.asOf) return { measure, verdict: "pending", rule: `its 180 days of follow-up end on ${d(closes)}, after the as-of date ${d(f.asOf)}` };
  if (e.followUpDate !== null) return { measure, verdict: "numerator", rule: `followed up on ${d(e.followUpDate)} (a DXA order or study), ${e.followUpDays} days after the episode` };
  return { measure, verdict: "denominator", rule: `no DXA order or study in ${d(e.episodeDate)} to ${d(closes)}` };
}

export type ScreeningFacts = {
  sex: string;
  /** Completed years on the period end (as PostgreSQL's age()). */
  ageAtPeriodEnd: number;
  /** Coverage active on the period end, and the plan it attributes the member to (D7). */
  attribution: Attribution | null;
  /** The last DXA study in the look-back window [period start − 730, period start − 1], if any. */
  priorStudy: string | null;
  /** The first non-cancelled order dated in the period, if any. */
  orderInPeriod: string | null;
};

/** screening_ordering's verdict for the member over the period (SPEC section 5). */
export function explainScreening(s: ScreeningFacts, f: ExplainFilters): MeasureVerdict {
  const measure = "screening_ordering";
  if (s.sex !== "F") return notCounted(measure, "the screening measure counts women");
  if (s.ageAtPeriodEnd < 65 || s.ageAtPeriodEnd > 85) return notCounted(measure, `${s.ageAtPeriodEnd} years old on ${d(f.to)}: the measure counts women aged 65–85 on the period end`);
  if (!s.attribution) return notCounted(measure, `no coverage active on the period end ${d(f.to)}`);
  const outside = outsideFilters(f.to, s.attribution, f, "the period end");
  if (outside) return notCounted(measure, outside);
  const lookBack = `${d(addDays(f.from, -730))} to ${d(addDays(f.from, -1))}`;
  if (s.priorStudy) return notCounted(measure, `a DXA study on ${d(s.priorStudy)}, within the two years before the period (${lookBack})`);
  if (s.orderInPeriod) return { measure, verdict: "numerator", rule: `a DXA order on ${d(s.orderInPeriod)}, in the period` };
  return { measure, verdict: "denominator", rule: `no DXA order in the period; no study in ${lookBack} either` };
}

/** Completed years from `birth` to `date`, as PostgreSQL's age() counts them. */
export function completedYears(birth: string, date: string): number {
  const years = Number(date.slice(0, 4)) - Number(birth.slice(0, 4));
  return date.slice(5) < birth.slice(5) ? years - 1 : years;
}
