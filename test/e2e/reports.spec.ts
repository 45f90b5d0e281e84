import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test, type APIResponse } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { EMPTY } from "./servers";

// The CSV reports downloaded from the running server (the public deck, as of 2026-06-25), checked
// against the deck's expected figures (test/fixtures/public-deck/expected.json).

type Counts = { denominator: number; numerator: number; pending: number };
type DeckCase = { as_of: string; params: { from: string; to: string; window: number; asOf?: string }; expected: Record<string, Record<string, Counts>> };
const deck = JSON.parse(readFileSync(fileURLToPath(new URL("../fixtures/public-deck/expected.json", import.meta.url)), "utf8")) as DeckCase[];
const EMPTY_SERVER = EMPTY.url;

async function csvOf(response: APIResponse): Promise<{ header: string[]; rows: string[][] }> {
  expect(response.status(), await response.text()).toBe(200);
  expect(response.headers()["content-type"]).toBe("text/csv; charset=utf-8");
  const [header, ...rows] = parse(await response.text()) as string[][];
  return { header: header!, rows };
}

test("measure-summary.csv gives the deck's order follow-up by payer for 2025 at 90 days", async ({ request }) => {
  const response = await request.get("/api/reports/measure-summary.csv?measure=order_follow_up&groupBy=payer&from=2025-01-01&to=2025-12-31&window=90");
  expect(response.headers()["content-disposition"]).toBe(
    'attachment; filename="measure-summary_order_follow_up_by-payer_window-90_2025-01-01_2025-12-31_as-of-2026-06-25.csv"',
  );
  const { header, rows } = await csvOf(response);
  expect(header.join(",")).toBe(
    "measure,period_start,period_end,payer,plan,product_line,month,denominator,numerator,rate,ci_low,ci_high,pending,window_days,as_of,flags",
  );
  const byPayer = new Map(rows.map((r) => [r[3]!, r]));
  const total = rows.at(-1)!;
  expect(total.slice(3, 10)).toEqual(["All", "All", "All", "All", "104", "58", "0.5577"]);
  expect(total[12]).toBe("0");
  expect(byPayer.get("Aetna")!.slice(7, 10)).toEqual(["35", "22", "0.6286"]);
  expect(byPayer.get("Unknown payer")!.slice(7, 9)).toEqual(["11", "6"]);
  expect(byPayer.get("Humana")!.slice(7, 9)).toEqual(["5", "3"]);
  expect(rows.every((r) => r[13] === "90" && r[14] === "2026-06-25")).toBe(true);
});

test("measure-summary.csv gives every measure of the deck by payer for its three parameter sets", async ({ request }) => {
  for (const deckCase of deck) {
    for (const [measure, expected] of Object.entries(deckCase.expected)) {
      const { from, to, window, asOf } = deckCase.params;
      const query = new URLSearchParams({ measure, groupBy: "payer", from, to, window: String(window), ...(asOf ? { asOf } : {}) });
      const { rows } = await csvOf(await request.get(`/api/reports/measure-summary.csv?${query}`));
      const actual: Record<string, Counts> = {};
      for (const r of rows) {
        const counts = { denominator: Number(r[7]), numerator: Number(r[8]), pending: Number(r[12]) };
        if (r[3] !== "All" && counts.denominator + counts.numerator + counts.pending === 0) continue;
        actual[r[3]!] = counts;
      }
      expect(actual, `${measure} ${query}`).toEqual(expected);
    }
  }
});

test("measure-summary.csv by plan neutralises a formula, keeps quotes and commas, and suppresses on request", async ({ request }) => {
  const { rows } = await csvOf(await request.get("/api/reports/measure-summary.csv?groupBy=plan&from=2025-01-01&to=2025-12-31&suppress=1"));
  const plans = rows.map((r) => r[4]);
  expect(plans).toContain('\'=HYPERLINK("http://evil.example","Aetna Gold")');
  expect(plans).toContain('Blue "Select", PPO');
  expect(rows.flat().some((cell) => /^[=+\-@]/.test(cell))).toBe(false);
  const cigna = rows.find((r) => r[4] === "Cigna Open Access Plus")!;
  expect(cigna.slice(7, 10)).toEqual(["<11", "<11", ""]);
  expect(cigna[15]).toContain("suppressed");
  expect(rows.at(-1)!.slice(7, 9)).toEqual(["104", "58"]);
});

test("orders.csv lists the 2025 orders with the statuses behind the follow-up rate", async ({ request }) => {
  const response = await request.get("/api/reports/orders.csv?from=2025-01-01&to=2025-12-31&window=90");
  expect(response.headers()["content-disposition"]).toBe('attachment; filename="orders_window-90_2025-01-01_2025-12-31_as-of-2026-06-25.csv"');
  const { header, rows } = await csvOf(response);
  expect(header.join(",")).toBe("order_id,source,member_id,order_date,payer,plan,product_line,ordering_npi,status,study_date,days_to_scan,result_documented,captured");
  const status = (s: string) => rows.filter((r) => r[8] === s).length;
  expect(status("completed")).toBe(58);
  expect(status("overdue")).toBe(46);
  expect(status("in_window")).toBe(0);
  expect(rows.filter((r) => r[8] === "completed" && r[11] === "true").length).toBe(28);
  expect(rows.every((r) => r[3]! >= "2025-01-01" && r[3]! <= "2025-12-31")).toBe(true);
  expect(rows.map((r) => r[5])).toContain('\'=HYPERLINK("http://evil.example","Aetna Gold")');
});

test("reconciliation.csv lists the four kinds of finding", async ({ request }) => {
  const response = await request.get("/api/reports/reconciliation.csv?from=2024-01-01&to=2026-06-25");
  expect(response.headers()["content-disposition"]).toBe('attachment; filename="reconciliation_2024-01-01_2026-06-25_as-of-2026-06-25.csv"');
  const { header, rows } = await csvOf(response);
  expect(header.join(",")).toBe("finding,member_id,date,payer,plan,detail");
  expect([...new Set(rows.map((r) => r[0]))]).toEqual(["study_without_order", "order_not_captured", "incomplete_split_bill", "other_bone_density_code"]);
});

test("an invalid parameter is a 400 that names it, never a 500 or half a file", async ({ request }) => {
  const response = await request.get("/api/reports/measure-summary.csv?window=45&groupBy=plan");
  expect(response.status()).toBe(400);
  expect(response.headers()["content-type"]).toBe("text/plain; charset=utf-8");
  expect(await response.text()).toBe('Invalid parameter window="45": allowed 30, 60, 90, 180.\n');
  const orders = await request.get("/api/reports/orders.csv?status=open");
  expect(orders.status()).toBe(400);
  expect(await orders.text()).toContain('status="open"');
});

test("an empty warehouse answers 409, not an empty or broken file", async ({ request }) => {
  const response = await request.get(`${EMPTY_SERVER}/api/reports/orders.csv`);
  expect(response.status()).toBe(409);
  expect(await response.text()).toContain("no claims");
});
