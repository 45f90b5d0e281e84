import { describe, expect, it } from "vitest";
import { completedYears, explainEpisode, explainOrder, explainScreening, type Attribution, type ExplainFilters, type OrderFact, type ScreeningFacts } from "@/lib/members/explain";

// Every branch of every rule of the member page's explanations (issue 14), on facts written by
// hand: each gives its own verdict and its own reason, with the dates that decided it. The
// verdicts' sums over a whole deck are checked against independent figures in
// test/integration/member-record.test.ts; here, the words.

const AETNA: Attribution = {
  planId: "AET-1",
  planName: "Aetna Gold",
  payerKey: "aetna",
  payerName: "Aetna",
  productLine: "commercial",
  how: "coverage",
  span: { start: "2024-01-01", end: null },
};
const FILTERS: ExplainFilters = { from: "2025-01-01", to: "2025-12-31", window: 90, asOf: "2026-03-31", payers: [], plans: [], productLines: [] };

const order = (over: Partial<OrderFact> = {}): OrderFact => ({
  orderId: "O-1",
  source: "ehr",
  orderDate: "2025-06-01",
  status: "active",
  captured: true,
  studyDate: "2025-06-21",
  daysToScan: 20,
  resultDocumented: true,
  attribution: AETNA,
  ...over,
});

const byMeasure = (o: OrderFact, f: ExplainFilters = FILTERS) => Object.fromEntries(explainOrder(o, f).map((v) => [v.measure, v]));

describe("an order's verdicts", () => {
  it("completed, documented and captured: every numerator, with the study, the result window and the 3096F window", () => {
    const v = byMeasure(order());
    expect(v.order_follow_up).toEqual({ measure: "order_follow_up", verdict: "numerator", rule: "completed by the DXA study of 21 Jun 2025, 20 days after the order (within 90)" });
    expect(v.result_documented).toEqual({ measure: "result_documented", verdict: "numerator", rule: "a 3095F result line in 21 Jun 2025 to 21 Jul 2025, after the completing study" });
    expect(v.order_capture).toEqual({ measure: "order_capture", verdict: "numerator", rule: "a 3096F line of the member in 18 May 2025 to 15 Jun 2025 reports it" });
  });

  it("a study exactly W days later completes it; one day more does not", () => {
    expect(byMeasure(order({ studyDate: "2025-08-30", daysToScan: 90 })).order_follow_up!.verdict).toBe("numerator");
    const late = byMeasure(order({ studyDate: "2025-08-31", daysToScan: 91 }));
    expect(late.order_follow_up).toEqual({
      measure: "order_follow_up",
      verdict: "denominator",
      rule: "no central DXA study in 1 Jun 2025 to 30 Aug 2025 (90 days); the first study after it, on 31 Aug 2025, came 91 days after the order",
    });
    expect(late.result_documented).toEqual({ measure: "result_documented", verdict: "not_counted", rule: "not completed within 90 days: only completed orders count here" });
  });

  it("no study at all, and a completed order without a result", () => {
    expect(byMeasure(order({ studyDate: null, daysToScan: null })).order_follow_up!.rule).toBe("no central DXA study in 1 Jun 2025 to 30 Aug 2025 (90 days)");
    expect(byMeasure(order({ resultDocumented: false })).result_documented).toEqual({
      measure: "result_documented",
      verdict: "denominator",
      rule: "completed, but no 3095F result line in 21 Jun 2025 to 21 Jul 2025",
    });
  });

  it("a window still open on the as-of date: pending for follow-up, outside result documentation, capture still pending", () => {
    const v = byMeasure(order({ orderDate: "2026-03-25", studyDate: null, daysToScan: null, captured: false }), { ...FILTERS, to: "2026-03-31" });
    expect(v.order_follow_up).toEqual({ measure: "order_follow_up", verdict: "pending", rule: "its 90-day window closes on 23 Jun 2026, after the as-of date 31 Mar 2026" });
    expect(v.result_documented).toEqual({ measure: "result_documented", verdict: "not_counted", rule: "its 90-day window is still open: only completed orders count here" });
    expect(v.order_capture).toEqual({ measure: "order_capture", verdict: "pending", rule: "a 3096F line may still come until 8 Apr 2026, after the as-of date 31 Mar 2026" });
  });

  it("capture: an EHR order without a 3096F line, and a claim-sourced order", () => {
    expect(byMeasure(order({ captured: false })).order_capture).toEqual({ measure: "order_capture", verdict: "denominator", rule: "no 3096F line of the member in 18 May 2025 to 15 Jun 2025" });
    expect(byMeasure(order({ source: "claim" })).order_capture).toEqual({
      measure: "order_capture",
      verdict: "not_counted",
      rule: "a claim-sourced order (its 3096F line is the order): the capture rate counts EHR orders",
    });
  });

  it("cancelled, or outside the period, the payer, the plan or the product line: not counted, each for its reason", () => {
    const reasons = (o: OrderFact, f: ExplainFilters = FILTERS) => [...new Set(explainOrder(o, f).map((v) => `${v.verdict}: ${v.rule}`))];
    expect(reasons(order({ status: "cancelled" }))).toEqual(["not_counted: the order is cancelled: cancelled orders take part in no measure"]);
    expect(reasons(order({ orderDate: "2024-12-31" }))).toEqual(["not_counted: ordered on 31 Dec 2024 is outside the period 1 Jan 2025 to 31 Dec 2025"]);
    expect(reasons(order(), { ...FILTERS, payers: ["cigna"] })).toEqual(["not_counted: attributed to Aetna, which the payer filter leaves out"]);
    expect(reasons(order(), { ...FILTERS, plans: ["AET-2"] })).toEqual(["not_counted: attributed to Aetna Gold, which the plan filter leaves out"]);
    expect(reasons(order(), { ...FILTERS, productLines: ["medicaid"] })).toEqual(["not_counted: its product line (commercial) is left out by the product-line filter"]);
  });
});

