import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/db/client";
import type { Viewer } from "@/lib/access";
import { addDays } from "@/lib/dates";
import { getDataAsOf } from "@/lib/derive";
import { parseFilters, toMeasureQuery } from "@/lib/filters";
import { importFolder } from "@/lib/import";
import { CLAIMS_MEASURE_KEYS, getMeasure, GROUP_BYS, groupByApplies, MEASURE_KEYS, type GroupBy, type MeasureQuery, type ReportableRow } from "@/lib/measures";
import { countOrders, MemberLevelAccessError, type OrderQuery } from "@/lib/orders";
import { testAuth, userWithToken } from "../support/auth";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { measure, QUALITY_OFFICER, viewerAs } from "../support/viewers";

// The CSV reports of SPEC section 7 through their route handlers, over the public deck on each
// engine: every row of measure-summary.csv is getMeasure's (the function the pages render), the
// deck's expected figures come out, orders.csv agrees order by order with the derived facts,
// reconciliation.csv with the findings worked out here from the derived tables, text cells are
// neutralised and round-trip, and bad parameters get a 400 that says what is wrong.

const current = vi.hoisted(() => ({ db: null as Database | null }));
vi.mock("@/db", () => ({
  getDatabase: async () => {
    if (!current.db) throw new Error("no test database");
    return current.db;
  },
  // The route handlers tell the web server of a lost database (db/index.ts); none here.
  noteDatabaseError: () => false,
  getReadDatabase: async () => {
    if (!current.db) throw new Error("no test database");
    return { db: current.db, source: { kind: "primary" } };
  },
}));

const { GET: measureSummaryGet, HEAD: measureSummaryHead } = await import("@/app/api/reports/measure-summary.csv/route");
const { GET: ordersGet } = await import("@/app/api/reports/orders.csv/route");
const { GET: reconciliationGet } = await import("@/app/api/reports/reconciliation.csv/route");

const DECK = path.resolve(import.meta.dirname, "../fixtures/public-deck");
type Counts = { denominator: number; numerator: number; pending: number };
type DeckCase = {
  as_of: string;
  params: { from: string; to: string; window: 30 | 60 | 90 | 180; asOf?: string };
  expected: Record<string, Record<string, Counts>>;
};
const deckCases = JSON.parse(readFileSync(path.join(DECK, "expected.json"), "utf8")) as DeckCase[];

const MEASURE_SUMMARY_HEADER =
  "measure,period_start,period_end,payer,plan,product_line,month,denominator,numerator,rate,ci_low,ci_high,pending,window_days,as_of,flags".split(",");
const ORDERS_HEADER =
  "order_id,source,member_id,order_date,payer,plan,product_line,ordering_npi,status,study_date,days_to_scan,result_documented,captured".split(",");
const RECONCILIATION_HEADER = "finding,member_id,date,payer,plan,detail".split(",");

const GOLD_PLAN = '=HYPERLINK("http://evil.example","Aetna Gold")';
const SELECT_PLAN = 'Blue "Select", PPO';
const FORMULA_START = /^[=+\-@\t\r]/;

type Report = "measure-summary" | "orders" | "reconciliation";
const HANDLERS: Record<Report, (request: Request) => Promise<Response>> = {
  "measure-summary": measureSummaryGet,
  orders: ordersGet,
  reconciliation: reconciliationGet,
};

function reportUrl(report: Report, params: Record<string, string>): string {
  return `http://127.0.0.1/api/reports/${report}.csv?${new URLSearchParams(params)}`;
}

/** The quality officer every download here is made as, with an API token (per engine). */
const signedInAs = vi.hoisted(() => ({ user: null as { headers: { authorization: string } } | null }));

/** A request to a report URL signed in as the test's quality officer. */
function signedIn(url: string, init: RequestInit = {}): Request {
  return new Request(url, { ...init, headers: { ...signedInAs.user!.headers, ...(init.headers as Record<string, string> | undefined) } });
}

type Download = { response: Response; header: string[]; rows: string[][]; text: string };

async function download(report: Report, params: Record<string, string>): Promise<Download> {
  const response = await HANDLERS[report](signedIn(reportUrl(report, params)));
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  const [header, ...rows] = parse(text, { relax_column_count: false }) as string[][];
  return { response, header: header ?? [], rows, text };
}

