import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importFolder } from "@/lib/import";
import { countOrders, countOrdersByPayer, listOrders, type OrderQuery, type OrderRow } from "@/lib/orders";
import { openReport } from "@/lib/reports";
import { parseReportParameters } from "@/lib/reports/request";
import { getViewContext } from "@/lib/views/context";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { QUALITY_OFFICER, viewerAs } from "../support/viewers";

// Issue 13 on both engines, over the public deck: the worklist narrowed by status, age, ordering
// NPI and member (item 23) agrees with the same narrowing done here over the whole list; orders
// by payer count Unknown payer (item 9); the per-payer series of a trend (item 18) holds each
// payer's months and totals, equal to the deck's expected figures.

const DECK = path.resolve(import.meta.dirname, "../fixtures/public-deck");
const AS_OF = "2026-06-25";
const SET1: OrderQuery = { asOf: AS_OF, from: "2025-01-01", to: "2025-12-31", window: 90 };
type Counts = { denominator: number; numerator: number; pending: number };
const expected = (JSON.parse(readFileSync(path.join(DECK, "expected.json"), "utf8")) as { expected: Record<string, Record<string, Counts>> }[])[0]!.expected;

const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
const bucketOf = (days: number) => (days <= 30 ? "0-30" : days <= 60 ? "31-60" : days <= 90 ? "61-90" : days <= 180 ? "91-180" : "over_180");

describe.each(ENGINES)("worklist filters and series on %s", (engine) => {
  let db: TestDatabase;
  let open: OrderRow[];

  beforeAll(async () => {
    db = await freshDatabase(engine);
    const result = await importFolder(db, path.join(DECK, "data"), { importedBy: "test" });
    expect(result.problems).toEqual([]);
    open = await listOrders(db, QUALITY_OFFICER, { ...SET1, statuses: ["overdue", "in_window"], pageSize: 500 });
  });
  afterAll(() => db?.dispose());

  it("finds the 46 orders of 2025 not completed within 90 days (104 − 58, expected.json)", () => {
    expect(open).toHaveLength(expected.order_follow_up!.All!.denominator - expected.order_follow_up!.All!.numerator);
  });

  it("narrows by age bucket of days since the order on the as-of date", async () => {
    let total = 0;
    for (const bucket of ["0-30", "31-60", "61-90", "91-180", "over_180"] as const) {
      const rows = await listOrders(db, QUALITY_OFFICER, { ...SET1, statuses: ["overdue", "in_window"], ageBuckets: [bucket], pageSize: 500 });
      expect(rows.map((o) => o.orderId).sort()).toEqual(open.filter((o) => bucketOf(daysBetween(o.orderDate, AS_OF)) === bucket).map((o) => o.orderId).sort());
      expect(await countOrders(db, QUALITY_OFFICER, { ...SET1, statuses: ["overdue", "in_window"], ageBuckets: [bucket] })).toBe(rows.length);
      total += rows.length;
    }
    expect(total).toBe(open.length);
  });

  it("narrows by ordering NPI, exactly", async () => {
    const npi = open.find((o) => o.orderingNpi !== null)!.orderingNpi!;
    const rows = await listOrders(db, QUALITY_OFFICER, { ...SET1, statuses: ["overdue", "in_window"], orderingNpi: npi, pageSize: 500 });
    expect(rows.map((o) => o.orderId).sort()).toEqual(open.filter((o) => o.orderingNpi === npi).map((o) => o.orderId).sort());
    expect(await countOrders(db, QUALITY_OFFICER, { ...SET1, orderingNpi: npi.slice(0, 9) })).toBe(0);
  });

  it("narrows by the start of a member id, taking % and _ literally", async () => {
    const rows = await listOrders(db, QUALITY_OFFICER, { ...SET1, statuses: ["overdue", "in_window"], memberPrefix: "M0001", pageSize: 500 });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((o) => o.orderId).sort()).toEqual(open.filter((o) => o.memberId.startsWith("M0001")).map((o) => o.orderId).sort());
    expect(await countOrders(db, QUALITY_OFFICER, { ...SET1, memberPrefix: "M_0" })).toBe(0);
    expect(await countOrders(db, QUALITY_OFFICER, { ...SET1, memberPrefix: "%" })).toBe(0);
  });

  it("counts the orders of the period by payer, Unknown payer included (item 9)", async () => {
    const counts = await countOrdersByPayer(db, QUALITY_OFFICER, { ...SET1, statuses: ["completed", "overdue", "in_window"] });
    // Not cancelled, dated in 2025: the follow-up measure's denominator and pending by payer.
    for (const [payer, key] of [
      ["Aetna", "aetna"],
      ["Humana", "humana"],
      ["Unknown payer", "unknown"],
    ] as const) {
      const e = expected.order_follow_up![payer]!;
      expect(counts.get(key), payer).toBe(e.denominator + e.pending);
    }
    // A payer-relations viewer counts their payers only.
    const scoped = await countOrdersByPayer(db, viewerAs("payer_relations", ["aetna"]), { ...SET1, statuses: ["completed", "overdue", "in_window"] });
    expect([...scoped.keys()]).toEqual(["aetna"]);
  });

  it("writes a trend's lines as CSV: the all-payer months, then each payer's, each with its total (item 18)", async () => {
    const query = new URLSearchParams("from=2025-01-01&to=2025-12-31&groupBy=month&series=payer");
    const parsed = parseReportParameters("measure-summary", query);
    expect(parsed.invalid).toEqual([]);
    const ctx = (await getViewContext(db, QUALITY_OFFICER, parsed.params))!;
    const file = await openReport(ctx, { report: "measure-summary", filters: ctx.filters, statuses: [], series: parsed.series, bom: false, asOf: ctx.asOf });
    expect(file.fileName).toBe("measure-summary_order_follow_up_by-month-and-payer_window-90_2025-01-01_2025-12-31_as-of-2026-06-25.csv");
    const [header, ...rows] = parse(await new Response(file.body).text()) as string[][];
    expect(header![3]).toBe("payer");
    const blocks = [...new Set(rows.map((r) => r[3]!))];
    // The five listed payers always, Humana and Unknown payer because they have orders.
    expect(blocks).toEqual(["All", "Aetna", "Blue Cross Blue Shield", "Cigna Health", "UnitedHealthcare", "Medicare", "Humana", "Unknown payer"]);
    for (const block of blocks) {
      const own = rows.filter((r) => r[3] === block);
      expect(own.map((r) => r[6])).toEqual(["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "All"]);
      const total = own.at(-1)!;
      const e = expected.order_follow_up![block]!;
      expect([Number(total[7]), Number(total[8]), Number(total[12])], block).toEqual([e.denominator, e.numerator, e.pending]);
      // Months add up to the total.
      expect(own.slice(0, 12).reduce((n, r) => n + Number(r[7]), 0)).toBe(e.denominator);
    }
  });
});
