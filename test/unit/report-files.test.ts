import { describe, expect, it } from "vitest";
import { parseFilters } from "@/lib/filters";
import { csvStreamOf } from "@/lib/reports/csv";
import { reportFileName, type ResolvedReportRequest } from "@/lib/reports/open";
import { parseReportParameters } from "@/lib/reports/request";

// CSV file names and bytes (issue 13, items 16–19): a name states every filter and whether small
// cells are hidden, so that no two different files share one; an optional byte-order mark for
// Excel; the per-payer series of a trend.

const AS_OF = "2026-06-25";

function request(report: ResolvedReportRequest["report"], query: string, extra: Partial<ResolvedReportRequest> = {}): ResolvedReportRequest {
  const { filters } = parseFilters(Object.fromEntries(new URLSearchParams(query)), AS_OF);
  return { report, filters, statuses: [], asOf: AS_OF, ...extra };
}

describe("reportFileName", () => {
  it("names a measure summary by measure, grouping, window, period and as-of date", () => {
    expect(reportFileName(request("measure-summary", "from=2025-01-01&to=2025-12-31"))).toBe(
      "measure-summary_order_follow_up_by-payer_window-90_2025-01-01_2025-12-31_as-of-2026-06-25.csv",
    );
  });

  it("leaves the window out of a measure it does not change", () => {
    expect(reportFileName(request("measure-summary", "from=2025-01-01&to=2025-12-31&measure=post_fracture&window=30&groupBy=product_line"))).toBe(
      "measure-summary_post_fracture_by-product-line_2025-01-01_2025-12-31_as-of-2026-06-25.csv",
    );
  });

  it("names the grouping by ordering clinician like the others, with the window of its measure", () => {
    expect(reportFileName(request("measure-summary", "from=2025-01-01&to=2025-12-31&groupBy=ordering_npi&suppress=1"))).toBe(
      "measure-summary_order_follow_up_by-ordering-npi_window-90_2025-01-01_2025-12-31_as-of-2026-06-25_for-sharing-small-cells-hidden.csv",
    );
    expect(reportFileName(request("measure-summary", "from=2025-01-01&to=2025-12-31&groupBy=ordering_npi&measure=order_capture&window=30"))).toBe(
      "measure-summary_order_capture_by-ordering-npi_2025-01-01_2025-12-31_as-of-2026-06-25.csv",
    );
  });

  it("states payer, plan and product line filters (item 17)", () => {
    expect(reportFileName(request("measure-summary", "from=2025-01-01&to=2025-12-31&groupBy=month&payer=aetna&plan=AET-PPO&productLine=commercial,medicaid&window=60"))).toBe(
      "measure-summary_order_follow_up_by-month_payer-aetna_plan-AET-PPO_product-line-commercial+medicaid_window-60_2025-01-01_2025-12-31_as-of-2026-06-25.csv",
    );
  });

  it("counts long lists and keeps a plan id with odd characters to letters, digits, dot and dash", () => {
    expect(reportFileName(request("measure-summary", "from=2025-01-01&to=2025-12-31&payer=aetna,bcbs,cigna,uhc&plan=A B/C"))).toBe(
      "measure-summary_order_follow_up_by-payer_payer-4-payers_plan-A-B-C_window-90_2025-01-01_2025-12-31_as-of-2026-06-25.csv",
    );
  });

  it("marks a file whose small cells are hidden, whoever asked (item 16)", () => {
    const shared = request("measure-summary", "from=2025-01-01&to=2025-12-31&suppress=1");
    expect(reportFileName(shared)).toBe("measure-summary_order_follow_up_by-payer_window-90_2025-01-01_2025-12-31_as-of-2026-06-25_for-sharing-small-cells-hidden.csv");
    // A payer-relations viewer's file is suppressed without suppress=1: the caller says so.
    const internal = request("measure-summary", "from=2025-01-01&to=2025-12-31");
    expect(reportFileName(internal, { suppressed: true })).toBe(reportFileName(shared));
    expect(reportFileName(internal, { suppressed: false })).not.toBe(reportFileName(shared));
  });

  it("names the per-payer series of a trend apart from the monthly summary (item 18)", () => {
    expect(reportFileName(request("measure-summary", "from=2025-01-01&to=2025-12-31&groupBy=month", { series: "payer" }))).toBe(
      "measure-summary_order_follow_up_by-month-and-payer_window-90_2025-01-01_2025-12-31_as-of-2026-06-25.csv",
    );
  });

  it("names open orders apart from all orders, and states the worklist's narrowing (item 16)", () => {
    const base = "from=2025-01-01&to=2025-12-31";
    expect(reportFileName(request("orders", base))).toBe("orders_window-90_2025-01-01_2025-12-31_as-of-2026-06-25.csv");
    expect(reportFileName(request("orders", base, { statuses: ["in_window", "overdue"] }))).toBe("orders_open_window-90_2025-01-01_2025-12-31_as-of-2026-06-25.csv");
    expect(reportFileName(request("orders", base, { statuses: ["completed"] }))).toBe("orders_completed_window-90_2025-01-01_2025-12-31_as-of-2026-06-25.csv");
    expect(reportFileName(request("orders", `${base}&payer=aetna`, { statuses: ["overdue", "in_window"], worklist: { ageBuckets: ["over_180"], orderingNpi: "1234567893", member: "M0001" } }))).toBe(
      "orders_open_payer-aetna_window-90_age-over-180_npi-1234567893_member-M0001_2025-01-01_2025-12-31_as-of-2026-06-25.csv",
    );
    expect(reportFileName(request("reconciliation", base))).toBe("reconciliation_2025-01-01_2025-12-31_as-of-2026-06-25.csv");
  });
});