const neutralised = (text: string) => (FORMULA_START.test(text) ? `'${text}` : text);
const countText = (n: number | null, v: "shown" | "small" | "complementary") => (v === "small" ? "<11" : v === "complementary" ? "≥11" : String(n));
const decimal = (x: number | null) => (x === null ? "" : x.toFixed(4));
const WINDOW_DAYS = (q: MeasureQuery): string =>
  ({ order_follow_up: String(q.window), result_documented: String(q.window), order_capture: "14", post_fracture: "180", screening_ordering: "", cms249_dxa_overuse: "" })[q.measure];

/** The dimension cells SPEC section 7 asks for: the grouped dimension named (for plan, its
 *  payer too), the others All; what no plan could be attributed to under Unknown payer. */
// The deck's names, written out here (not read from the warehouse), for the file's labels.
const PAYER_NAMES: Record<string, string> = { aetna: "Aetna", bcbs: "Blue Cross Blue Shield", cigna: "Cigna Health", uhc: "UnitedHealthcare", medicare: "Medicare", unknown: "Unknown payer" };
const PLAN_NAMES: Record<string, string> = { "AET-GOLD": GOLD_PLAN, "BCBS-SEL": SELECT_PLAN };

/** SPEC section 7: a dimension not grouped on reads `All` when it is not filtered, and the
 *  filter's values (names, joined by `;`) when it is — payer, plan, product line, month. */
function coveredBy(params: Record<string, string>): string[] {
  const list = (name: string) => (params[name] ? params[name]!.split(",") : []);
  const label = (values: string[]) => (values.length ? neutralised(values.join(";")) : "All");
  return [label(list("payer").map((k) => PAYER_NAMES[k]!)), label(list("plan").map((id) => PLAN_NAMES[id]!)), label(list("productLine")), "All"];
}

function expectedDimensions(row: ReportableRow, groupBy: GroupBy, covered: string[]): string[] {
  const [payer, plan, productLine] = covered;
  switch (groupBy) {
    case "payer":
      return [row.payerName!, plan!, productLine!, "All"];
    case "plan":
      return [row.payerName!, row.unattributed ? "Unknown" : neutralised(row.planName!), productLine!, "All"];
    case "product_line":
      return [row.unattributed ? "Unknown payer" : payer!, plan!, row.unattributed ? "Unknown" : row.productLine!, "All"];
    case "month":
      return [payer!, plan!, productLine!, row.month!];
    case "ordering_npi":
      return [payer!, plan!, productLine!, "All"];
  }
}

function expectedRecord(q: MeasureQuery, row: ReportableRow, dimensions: string[]): string[] {
  const v = row.visibility;
  return [
    q.measure,
    q.from,
    q.to,
    ...dimensions,
    countText(row.denominator, v.denominator),
    countText(row.numerator, v.numerator),
    decimal(row.rate),
    decimal(row.ciLow),
    decimal(row.ciHigh),
    countText(row.pending, v.pending),
    WINDOW_DAYS(q),
    q.asOf,
    row.flags.join(";"),
    // By ordering NPI, its own last column: the NPI, "No NPI recorded", All on the total.
    ...(q.groupBy === "ordering_npi" ? [row.orderingNpi === undefined ? "All" : (row.orderingNpi ?? "No NPI recorded")] : []),
  ];
}

