import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  getBillingCompleteness,
  getClaimsLag,
  getDaysToScan,
  getDaysToScanDistribution,
  getDenialShare,
  getOpenOrderAging,
  resolveSnapshot,
} from "@/lib/measures";
import type { Viewer } from "@/lib/access";
import { getViewContext } from "@/lib/views/context";
import { getPayerView } from "@/lib/views/payer";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { claimLine, importFixture, type FixtureRow } from "../support/fixture-folder";
import { QUALITY_OFFICER, viewerAs } from "../support/viewers";

// The secondary figures of SPEC section 5 on a fixture small enough to work out by hand.
// Aetna members A1–A8 (covered from 2020), one Cigna line (C1). As-of 2025-12-31 (the CLOCK
// claim). Period 2025, window 90 unless said otherwise.
//
//   order       date        study (days)             billed lines of the study
//   A1          2025-03-01  2025-03-11 (10)          77080 global, paid          lag 5
//   A2          2025-03-02  2025-03-22 (20)          TC paid 03-22, 26 denied 03-25   lags 10, 15
//   A3          2025-03-03  2025-04-02 (30)          TC only, denied             lag 20
//   A4          2025-03-04  2025-05-13 (70)          77080 global, paid          lag 40
//   A5          2025-03-05  none: overdue, 301 days open
//   A6          2025-11-20  none: in window, 41 days open
//   A7          2025-12-20  none: in window, 11 days open
//   A8          2025-03-06  cancelled: nowhere

const AS_OF = "2025-12-31";
const ehr = (member_id: string, order_date: string, status = "active"): FixtureRow => ({ order_id: `E-${member_id}`, member_id, order_date, status });
const dxa = (claim_id: string, member_id: string, service_date: string, received_date: string, modifiers = "", line_status = "paid") =>
  claimLine({ claim_id, member_id, plan_id: "P-AET", service_date, received_date, procedure_code: "77080", modifiers, line_status });

const MEMBERS = ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "C1", "CLOCK"];
const CLAIMS: FixtureRow[] = [
  dxa("S1", "A1", "2025-03-11", "2025-03-16"),
  dxa("S2A", "A2", "2025-03-22", "2025-04-01", "TC"),
  dxa("S2B", "A2", "2025-03-25", "2025-04-09", "26", "denied"),
  dxa("S3", "A3", "2025-04-02", "2025-04-22", "TC", "denied"),
  dxa("S4", "A4", "2025-05-13", "2025-06-22"),
  // The as-of date: an original received 2025-12-31, 30 days after its service (counts in lag).
  claimLine({ claim_id: "CLOCK", member_id: "CLOCK", plan_id: "P-AET", service_date: "2025-12-01", received_date: AS_OF, procedure_code: "99213" }),
  // An original (lag 1) and its replacement (received 213 days after service): only originals
  // are claims lag.
  claimLine({ claim_id: "R1", member_id: "A1", plan_id: "P-AET", service_date: "2025-01-31", received_date: "2025-02-01", procedure_code: "99213" }),
  claimLine({ claim_id: "R1", member_id: "A1", plan_id: "P-AET", service_date: "2025-01-31", received_date: "2025-09-01", frequency_code: 7, procedure_code: "99213" }),
  // Received exactly 365 days before the as-of date: outside the 12 months.
  claimLine({ claim_id: "OLD", member_id: "A1", plan_id: "P-AET", service_date: "2024-12-01", received_date: "2024-12-31", procedure_code: "99213" }),
  // Cigna: one original, lag 2.
  claimLine({ claim_id: "C1", member_id: "C1", plan_id: "P-CIG", service_date: "2025-06-01", received_date: "2025-06-03", procedure_code: "99213" }),
];