describe("report parameters", () => {
  const parse = (report: "measure-summary" | "orders" | "reconciliation", query: string) => parseReportParameters(report, new URLSearchParams(query));

  it("takes bom=1 on every report and refuses another value (item 19)", () => {
    expect(parse("orders", "bom=1").bom).toBe(true);
    expect(parse("reconciliation", "bom=0").bom).toBe(false);
    expect(parse("measure-summary", "bom=yes").invalid.map((p) => p.name)).toEqual(["bom"]);
  });

  it("takes series=payer only with groupBy=month (item 18)", () => {
    expect(parse("measure-summary", "groupBy=month&series=payer")).toMatchObject({ series: "payer", invalid: [] });
    expect(parse("measure-summary", "groupBy=payer&series=payer").invalid).toEqual([{ name: "series", value: "payer", allowed: "payer, with groupBy=month (a trend's lines)" }]);
    expect(parse("measure-summary", "groupBy=month&series=plan").invalid.map((p) => p.name)).toEqual(["series"]);
    expect(parse("orders", "series=payer").invalid.map((p) => p.name)).toEqual(["series"]);
  });

  it("narrows orders.csv as the worklist does, and refuses a bad value (item 23)", () => {
    expect(parse("orders", "status=overdue&age=91-180&npi=1234567893&member=M00")).toMatchObject({
      statuses: ["overdue"],
      worklist: { ageBuckets: ["91-180"], orderingNpi: "1234567893", member: "M00" },
      invalid: [],
    });
    expect(parse("orders", "age=old&npi=1").invalid.map((p) => p.name)).toEqual(["age", "npi"]);
    expect(parse("reconciliation", "age=0-30").invalid.map((p) => p.name)).toEqual(["age"]);
  });
});

describe("csvStreamOf", () => {
  const read = async (stream: ReadableStream<Uint8Array>) => Buffer.from(await new Response(stream).arrayBuffer());
  it("starts with the UTF-8 byte-order mark when asked, the header right after it (item 19)", async () => {
    const bytes = await read(csvStreamOf(["payer", "denominator"], [["Aetna", "≥11"]], { bom: true }));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString("utf8")).toBe("payer,denominator\r\nAetna,≥11\r\n");
  });
  it("starts with the header otherwise", async () => {
    expect((await read(csvStreamOf(["payer"], [["Aetna"]]))).toString("utf8")).toBe("payer\r\nAetna\r\n");
  });
});