const PERIOD_2025 = { from: "2025-01-01", to: "2025-12-31" };
// The filter combinations compared row by row with getMeasure.
type Params = Record<string, string>;
const SUMMARY_CASES: Params[] = [
  ...MEASURE_KEYS.flatMap((measure) =>
    GROUP_BYS.filter((groupBy) => groupByApplies(measure, groupBy)).flatMap((groupBy): Params[] => [
      { measure, groupBy, ...PERIOD_2025 },
      { measure, groupBy, ...PERIOD_2025, suppress: "1" },
    ]),
  ),
  { measure: "order_follow_up", groupBy: "payer", ...PERIOD_2025, window: "30" },
  { measure: "order_follow_up", groupBy: "month", ...PERIOD_2025, window: "180" },
  { measure: "result_documented", groupBy: "plan", ...PERIOD_2025, window: "30", suppress: "1" },
  { measure: "order_follow_up", groupBy: "product_line", from: "2024-01-01", to: "2026-06-25", window: "180" },
  ...GROUP_BYS.flatMap((groupBy): Params[] => [
    { measure: "order_follow_up", groupBy, asOf: "2026-01-31", from: "2025-07-01", to: "2025-12-31", window: "60" },
    { measure: "order_capture", groupBy, asOf: "2026-01-31", from: "2025-07-01", to: "2025-12-31", suppress: "1" },
  ]),
  { measure: "post_fracture", groupBy: "month", asOf: "2026-01-31", from: "2025-07-01", to: "2025-12-31" },
  { measure: "order_follow_up", groupBy: "plan", ...PERIOD_2025, payer: "aetna,bcbs" },
  { measure: "order_follow_up", groupBy: "month", ...PERIOD_2025, payer: "aetna", suppress: "1" },
  { measure: "order_follow_up", groupBy: "payer", ...PERIOD_2025, payer: "unknown" },
  { measure: "order_capture", groupBy: "payer", ...PERIOD_2025, productLine: "commercial" },
  { measure: "result_documented", groupBy: "plan", ...PERIOD_2025, plan: "AET-GOLD,BCBS-SEL" },
  { measure: "screening_ordering", groupBy: "product_line", ...PERIOD_2025, payer: "uhc,medicare", suppress: "1" },
  // No period: the default one (the 12 months ending with the last complete month).
  { groupBy: "payer" },
];