describe.each(ENGINES)("secondary figures on %s", (engine) => {
  let db: TestDatabase;
  const query = (window: 30 | 60 | 90 | 180 = 90) => ({ asOf: AS_OF, from: "2025-01-01", to: "2025-12-31", window });

  beforeAll(async () => {
    db = await freshDatabase(engine);
    await importFixture(db, {
      "plans.csv": [
        { plan_id: "P-AET", payer: "Aetna", plan_name: "Aetna PPO", product_line: "commercial" },
        { plan_id: "P-CIG", payer: "Cigna Health", plan_name: "Cigna HMO", product_line: "commercial" },
      ],
      "members.csv": MEMBERS.map((member_id) => ({ member_id, birth_date: "1950-01-01", sex: "F" })),
      "coverage.csv": MEMBERS.filter((m) => m.startsWith("A")).map((member_id) => ({ member_id, plan_id: "P-AET", start_date: "2020-01-01", end_date: "" })),
      "orders.csv": [
        ehr("A1", "2025-03-01"),
        ehr("A2", "2025-03-02"),
        ehr("A3", "2025-03-03"),
        ehr("A4", "2025-03-04"),
        ehr("A5", "2025-03-05"),
        ehr("A6", "2025-11-20"),
        ehr("A7", "2025-12-20"),
        ehr("A8", "2025-03-06", "cancelled"),
      ],
      "claim_lines.csv": CLAIMS,
    });
    expect(await resolveSnapshot(db)).toBe(AS_OF);
  });
  afterAll(() => db?.dispose());

  it("days to scan of completed, mature orders: median and 90th percentile (continuous)", async () => {
    // W = 90: 10, 20, 30, 70 → median (20 + 30) / 2 = 25; p90 at rank 3 × 0.9 = 2.7 → 30 + 0.7 × 40 = 58.
    const at90 = await getDaysToScan({ db, viewer: QUALITY_OFFICER }, query(90));
    expect(at90.map((r) => [r.payerKey, r.completed, r.median])).toEqual([
      ["aetna", 4, 25],
      [null, 4, 25],
    ]);
    for (const r of at90) expect(r.p90).toBeCloseTo(58, 10);
    // W = 30: 10, 20, 30 (day 30 counts, day 70 does not) → median 20; p90 at 1.8 → 20 + 0.8 × 10 = 28.
    const at30 = await getDaysToScan({ db, viewer: QUALITY_OFFICER }, query(30));
    expect(at30.find((r) => r.payerKey === null)).toMatchObject({ completed: 3, median: 20 });
    expect(at30.find((r) => r.payerKey === null)!.p90).toBeCloseTo(28, 10);
  });

  it("the days-to-scan distribution has one row per day value", async () => {
    expect(await getDaysToScanDistribution({ db, viewer: QUALITY_OFFICER }, query(90))).toEqual([
      { days: 10, orders: 1 },
      { days: 20, orders: 1 },
      { days: 30, orders: 1 },
      { days: 70, orders: 1 },
    ]);
  });

  it("open orders: not completed within W, overdue or in window, aged from the as-of date", async () => {
    // A5 (301 days, window closed), A6 (41 days) and A7 (11 days) in window; A8 cancelled.
    const expected = { open: 3, overdue: 1, inWindow: 2, "0-30": 1, "31-60": 1, "61-90": 0, "91-180": 0, over_180: 1 };
    expect(await getOpenOrderAging({ db, viewer: QUALITY_OFFICER }, query(90))).toEqual([
      { payerKey: "aetna", ...expected },
      { payerKey: null, ...expected },
    ]);
    // W = 30: A4 (scanned on day 70) is open too. Overdue now: A4, A5 and A6 (2025-11-20 + 30
    // = 2025-12-20, before the as-of date); in window only A7. A4 is 302 days old.
    const at30 = (await getOpenOrderAging({ db, viewer: QUALITY_OFFICER }, query(30))).find((r) => r.payerKey === null);
    expect(at30).toEqual({ payerKey: null, open: 4, overdue: 3, inWindow: 1, "0-30": 1, "31-60": 1, "61-90": 0, "91-180": 0, over_180: 2 });
  });

  it("billing completeness of studies: a global line, or TC and 26", async () => {
    // A1 global, A2 TC + 26 three days apart, A4 global: complete. A3 TC only: not.
    expect(await getBillingCompleteness({ db, viewer: QUALITY_OFFICER }, query())).toEqual(
      expect.arrayContaining([
        { payerKey: "aetna", studies: 4, billingComplete: 3 },
        { payerKey: null, studies: 4, billingComplete: 3 },
      ]),
    );
  });

  it("denial share of central DXA lines, by the payer of the plan billed", async () => {
    // Five DXA lines in 2025; A2's 26 and A3's TC are denied.
    expect(await getDenialShare({ db, viewer: QUALITY_OFFICER }, query())).toEqual(
      expect.arrayContaining([
        { payerKey: "aetna", lines: 5, denied: 2 },
        { payerKey: null, lines: 5, denied: 2 },
      ]),
    );
  });

  it("the payer page hides a small denial share and claims lag when suppression applies", async () => {
    const context = async (viewer: Viewer, suppress: "0" | "1") =>
      (await getViewContext(db, viewer, { from: "2025-01-01", to: "2025-12-31", window: "90", suppress }))!;
    // Aetna: 2 of 5 DXA lines denied; lag over 7 lines, median 15 (the two tests above).
    const open = await getPayerView(await context(QUALITY_OFFICER, "0"), "aetna");
    expect(open.denial).toEqual({ lines: 5, denied: 2, share: 0.4, visibility: { lines: "shown", denied: "shown", shareHidden: false } });
    expect(open.claimsLag).toMatchObject({ lines: 7, medianDays: 15, linesVisibility: "shown" });
    // Suppression on request, and always for payer relations: 5, 2 and 7 are from 1 to 10.
    const payerRelations = viewerAs("payer_relations", ["aetna"]);
    for (const [viewer, suppress] of [[QUALITY_OFFICER, "1"], [payerRelations, "0"]] as const) {
      const hidden = await getPayerView(await context(viewer, suppress), "aetna");
      expect(hidden.denial).toEqual({ lines: null, denied: null, share: null, visibility: { lines: "small", denied: "small", shareHidden: true } });
      expect(hidden.claimsLag).toEqual({ medianDays: null, p90Days: null, lines: null, linesVisibility: "small" });
    }
  });

  it("claims lag: originals received in the 12 months to the as-of date, by payer and over all", async () => {
    const lag = await getClaimsLag(db, AS_OF);
    // Aetna originals: 5, 10, 15, 20, 40 (the studies), 30 (CLOCK), 1 (R1's original); not R1's
    // replacement, not OLD. Sorted 1 5 10 15 20 30 40: median 15; p90 at 6 × 0.9 = 5.4 → 30 + 0.4 × 10 = 34.
    expect(lag.byPayer.get("aetna")).toMatchObject({ lines: 7, medianDays: 15 });
    expect(lag.byPayer.get("aetna")!.p90Days).toBeCloseTo(34, 10);
    // Cigna: one line of lag 2.
    expect(lag.byPayer.get("cigna")).toEqual({ lines: 1, medianDays: 2, p90Days: 2 });
    // All: 1 2 5 10 15 20 30 40: median 12.5; p90 at 7 × 0.9 = 6.3 → 30 + 0.3 × 10 = 33.
    expect(lag.allPayers).toMatchObject({ lines: 8, medianDays: 12.5 });
    expect(lag.allPayers!.p90Days).toBeCloseTo(33, 10);
  });
});