describe("a fracture episode's verdict", () => {
  const episode = { episodeDate: "2025-03-01", followUpDate: "2025-04-15", followUpDays: 45, attribution: AETNA };
  it("followed up, not followed up, still open, outside the filters", () => {
    expect(explainEpisode(episode, FILTERS)).toEqual({ measure: "post_fracture", verdict: "numerator", rule: "followed up on 15 Apr 2025 (a DXA order or study), 45 days after the episode" });
    expect(explainEpisode({ ...episode, followUpDate: null, followUpDays: null }, FILTERS)).toEqual({
      measure: "post_fracture",
      verdict: "denominator",
      rule: "no DXA order or study in 1 Mar 2025 to 28 Aug 2025",
    });
    expect(explainEpisode({ ...episode, episodeDate: "2025-11-01", followUpDate: null, followUpDays: null }, FILTERS)).toEqual({
      measure: "post_fracture",
      verdict: "pending",
      rule: "its 180 days of follow-up end on 30 Apr 2026, after the as-of date 31 Mar 2026",
    });
    expect(explainEpisode({ ...episode, episodeDate: "2024-06-01" }, FILTERS)).toEqual({
      measure: "post_fracture",
      verdict: "not_counted",
      rule: "the episode of 1 Jun 2024 is outside the period 1 Jan 2025 to 31 Dec 2025",
    });
  });
});

describe("the screening verdict", () => {
  const woman: ScreeningFacts = { sex: "F", ageAtPeriodEnd: 70, attribution: AETNA, priorStudy: null, orderInPeriod: "2025-05-05" };
  it("every branch: ordered, not ordered, a recent study, no coverage, a man, too young or old, filtered out", () => {
    const s = (over: Partial<ScreeningFacts>, f = FILTERS) => explainScreening({ ...woman, ...over }, f);
    expect(s({})).toEqual({ measure: "screening_ordering", verdict: "numerator", rule: "a DXA order on 5 May 2025, in the period" });
    expect(s({ orderInPeriod: null })).toEqual({
      measure: "screening_ordering",
      verdict: "denominator",
      rule: "no DXA order in the period; no study in 2 Jan 2023 to 31 Dec 2024 either",
    });
    expect(s({ priorStudy: "2023-01-02" }).rule).toBe("a DXA study on 2 Jan 2023, within the two years before the period (2 Jan 2023 to 31 Dec 2024)");
    expect(s({ attribution: null }).rule).toBe("no coverage active on the period end 31 Dec 2025");
    expect(s({ sex: "M" }).rule).toBe("the screening measure counts women");
    expect(s({ ageAtPeriodEnd: 64 }).rule).toBe("64 years old on 31 Dec 2025: the measure counts women aged 65–85 on the period end");
    expect(s({ ageAtPeriodEnd: 86 }).verdict).toBe("not_counted");
    expect(s({ ageAtPeriodEnd: 85 }).verdict).toBe("numerator");
    expect(s({}, { ...FILTERS, payers: ["medicare"] }).rule).toBe("attributed to Aetna, which the payer filter leaves out");
    const excluded: Partial<ScreeningFacts>[] = [{ priorStudy: "2023-01-02" }, { attribution: null }, { sex: "M" }, { ageAtPeriodEnd: 64 }];
    for (const over of excluded) expect(s(over).verdict).toBe("not_counted");
  });
});

describe("completed years", () => {
  it("counts a birthday on the day, and 29 February in a common year as 1 March", () => {
    expect(completedYears("1955-03-10", "2025-03-09")).toBe(69);
    expect(completedYears("1955-03-10", "2025-03-10")).toBe(70);
    expect(completedYears("1956-02-29", "2025-02-28")).toBe(68);
    expect(completedYears("1956-02-29", "2025-03-01")).toBe(69);
  });
});