describe.each(ENGINES)("CSV reports on %s", (engine) => {
  let db: TestDatabase;
  let dataAsOf: string;

  beforeAll(async () => {
    db = await freshDatabase(engine);
    const result = await importFolder(db, path.join(DECK, "data"), { importedBy: "test" });
    expect(result.problems).toEqual([]);
    current.db = db;
    signedInAs.user = await userWithToken(db, testAuth(db), "quality_officer");
    dataAsOf = (await getDataAsOf(db))!;
    expect(dataAsOf).toBe("2026-06-25");
  });
  afterAll(async () => {
    current.db = null;
    await db?.dispose();
  });

  /** What the page computes for the same query string: lib/filters.ts, then getMeasure. */
  async function onScreen(params: Record<string, string>) {
    const { filters, invalid } = parseFilters(params, dataAsOf);
    expect(invalid).toEqual([]);
    const query = toMeasureQuery(filters, filters.asOf ?? dataAsOf);
    return measure(db, QUALITY_OFFICER, query, { suppress: filters.suppress });
  }

  describe("measure-summary.csv", () => {
    it.each(SUMMARY_CASES.map((c) => [new URLSearchParams(c).toString(), c] as const))("?%s has getMeasure's every row, then the total", async (_name, params) => {
      const { header, rows, response } = await download("measure-summary", params);
      const result = await onScreen(params);
      const q = result.query;
      expect(header).toEqual(q.groupBy === "ordering_npi" ? [...MEASURE_SUMMARY_HEADER, "ordering_npi"] : MEASURE_SUMMARY_HEADER);
      const expected = [
        ...result.rows.map((row) => expectedRecord(q, row, expectedDimensions(row, q.groupBy, coveredBy(params)))),
        expectedRecord(q, result.total, coveredBy(params)),
      ];
      expect(rows).toEqual(expected);
      expect(rows.length).toBeGreaterThan(1);
      // The decimals are the engine's rates, to 4 places.
      [...result.rows, result.total].forEach((row, i) => {
        const cell = rows[i]![9]!;
        if (row.rate === null) expect(cell).toBe("");
        else expect(Math.abs(Number(cell) - row.rate)).toBeLessThanOrEqual(0.00005);
      });
      // The name states the question, its filters and whether small cells are hidden (the
      // exact names are pinned in test/unit/report-files.test.ts).
      const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "";
      expect(name.startsWith(`measure-summary_${q.measure}_by-${q.groupBy.replace("_", "-")}_`)).toBe(true);
      expect(name.includes(`_${q.from}_${q.to}_as-of-${q.asOf}`)).toBe(true);
      expect(name.endsWith("_for-sharing-small-cells-hidden.csv")).toBe(params.suppress === "1");
      // Suppression shows in the file as it does on screen.
      if (params.suppress === "1") {
        expect(result.suppressed).toBe(true);
        for (const row of rows) {
          if (row.slice(7, 9).includes("<11")) expect(row[9]).toBe("");
          if (row.slice(7, 9).includes("<11") || row[12] === "<11") expect(row[15]!.split(";")).toContain("suppressed");
        }
      } else {
        expect(rows.flat()).not.toContain("<11");
        expect(rows.flat()).not.toContain("≥11");
      }
    });

    it("suppresses small cells as <11, hides their rates, and marks the next-smallest cell ≥11", async () => {
      const { rows } = await download("measure-summary", { measure: "order_follow_up", groupBy: "payer", ...PERIOD_2025, suppress: "1" });
      const byPayer = Object.fromEntries(rows.map((r) => [r[3]!, r]));
      // Cigna 7/3, Humana 5/3: small counts, no rate.
      expect(byPayer["Cigna Health"]!.slice(7, 13)).toEqual(["<11", "<11", "", "", "", "0"]);
      expect(byPayer["Humana"]!.slice(7, 10)).toEqual(["<11", "<11", ""]);
      // Aetna 35/22: shown.
      expect(byPayer["Aetna"]!.slice(7, 10)).toEqual(["35", "22", "0.6286"]);
      expect(byPayer["All"]!.slice(7, 10)).toEqual(["104", "58", "0.5577"]);
      const cells = rows.flatMap((r) => r.slice(7, 9));
      expect(cells.some((c) => c === "<11")).toBe(true);
    });

    it.each(deckCases.map((c, i) => [i + 1, c] as const))("gives the public deck's expected figures by payer (parameter set %i)", async (_n, deckCase) => {
      // The deck has no FHIR data: CMS249 is not in its expected.json (fhir-evaluate-measure.test.ts has it).
      for (const measure of CLAIMS_MEASURE_KEYS) {
        const { from, to, window, asOf } = deckCase.params;
        const { rows } = await download("measure-summary", { measure, groupBy: "payer", from, to, window: String(window), ...(asOf ? { asOf } : {}) });
        const actual: Record<string, Counts> = {};
        for (const r of rows) {
          const counts = { denominator: Number(r[7]), numerator: Number(r[8]), pending: Number(r[12]) };
          if (r[3] !== "All" && counts.denominator + counts.numerator + counts.pending === 0) continue;
          actual[r[3]!] = counts;
        }
        expect(actual, measure).toEqual(deckCase.expected[measure]);
        expect(rows.every((r) => r[14] === deckCase.as_of)).toBe(true);
      }
    });

    it("writes order_follow_up by payer for 2025 at W = 90 as the deck expects: All 104/58/0", async () => {
      const { rows } = await download("measure-summary", { measure: "order_follow_up", groupBy: "payer", ...PERIOD_2025, window: "90" });
      const total = rows.at(-1)!;
      expect(total).toEqual([
        "order_follow_up",
        "2025-01-01",
        "2025-12-31",
        "All",
        "All",
        "All",
        "All",
        "104",
        "58",
        "0.5577",
        total[10],
        total[11],
        "0",
        "90",
        "2026-06-25",
        "",
      ]);
      const unknown = rows.find((r) => r[3] === "Unknown payer")!;
      expect(unknown.slice(3, 9)).toEqual(["Unknown payer", "All", "All", "All", "11", "6"]);
      expect(unknown[15]).toBe("low_volume");
    });

    it("names the unattributed row Unknown payer, with plan or product line Unknown", async () => {
      const byPlan = await download("measure-summary", { measure: "order_follow_up", groupBy: "plan", ...PERIOD_2025 });
      expect(byPlan.rows.filter((r) => r[3] === "Unknown payer").map((r) => r.slice(3, 7))).toEqual([["Unknown payer", "Unknown", "All", "All"]]);
      const byLine = await download("measure-summary", { measure: "order_follow_up", groupBy: "product_line", ...PERIOD_2025 });
      expect(byLine.rows.map((r) => r.slice(3, 7))).toEqual([
        ["All", "All", "commercial", "All"],
        ["All", "All", "medicare_advantage", "All"],
        ["All", "All", "medicare_ffs", "All"],
        ["All", "All", "medicaid", "All"],
        ["All", "All", "other", "All"],
        ["Unknown payer", "All", "Unknown", "All"],
        ["All", "All", "All", "All"],
      ]);
    });

    it("answers HEAD with the headers and no rows", async () => {
      const response = await measureSummaryHead(signedIn(reportUrl("measure-summary", PERIOD_2025), { method: "HEAD" }));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-disposition")).toContain("measure-summary_order_follow_up_by-payer_window-90_2025-01-01_2025-12-31_as-of-2026-06-25.csv");
      expect(response.body).toBeNull();
    });
  });

  describe("text cells", () => {
    it("neutralise the plan whose name is a formula in every report that shows it, and round-trip commas and quotes", async () => {
      const downloads = {
        summary: await download("measure-summary", { measure: "order_follow_up", groupBy: "plan", ...PERIOD_2025 }),
        orders: await download("orders", { from: "2024-01-01", to: "2026-06-25" }),
        reconciliation: await download("reconciliation", { from: "2024-01-01", to: "2026-06-25" }),
      };
      for (const [name, d] of Object.entries(downloads)) {
        const cells = d.rows.flat();
        expect(cells, name).toContain(`'${GOLD_PLAN}`);
        expect(cells, name).not.toContain(GOLD_PLAN);
        expect(cells.filter((c) => FORMULA_START.test(c)), name).toEqual([]);
        expect(d.text.split("\r\n").some((line) => line.startsWith("=") || line.includes(",=")), name).toBe(false);
      }
      for (const d of [downloads.summary, downloads.orders]) expect(d.rows.flat()).toContain(SELECT_PLAN);
      expect(downloads.summary.text).toContain('"Blue ""Select"", PPO"');
    });
  });

  describe("orders.csv", () => {
    type FactRow = {
      order_id: string;
      source: string;
      member_id: string;
      order_date: string;
      status: string;
      ordering_npi: string | null;
      captured: boolean;
      plan_id: string | null;
      payer_name: string;
      plan_name: string | null;
      product_line: string | null;
      study_date: string | null;
      days_to_scan: number | null;
      result_documented: boolean;
      payer_key: string;
    };

    const ORDER_CASES: Record<string, string>[] = [
      { ...PERIOD_2025 },
      { ...PERIOD_2025, window: "30" },
      { from: "2024-01-01", to: "2026-06-25", window: "180" },
      { from: "2025-07-01", to: "2025-12-31", asOf: "2026-01-31", window: "60" },
      { ...PERIOD_2025, payer: "aetna,unknown" },
      { ...PERIOD_2025, productLine: "medicare_advantage", window: "60" },
      { from: "2024-01-01", to: "2026-06-25", status: "overdue,in_window" },
      {},
    ];

    it.each(ORDER_CASES.map((c) => [new URLSearchParams(c).toString(), c] as const))("?%s lists countOrders rows, each agreeing with order_facts", async (_name, params) => {
      const { header, rows, response } = await download("orders", params);
      const { filters } = parseFilters(params, dataAsOf);
      const asOf = filters.asOf ?? dataAsOf;
      const W = filters.window;
      const statuses = params.status ? params.status.split(",") : [];
      const query: OrderQuery = { asOf, from: filters.from, to: filters.to, window: W, payers: filters.payers, productLines: filters.productLines, statuses: statuses as OrderQuery["statuses"] };
      expect(header).toEqual(ORDERS_HEADER);
      expect(rows.length).toBe(await countOrders(db, QUALITY_OFFICER, query));
      const name = /filename="([^"]+)"/.exec(response.headers.get("content-disposition") ?? "")?.[1] ?? "";
      expect(name.startsWith("orders_")).toBe(true);
      expect(name.endsWith(`_window-${W}_${filters.from}_${filters.to}_as-of-${asOf}.csv`)).toBe(true);

      // D4 worked out here from the stored facts, for every order of the snapshot.
      const facts = await db.query<FactRow>(
        `SELECT o.*, o.source::text AS source, o.status::text AS status, o.product_line::text AS product_line,
           p.display_name AS payer_name, pl.plan_name
         FROM order_facts o JOIN payers p ON p.key = o.payer_key LEFT JOIN plans pl ON pl.plan_id = o.plan_id
         WHERE o.as_of = $1::date`,
        [asOf],
      );
      const expected = facts
        .map((f) => {
          const completed = f.status !== "cancelled" && f.days_to_scan !== null && f.days_to_scan <= W;
          const status =
            f.status === "cancelled" ? "cancelled" : completed ? "completed" : addDays(f.order_date, W) <= asOf ? "overdue" : "in_window";
          return { f, status, completed };
        })
        .filter(({ f, status }) => f.order_date >= filters.from && f.order_date <= filters.to)
        .filter(({ f }) => filters.payers.length === 0 || filters.payers.includes(f.payer_key))
        .filter(({ f }) => filters.productLines.length === 0 || filters.productLines.includes(f.product_line as never))
        .filter(({ status }) => statuses.length === 0 || statuses.includes(status));
      expect(rows.length).toBe(expected.length);
      expect(rows.length).toBeGreaterThan(0);
      const byId = new Map(expected.map((e) => [e.f.order_id, e]));
      for (const row of rows) {
        const e = byId.get(row[0]!);
        expect(e, row[0]).toBeDefined();
        const { f, status, completed } = e!;
        expect(row).toEqual([
          f.order_id,
          f.source,
          f.member_id,
          f.order_date,
          f.payer_name,
          f.plan_id === null ? "Unknown" : neutralised(f.plan_name!),
          f.product_line ?? "Unknown",
          f.ordering_npi ?? "",
          status,
          completed ? f.study_date! : "",
          completed ? String(f.days_to_scan) : "",
          String(completed && f.result_documented),
          String(f.captured),
        ]);
      }
      // Oldest first.
      const dates = rows.map((r) => r[3]!);
      expect(dates).toEqual([...dates].sort());
    });

    it("counts every status of the deck for 2025 at W = 90 as the measure does", async () => {
      const { rows } = await download("orders", PERIOD_2025);
      const tally = (s: string) => rows.filter((r) => r[8] === s).length;
      // order_follow_up 2025, W 90: 104 mature live orders, 58 completed, none pending.
      expect(tally("completed")).toBe(58);
      expect(tally("overdue")).toBe(104 - 58);
      expect(tally("in_window")).toBe(0);
      // result_documented: 28 of the 58.
      expect(rows.filter((r) => r[8] === "completed" && r[11] === "true").length).toBe(28);
      // order_capture: 40 captured of 75 live EHR orders.
      const liveEhr = rows.filter((r) => r[1] === "ehr" && r[8] !== "cancelled");
      expect(liveEhr.length).toBe(75);
      expect(liveEhr.filter((r) => r[12] === "true").length).toBe(40);
    });
  });

  describe("reconciliation.csv", () => {
    it("lists exactly the findings worked out from the snapshot's derived tables", async () => {
      const period = { from: "2024-01-01", to: "2026-06-25" };
      const { header, rows } = await download("reconciliation", period);
      expect(header).toEqual(RECONCILIATION_HEADER);
      const asOf = dataAsOf;
      const names = new Map((await db.query<{ key: string; name: string }>(`SELECT key, display_name AS name FROM payers`)).map((p) => [p.key, p.name]));
      const plans = new Map(
        (await db.query<{ plan_id: string; plan_name: string; payer_key: string }>(`SELECT plan_id, plan_name, payer_key FROM plans`)).map((p) => [p.plan_id, p]),
      );
      const planCell = (id: string | null) => (id === null ? "Unknown" : neutralised(plans.get(id)!.plan_name));
      const studies = await db.query<{ member_id: string; study_date: string; payer_key: string; plan_id: string | null; has_global: boolean; has_tc: boolean; has_professional: boolean }>(
        `SELECT * FROM dxa_studies WHERE as_of = $1::date`,
        [asOf],
      );
      const orders = await db.query<{ order_id: string; member_id: string; order_date: string; source: string; status: string; captured: boolean; payer_key: string; plan_id: string | null }>(
        `SELECT order_id, member_id, order_date, source::text AS source, status::text AS status, captured, payer_key, plan_id FROM order_facts WHERE as_of = $1::date`,
        [asOf],
      );
      const others = await db.query<{ member_id: string; service_date: string; plan_id: string; procedure_code: string; claim_id: string }>(
        `SELECT member_id, service_date, plan_id, procedure_code, claim_id FROM effective_lines WHERE as_of = $1::date`,
        [asOf],
      );
      const inPeriod = (d: string) => d >= period.from && d <= period.to;
      const expected: string[][] = [];
      for (const s of studies.filter((s) => inPeriod(s.study_date))) {
        const ordered = orders.some(
          (o) => o.member_id === s.member_id && o.status !== "cancelled" && o.order_date <= s.study_date && o.order_date >= addDays(s.study_date, -120),
        );
        if (!ordered) expected.push(["study_without_order", s.member_id, s.study_date, names.get(s.payer_key)!, planCell(s.plan_id)]);
      }
      for (const o of orders.filter((o) => inPeriod(o.order_date))) {
        if (o.source === "ehr" && o.status !== "cancelled" && !o.captured && addDays(o.order_date, 14) <= asOf) {
          expected.push(["order_not_captured", o.member_id, o.order_date, names.get(o.payer_key)!, planCell(o.plan_id)]);
        }
      }
      for (const s of studies.filter((s) => inPeriod(s.study_date))) {
        if (!s.has_global && s.has_tc !== s.has_professional) expected.push(["incomplete_split_bill", s.member_id, s.study_date, names.get(s.payer_key)!, planCell(s.plan_id)]);
      }
      for (const l of others.filter((l) => inPeriod(l.service_date) && ["77081", "77086", "77078", "76977", "G0130"].includes(l.procedure_code))) {
        expected.push(["other_bone_density_code", l.member_id, l.service_date, names.get(plans.get(l.plan_id)!.payer_key)!, planCell(l.plan_id)]);
      }
      const key = (r: string[]) => r.slice(0, 5).join("|");
      expect(rows.map(key).sort()).toEqual(expected.map(key).sort());
      for (const kind of ["study_without_order", "order_not_captured", "incomplete_split_bill", "other_bone_density_code"]) {
        expect(rows.some((r) => r[0] === kind), kind).toBe(true);
      }
      // Grouped by kind in SPEC order, each kind by date.
      const kinds = rows.map((r) => r[0]!);
      expect(kinds).toEqual([...kinds].sort((a, b) => FINDING_RANK[a]! - FINDING_RANK[b]!));
      for (const row of rows.filter((r) => r[0] === "other_bone_density_code")) expect(row[5]).toMatch(/^(77081|77086|77078|76977|G0130) .+: claim \S+ line \d+, (paid|denied|pending)$/);
      for (const row of rows.filter((r) => r[0] === "order_not_captured")) expect(row[5]).toMatch(/^EHR order \S+: no 3096F claim line dated \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d$/);
    });

    it("keeps to the period and the payer filter", async () => {
      const all = await download("reconciliation", PERIOD_2025);
      expect(all.rows.every((r) => r[2]! >= "2025-01-01" && r[2]! <= "2025-12-31")).toBe(true);
      const aetna = await download("reconciliation", { ...PERIOD_2025, payer: "aetna" });
      expect(aetna.rows.length).toBeGreaterThan(0);
      expect(aetna.rows.every((r) => r[3] === "Aetna")).toBe(true);
      expect(aetna.rows).toEqual(all.rows.filter((r) => r[3] === "Aetna"));
    });
  });

  describe("invalid parameters", () => {
    const CASES: [Report, Record<string, string>, string, string, RegExp][] = [
      ["measure-summary", { window: "45" }, "window", "45", /30, 60, 90, 180/],
      ["measure-summary", { groupBy: "payers" }, "groupBy", "payers", /payer, plan, product_line, month/],
      ["measure-summary", { measure: "follow_up" }, "measure", "follow_up", /order_follow_up/],
      ["measure-summary", { from: "2025-02-30" }, "from", "2025-02-30", /YYYY-MM-DD/],
      ["measure-summary", { from: "2025-12-31", to: "2025-01-01" }, "from", "2025-12-31", /on or before to/],
      ["measure-summary", { suppress: "yes" }, "suppress", "yes", /0 or 1/],
      ["measure-summary", { productLine: "retail" }, "productLine", "retail", /commercial/],
      ["measure-summary", { grupBy: "plan" }, "grupBy", "plan", /groupBy/],
      // Screening counts women and post-fracture episodes: no ordering clinician to group on.
      ["measure-summary", { measure: "screening_ordering", groupBy: "ordering_npi" }, "groupBy", "ordering_npi", /ordering_npi only with measure=order_follow_up/],
      ["measure-summary", { measure: "post_fracture", groupBy: "ordering_npi" }, "groupBy", "ordering_npi", /ordering_npi only with measure=order_follow_up/],
      ["orders", { asOf: "last week" }, "asOf", "last week", /YYYY-MM-DD/],
      ["orders", { status: "open" }, "status", "open", /overdue, in_window/],
      ["orders", { suppress: "1" }, "suppress", "1", /cannot be marked for external sharing/],
      ["reconciliation", { window: "7" }, "window", "7", /30, 60, 90, 180/],
      ["reconciliation", { suppress: "1" }, "suppress", "1", /cannot be marked for external sharing/],
    ];

    it.each(CASES)("%s.csv?%j answers 400 naming %s", async (report, params, name, value, allowed) => {
      const response = await HANDLERS[report](signedIn(reportUrl(report, params)));
      const text = await response.text();
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(response.headers.get("content-disposition")).toBeNull();
      const line = text.split("\n").find((l) => l.includes(`${name}=${JSON.stringify(value)}`));
      expect(line, text).toBeDefined();
      expect(line).toMatch(allowed);
    });

    it("names every invalid parameter at once", async () => {
      const response = await measureSummaryGet(signedIn(reportUrl("measure-summary", { window: "45", groupBy: "x", measure: "y" })));
      const text = await response.text();
      expect(response.status).toBe(400);
      expect(text.trim().split("\n")).toHaveLength(3);
    });
  });

  describe("member-level access", () => {
    const payerRelations: Viewer = viewerAs("payer_relations", ["aetna"]);

    it("refuses member-level reads to payer relations and gives them suppressed aggregates of their payers", async () => {
      const { serveReport } = await import("@/lib/reports");
      const deps = { getDatabase: async () => db as Database, authenticate: async () => ({ ok: true as const, viewer: payerRelations }) };
      for (const report of ["orders", "reconciliation"] as const) {
        const response = await serveReport(report, new Request(reportUrl(report, PERIOD_2025)), deps);
        expect(response.status).toBe(403);
        expect(await response.text()).toMatch(/member-level: not for the payer relations role/);
      }
      const summary = await serveReport("measure-summary", new Request(reportUrl("measure-summary", PERIOD_2025)), deps);
      expect(summary.status).toBe(200);
      const [, ...rows] = parse(await summary.text()) as string[][];
      // Aetna's row, the total over their assignment (Aetna), and the all-payer benchmark.
      expect(rows.map((r) => r[3])).toEqual(["Aetna", "Aetna", "All"]);
      // Suppression is always on for payer relations, asked for or not.
      const aetna = await measure(db, payerRelations, toMeasureQuery(parseFilters(PERIOD_2025, dataAsOf).filters, dataAsOf));
      expect(aetna.suppressed).toBe(true);
      await expect(countOrders(db, payerRelations, { asOf: dataAsOf, ...PERIOD_2025, window: 90 })).rejects.toBeInstanceOf(MemberLevelAccessError);
    });

    it("answers 409 on an empty warehouse and 503 when the warehouse cannot be opened, never 500", async () => {
      const { serveReport } = await import("@/lib/reports");
      const empty = await freshDatabase(engine);
      try {
        const response = await serveReport("orders", new Request(reportUrl("orders", {})), { getDatabase: async () => empty, authenticate: async () => ({ ok: true as const, viewer: QUALITY_OFFICER }) });
        expect(response.status).toBe(409);
        expect(await response.text()).toMatch(/no claims/);
      } finally {
        await empty.dispose();
      }
      const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
      const down = await serveReport("measure-summary", new Request(reportUrl("measure-summary", {})), {
        getDatabase: () => Promise.reject(new Error("connection refused")),
        authenticate: async () => ({ ok: true as const, viewer: QUALITY_OFFICER }),
      });
      quiet.mockRestore();
      expect(down.status).toBe(503);
      expect(down.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    });
  });
});

const FINDING_RANK: Record<string, number> = { study_without_order: 1, order_not_captured: 2, incomplete_split_bill: 3, other_bone_density_code: 4 };
