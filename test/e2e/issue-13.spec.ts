import { expect, test, type Page } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { GENERATED, storageStateOf } from "./servers";
import { waitForCharts } from "./ui-checks";

// One test per numbered finding of issue 13, each failing before its fix. Figures are the
// public deck's (test/fixtures/public-deck/expected.json) or worked out in the comments:
//   set 1 = 2025-01-01..2025-12-31, W 90, as of 2026-06-25: order_follow_up All 104/58 (pending
//     0), Aetna 35/22, Humana 5/3, Unknown payer 11/6; post_fracture All 12/5, Medicare 4/2.
//   set 2 = 2025-07-01..2025-12-31, W 60, as of 2026-01-31: order_follow_up All 44/24, pending 8.
const SET1 = "from=2025-01-01&to=2025-12-31";
const SET2 = "from=2025-07-01&to=2025-12-31&window=60&asOf=2026-01-31";

async function csvText(page: Page, url: string): Promise<{ name: string; text: string; bytes: Buffer }> {
  const response = await page.request.get(url);
  expect(response.status(), await response.text()).toBe(200);
  const bytes = await response.body();
  const name = /filename="([^"]+)"/.exec(response.headers()["content-disposition"] ?? "")?.[1] ?? "";
  return { name, text: bytes.toString("utf8").replace(/^\uFEFF/, ""), bytes };
}

const rowsOf = (text: string) => parse(text) as string[][];

test("1. a single provisional month is shaded as a column of its own, and its label is not cut", async ({ page }) => {
  // Medicare's 90th-percentile claims lag puts only the last month of the default period (to May
  // 2026) within it on 25 Jun 2026: the table marks it, and the chart shades it.
  await page.goto("/payers/medicare");
  await waitForCharts(page);
  const marked = await page.getByTestId("table-payer-trend").locator("tbody th", { hasText: "(provisional)" }).allTextContents();
  expect(marked).toEqual(["May 2026 (provisional)"]);
  const bands = page.getByTestId("chart-payer-trend").locator("[data-provisional-band]");
  await expect(bands).toHaveCount(1);
  await expect(bands.first()).toHaveAttribute("data-provisional-band", "2026-05");
  const box = (await bands.first().boundingBox())!;
  expect(box.width).toBeGreaterThan(20);
  // Its name is in the legend, under the chart, not a label cut at the chart's edge.
  await expect(page.getByTestId("chart-payer-trend-legend")).toContainText("Provisional: claims still arriving");
});

test("2. no axis label is cut at the edge of any chart (the top 100% included)", async ({ page }) => {
  await page.goto(`/?${SET1}`);
  await waitForCharts(page);
  const tops = await page.evaluate(() =>
    [...document.querySelectorAll("svg.recharts-surface")].flatMap((svg) => {
      const box = svg.getBoundingClientRect();
      return [...svg.querySelectorAll(".recharts-cartesian-axis-tick-value")]
        .filter((t) => t.textContent === "100%")
        .map((t) => {
          const r = t.getBoundingClientRect();
          return r.left >= box.left && r.top >= box.top && r.right <= box.right;
        });
    }),
  );
  expect(tops.length).toBeGreaterThanOrEqual(2); // the by-payer and the trend charts
  expect(tops.every(Boolean)).toBe(true);
});

test("3. a chart with nothing to draw says Data not available, even when its table lists months", async ({ page }) => {
  // Humana: 5 orders in 2025 (expected.json), so every month's rate rests on 1 to 10 and is
  // hidden with suppression on: no point to draw, twelve months in the table.
  await page.goto(`/?${SET1}&payer=humana&suppress=1`);
  await expect(page.getByTestId("chart-trend-empty")).toContainText("Data not available");
  await expect(page.getByTestId("table-trend").locator("tbody tr")).toHaveCount(12);
  // The issue's own case, on the generated data set: drawn, or said to be empty — never axes alone.
  await page.goto(`${GENERATED.url}/?payer=bcbs&plan=BCBS-MCD&measure=post_fracture`);
  await waitForCharts(page);
  const trend = page.getByTestId("chart-trend");
  const points = await trend.locator("svg circle[data-series]").count();
  const empty = await trend.getByTestId("chart-trend-empty").count();
  expect(points > 0 || empty === 1).toBe(true);
});

test("4. the all-payer reference stays every payer's rate under a plan filter", async ({ page }) => {
  // expected.json set 1: all payers 58 of 104 = 55.8% (follow-up), 5 of 12 = 41.7% (post-fracture).
  await page.goto(`/?${SET1}&plan=AET-PPO`);
  await expect(page.getByTestId("chart-rate-by-payer-legend")).toContainText("All payers 55.8%");
  await page.goto(`/fractures?${SET1}&plan=MCR-B`);
  await expect(page.getByTestId("chart-fracture-by-payer-legend")).toContainText("All payers 41.7%");
  // On the payer page, the all-payer column is the same with and without a plan filter.
  const allPayers = async (url: string) => {
    await page.goto(url);
    return page.getByTestId("table-payer-trend").locator("tbody tr td:nth-child(3)").allTextContents();
  };
  expect(await allPayers(`/payers/aetna?${SET1}&plan=AET-PPO`)).toEqual(await allPayers(`/payers/aetna?${SET1}`));
});

test("5. post-fracture follow-up speaks of its 180 days, and /fractures offers no follow-up window", async ({ page }) => {
  await page.goto(`/?${SET1}&measure=post_fracture`);
  const note = page.getByTestId("chart-trend").locator(".chart-note");
  await expect(note).toContainText("180-day window");
  await expect(note).not.toContainText("90-day");
  await page.goto(`/fractures?${SET1}`);
  await expect(page.getByLabel("Follow-up window")).toHaveCount(0);
  await expect(page.getByTestId("active-filters")).not.toContainText("-day window");
  await expect(page.locator("main")).not.toContainText("90-day window");
});

test("6. low-volume months are drawn hollow, intervals as bands, and the trend table gives each month's n", async ({ page }) => {
  // Medicare had 12 orders in 2025 (expected.json): every month rests on fewer than 20.
  await page.goto(`/payers/medicare?${SET1}`);
  await waitForCharts(page);
  const hollow = page.getByTestId("chart-payer-trend").locator('circle[data-series="medicare"][data-low-volume="true"]');
  expect(await hollow.count()).toBeGreaterThan(0);
  await expect(hollow.first()).toHaveAttribute("fill", "#ffffff");
  await expect(page.getByTestId("chart-payer-trend").locator(".ci-band path").first()).toBeAttached();
  await expect(page.getByTestId("chart-payer-trend-legend")).toContainText("Low volume (n under 20)");
  const cells = await page.getByTestId("table-payer-trend").locator("tbody td").allTextContents();
  expect(cells.filter((c) => c !== "Data not available").every((c) => /\(n=\d+\)$/.test(c))).toBe(true);
});

test("7. pending means one thing: the orders whose window is still open, split into scanned and not", async ({ page }) => {
  // Set 2: 8 orders of Jul–Dec 2025 still within their 60 days on 31 Jan 2026 (expected.json).
  await page.goto(`/?${SET2}`);
  await expect(page.getByTestId("headline-pending-order_follow_up")).toContainText("8 orders with their window still open");
  await expect(page.getByTestId("funnel-pending")).toHaveText("8");
  const explained = page.getByTestId("in-window-explained");
  await expect(explained).toContainText("8 orders of the period have their 60-day window still open");
  const notScanned = Number(await page.getByTestId("count-in-window").textContent());
  await expect(explained).toContainText(`${notScanned} not scanned yet, ${8 - notScanned} scanned already`);
  await expect(page.locator("main")).not.toContainText("Pending (within");
  // The worklist's in-window orders are the same not-scanned ones.
  await page.goto(`/orders?${SET2}&status=in_window`);
  await expect(page.getByTestId("worklist-total")).toHaveText(String(notScanned));
});

test("8. a plan filter is named by the plan's name, not its id", async ({ page }) => {
  await page.goto(`/?${SET1}&plan=AET-PPO`);
  await expect(page.getByTestId("active-filters")).toContainText("plan Aetna Choice POS II");
  await expect(page.getByTestId("active-filters")).not.toContainText("AET-PPO");
});

test("9. Unknown payer is in the trend and the completeness table, and its plan reads Unknown on screen and in the CSV", async ({ page }) => {
  await page.goto(`/?${SET1}`);
  await expect(page.getByTestId("table-trend").locator("thead th")).toContainText(["Month", "All payers", "Aetna", "Unknown payer"]);
  // 11 orders of 2025 without coverage on their date (expected.json: Unknown payer 11, pending 0).
  await page.goto(`/data?${SET1}`);
  await expect(page.getByTestId("payer-plans").locator('tr[data-payer="unknown"] td[data-label="Orders in the period"]')).toHaveText("11");
  await page.goto(`/orders?${SET1}&payer=unknown`);
  const plans = await page.getByTestId("table-worklist").locator('td[data-label="Plan"]').allInnerTexts();
  expect(plans.length).toBeGreaterThan(0);
  expect(new Set(plans)).toEqual(new Set(["Unknown"]));
  const { text } = await csvText(page, `/api/reports/orders.csv?${SET1}&payer=unknown&status=overdue,in_window`);
  expect(new Set(rowsOf(text).slice(1).map((r) => r[5]))).toEqual(new Set(["Unknown"]));
});

test("10. /fractures at 1440 px: the by-plan table has the full width, every column in view, names on one or two lines", async ({ page }) => {
  await page.goto(`/fractures?${SET1}`);
  const table = page.getByTestId("table-fracture-by-plan");
  const scroll = await table.evaluate((t) => ({ scroll: t.parentElement!.scrollWidth, client: t.parentElement!.clientWidth }));
  expect(scroll.scroll).toBeLessThanOrEqual(scroll.client);
  for (const heading of ["Pending", "Flags"]) {
    const box = (await table.getByRole("columnheader", { name: heading }).boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(1440);
  }
  const heights = await table.locator("tbody th").evaluateAll((cells) => cells.map((c) => c.getBoundingClientRect().height));
  expect(Math.max(...heights)).toBeLessThan(60);
});

test("11. dates are written one way everywhere, and each card says which period it is compared with", async ({ page }) => {
  await page.goto(`/?${SET1}`);
  const from = page.getByRole("textbox", { name: "From", exact: true });
  const to = page.getByRole("textbox", { name: "To", exact: true });
  await expect(from).toHaveValue("1 Jan 2025");
  await expect(to).toHaveValue("31 Dec 2025");
  await expect(page.getByTestId("active-filters")).toContainText("1 Jan 2025 – 31 Dec 2025");
  // A period of whole months is compared with the same number of whole months before it: all of 2024.
  await expect(page.getByTestId("headline-change-order_follow_up")).toContainText("vs 1 Jan 2024 – 31 Dec 2024");
  await from.fill("1 Mar 2025");
  await from.press("Enter");
  await expect(page).toHaveURL(/from=2025-03-01/);
  await expect(from).toHaveValue("1 Mar 2025");
  await to.fill("31/12/2025");
  await to.press("Enter");
  await expect(page.getByText("Write a date like 31 Dec 2025")).toBeVisible();
});

test("12. payers and plans are real links: bars, table rows and plan rows", async ({ page }) => {
  await page.goto(`/?${SET1}`);
  await waitForCharts(page);
  await expect(page.getByTestId("chart-rate-by-payer").locator('svg a[href^="/payers/aetna"]')).toHaveCount(1);
  await expect(page.getByTestId("table-rate-by-payer").locator('a[href^="/payers/humana"]')).toHaveCount(1);
  await page.getByTestId("chart-rate-by-payer").locator('svg a[href^="/payers/aetna"]').focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/payers\/aetna/);
  await expect(page.getByTestId("plan-link-AET-PPO")).toHaveAttribute("href", /\/payers\/aetna\?.*plan=AET-PPO/);
});

test("13. charts have names, no application role, quiet tooltips, and captioned tables", async ({ page }) => {
  await page.goto(`/?${SET1}`);
  await waitForCharts(page);
  await expect(page.locator('svg[role="application"]')).toHaveCount(0);
  const names = await page.locator("svg.recharts-surface").evaluateAll((svgs) => svgs.map((s) => [s.getAttribute("role"), s.getAttribute("aria-label")]));
  expect(names.length).toBe(4);
  for (const [role, name] of names) {
    expect(["img", "group"]).toContain(role);
    expect(name).toBeTruthy();
  }
  await page.getByTestId("chart-trend").locator("svg.recharts-surface").hover();
  await expect(page.locator(".chart-tooltip")).toBeVisible();
  // (Next.js's own route announcer, outside the page's content, is the only assertive region.)
  await expect(page.locator('main [aria-live="assertive"], main [role="status"] .chart-tooltip')).toHaveCount(0);
  await expect(page.locator(".recharts-tooltip-wrapper [aria-live], .recharts-tooltip-wrapper [role]")).toHaveCount(0);
  const uncaptioned = await page.locator("main table").evaluateAll((tables) => tables.filter((t) => !t.querySelector("caption")?.textContent?.trim()).length);
  expect(uncaptioned).toBe(0);
});

test("14. on a slow network a changed filter keeps its new value and the bar says it is updating", async ({ page }) => {
  await page.goto(`/?${SET1}`);
  await page.route("**/*", async (route) => {
    if (route.request().headers()["rsc"] === "1") await new Promise((r) => setTimeout(r, 2500));
    await route.continue();
  });
  await page.getByLabel("Follow-up window").selectOption("30");
  await expect(page.getByLabel("Follow-up window")).toHaveValue("30");
  await expect(page.getByTestId("filter-busy")).toHaveText("Updating…");
  await expect(page.getByTestId("filter-bar")).toHaveAttribute("aria-busy", "true");
  await expect(page).toHaveURL(/window=30/, { timeout: 15_000 });
  await expect(page.getByTestId("filter-busy")).toBeHidden({ timeout: 15_000 });
  await expect(page.getByLabel("Follow-up window")).toHaveValue("30");
});

test.describe("at 390 px", () => {
  test.use({ viewport: { width: 390, height: 844 } });
  test("15. a phone sees every column of the worklist and the episodes, the navigation wraps, the plan select fits", async ({ page }) => {
    await page.goto(`/orders?${SET1}`);
    const cells = page.getByTestId("table-worklist").locator("tbody tr").first().locator("th, td");
    await expect(cells).toHaveCount(8);
    for (const box of await cells.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect))) {
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.right).toBeLessThanOrEqual(390);
    }
    const nav = (await page.getByRole("navigation", { name: "Main" }).boundingBox())!;
    expect(nav.x + nav.width).toBeLessThanOrEqual(390);
    await page.goto(`/?${SET1}`);
    const plan = (await page.getByLabel("Plan").boundingBox())!;
    expect(plan.x + plan.width).toBeLessThanOrEqual(390);
    await page.goto(`/fractures?${SET1}`);
    const episode = page.getByTestId("table-open-episodes").locator("tbody tr").first().locator("th, td");
    for (const box of await episode.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as DOMRect))) expect(box.right).toBeLessThanOrEqual(390);
  });
});

test("16. files for sharing and open-orders-only files have names of their own", async ({ page }) => {
  await page.goto(`/reports?${SET1}`);
  const hrefs = await page.locator("a.download").evaluateAll((links) => links.map((a) => a.getAttribute("href")!));
  expect(hrefs.length).toBeGreaterThanOrEqual(12);
  const names = await Promise.all(hrefs.map(async (href) => (await csvText(page, href)).name));
  expect(new Set(names).size).toBe(names.length);
  const shared = names.filter((_, i) => hrefs[i]!.includes("suppress=1"));
  // By payer, plan, product line, month and ordering clinician (order follow-up is order-based).
  expect(shared.length).toBe(5);
  expect(shared.every((n) => n.endsWith("_for-sharing-small-cells-hidden.csv"))).toBe(true);
  expect(names.filter((n) => n.includes("for-sharing")).length).toBe(5);
  expect(names).toContain("orders_open_window-90_2025-01-01_2025-12-31_as-of-2026-06-25.csv");
  expect(names).toContain("orders_window-90_2025-01-01_2025-12-31_as-of-2026-06-25.csv");
});

test.describe("as payer relations", () => {
  test.use({ storageState: storageStateOf("payer_relations") });
  test("16. every file a payer-relations user gets is named as one for sharing", async ({ page }) => {
    const { name } = await csvText(page, `/api/reports/measure-summary.csv?${SET1}&groupBy=plan`);
    expect(name).toBe("measure-summary_order_follow_up_by-plan_window-90_2025-01-01_2025-12-31_as-of-2026-06-25_for-sharing-small-cells-hidden.csv");
  });
});

test("17. a CSV's rows and name state its filters", async ({ page }) => {
  const { name, text } = await csvText(page, `/api/reports/measure-summary.csv?${SET1}&groupBy=month&payer=aetna&plan=AET-PPO&productLine=commercial`);
  expect(name).toBe("measure-summary_order_follow_up_by-month_payer-aetna_plan-AET-PPO_product-line-commercial_window-90_2025-01-01_2025-12-31_as-of-2026-06-25.csv");
  const rows = rowsOf(text).slice(1);
  expect(rows).toHaveLength(13); // 12 months and the total
  expect(new Set(rows.map((r) => `${r[3]}|${r[4]}|${r[5]}`))).toEqual(new Set(["Aetna|Aetna Choice POS II|commercial"]));
});

test("18. the CSV under the monthly chart holds every line the chart draws", async ({ page }) => {
  await page.goto(`/?${SET1}`);
  const href = (await page.getByTestId("chart-trend-csv").getAttribute("href"))!;
  const { name, text } = await csvText(page, href);
  expect(name).toContain("_by-month-and-payer_");
  const rows = rowsOf(text).slice(1);
  // The all-payer line's rows read payer All; each payer line's rows its name.
  const series = [...new Set(rows.map((r) => (r[3] === "All" ? "All payers" : r[3])))];
  const drawn = await page.getByTestId("table-trend").locator("thead th[data-series]").allTextContents();
  expect(series).toEqual(drawn);
  // Each line's total is the by-payer figure (expected.json: Aetna 35/22, Unknown payer 11/6, all 104/58).
  const total = (payer: string) => rows.find((r) => r[3] === payer && r[6] === "All")!.slice(7, 9);
  expect(total("All")).toEqual(["104", "58"]);
  expect(total("Aetna")).toEqual(["35", "22"]);
  expect(total("Unknown payer")).toEqual(["11", "6"]);
  // And each month of a line is the month on screen.
  const aetnaOnScreen = await page.getByTestId("table-trend").locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll("td")[1]!.textContent));
  const aetnaInCsv = rows.filter((r) => r[3] === "Aetna" && r[6] !== "All").map((r) => (r[9] === "" ? "Data not available" : `${(Number(r[9]) * 100).toFixed(1)}% (n=${r[7]})`));
  expect(aetnaInCsv).toEqual(aetnaOnScreen);
});

test("19. downloads from the pages open in Excel: a UTF-8 byte-order mark before the header; scripts can leave it out", async ({ page }) => {
  await page.goto(`/?${SET1}&suppress=1`);
  const href = (await page.getByTestId("chart-rate-by-payer-csv").getAttribute("href"))!;
  const excel = await csvText(page, href);
  expect([...excel.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(excel.text.split("\r\n")[0]).toBe("measure,period_start,period_end,payer,plan,product_line,month,denominator,numerator,rate,ci_low,ci_high,pending,window_days,as_of,flags");
  expect(excel.text).toContain("<11");
  const plain = await csvText(page, href.replace("bom=1", "bom=0"));
  expect(plain.bytes.subarray(0, 7).toString("utf8")).toBe("measure");
  await page.goto(`/reports?${SET1}`);
  await expect(page.locator("main")).toContainText("UTF-8 byte-order mark");
});

test.describe("as a data steward", () => {
  test.use({ storageState: storageStateOf("data_steward") });

  test("22. an upload is checked first (a dry run): what would change, a sample, and nothing written until confirmed", async ({ page }) => {
    // M000001 is loaded (members.csv of the deck: born 1937-12-28, F); this file changes her birth date.
    await page.goto("/data");
    const members = async () => (await page.request.get("/api/reports/measure-summary.csv?measure=screening_ordering&from=2025-01-01&to=2025-12-31")).text();
    const before = await members();
    await page.getByTestId("upload-files").setInputFiles([{ name: "members.csv", mimeType: "text/csv", buffer: Buffer.from("member_id,birth_date,sex\nM000001,1937-12-29,F\nM000002,1969-12-25,F\n") }]);
    await page.getByRole("button", { name: "Check files…" }).click();
    const check = page.getByTestId("upload-confirm");
    await expect(check).toContainText("Nothing has been written yet");
    await expect(page.getByTestId("dry-run-changed")).toHaveText("1 row already loaded would change.");
    await expect(page.getByTestId("dry-run-files").locator("tbody tr").first().locator("td")).toHaveText(["2", "0", "1", "1"]);
    await expect(page.getByTestId("dry-run-changes-members.csv")).toContainText("line 2 (member_id M000001): birth_date 1937-12-28 → 1937-12-29");
    await expect(page.getByTestId("upload-confirm-button")).toHaveText("Import and change 1 row already loaded");
    await page.getByTestId("upload-cancel").click();
    await expect(check).toHaveCount(0);
    expect(await members()).toBe(before);
    // Checked again, the same row would still change: the dry run kept nothing.
    await page.getByRole("button", { name: "Check files…" }).click();
    await expect(page.getByTestId("dry-run-changed")).toHaveText("1 row already loaded would change.");
  });

  test("20, 21. a refused upload: problems without noise, every file named, attempts numbered without gaps", async ({ page }) => {
    const files = {
      files: [
        { name: "orders.csv", mimeType: "text/csv", buffer: Buffer.from("order_id,member_id,order_date\nZ1,M000001,2025-01-01,extra\n") },
        { name: "claims.csv", mimeType: "text/csv", buffer: Buffer.from("claim_id\n") },
      ],
    };
    await page.goto("/data");
    // On the page: checked first, refused, each problem without the empty column and value.
    await page.getByTestId("upload-files").setInputFiles(files.files);
    await page.getByRole("button", { name: "Check files…" }).click();
    const problems = page.getByTestId("upload-problems");
    await expect(problems).toContainText("orders.csv:2: row has 4 fields, the header has 3");
    await expect(problems).not.toContainText("-: :");
    await expect(page.getByTestId("upload-result")).toContainText("Not read: claims.csv");
    // The same files imported twice by a script: two refused attempts, numbered one after the other.
    const origin = new URL(page.url()).origin;
    const post = async () => {
      const form = new FormData();
      for (const f of files.files) form.append("files", new Blob([f.buffer], { type: f.mimeType }), f.name);
      const response = await page.request.post("/api/imports", { multipart: form, headers: { origin } });
      expect(response.status()).toBe(422);
      return (await response.json()) as { batchId: number };
    };
    const first = await post();
    const second = await post();
    expect(second.batchId).toBe(first.batchId + 1);
    await page.reload();
    const history = page.getByTestId("import-history");
    const latest = history.locator(`tr[data-import="${second.batchId}"]`);
    await expect(latest.getByTestId("import-files")).toContainText("claims.csv (not an import file name)");
    await expect(latest.getByTestId("import-files")).not.toContainText("0 rows");
    await expect(latest.locator('[data-label="Outcome"]')).toHaveText("rejected");
    await expect(latest.locator('[data-label="Rows"]')).toHaveText("none written");
    await expect(history.locator("tbody tr").first()).toHaveAttribute("data-import", String(second.batchId));
  });
});

test("23. the worklist sorts A to Z on a first click, and narrows by status, age, ordering NPI and member", async ({ page }) => {
  await page.goto(`/orders?${SET1}`);
  for (const [column, cell] of [
    ["member_id", "Member"],
    ["payer", "Payer"],
    ["plan", "Plan"],
  ] as const) {
    await page.getByTestId(`sort-${column}`).click();
    await expect(page).toHaveURL(new RegExp(`sort=${column}&dir=asc`));
    const values = await page.getByTestId("table-worklist").locator(`[data-label="${cell}"]`).allInnerTexts();
    expect(values.length).toBeGreaterThan(1);
    expect(values[0]! <= values[values.length - 1]!).toBe(true);
  }
  // 46 open orders in 2025 (104 − 58, expected.json), all overdue on 25 Jun 2026; by age they split.
  const count = async (query: string) => {
    await page.goto(`/orders?${SET1}&${query}`);
    return Number((await page.getByTestId("worklist-total").textContent())!.replace(",", ""));
  };
  expect(await count("status=overdue")).toBe(46);
  expect(await count("status=in_window")).toBe(0);
  let sum = 0;
  for (const age of ["0-30", "31-60", "61-90", "91-180", "over_180"]) sum += await count(`age=${age}`);
  expect(sum).toBe(46);
  await page.goto(`/orders?${SET1}&age=over_180`);
  const days = await page.getByTestId("table-worklist").locator('[data-label="Days open"]').allInnerTexts();
  expect(days.every((d) => Number(d.replace(",", "")) > 180)).toBe(true);
  // A member id leads to the member's record; an NPI to that clinician's orders.
  await page.goto(`/orders?${SET1}`);
  const memberLink = page.getByTestId("table-worklist").locator('th[data-label="Member"] a').first();
  const member = await memberLink.innerText();
  await memberLink.click();
  await expect(page).toHaveURL(new RegExp(`/members/${member}\\?`));
  await expect(page.getByRole("heading", { name: `Member ${member}`, level: 1 })).toBeVisible();
  await page.goto(`/orders?${SET1}`);
  await page.getByLabel("Member id starts with").fill("M0001");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/member=M0001/);
  const members = await page.getByTestId("table-worklist").locator('th[data-label="Member"]').allInnerTexts();
  expect(members.length).toBeGreaterThan(0);
  expect(members.every((m) => m.startsWith("M0001"))).toBe(true);
  const npiLink = page.getByTestId("table-worklist").locator('td[data-label="Ordering NPI"] a').first();
  const npi = await npiLink.innerText();
  await npiLink.click();
  await expect(page).toHaveURL(new RegExp(`npi=${npi}`));
  expect(new Set(await page.getByTestId("table-worklist").locator('td[data-label="Ordering NPI"]').allInnerTexts())).toEqual(new Set([npi]));
});

test("24. an unknown payer's page lists the payers that have one", async ({ page }) => {
  const response = await page.goto("/payers/nope");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  // The deck's payers (plans.csv), in the listed order, then Humana.
  await expect(page.getByTestId("valid-payers").getByRole("link")).toHaveText(["Aetna", "Blue Cross Blue Shield", "Cigna Health", "UnitedHealthcare", "Medicare", "Humana"]);
  await page.getByTestId("valid-payers").getByRole("link", { name: "Humana" }).click();
  await expect(page.getByRole("heading", { name: "Humana", level: 1 })).toBeVisible();
});

test("25. each measure's definition is one click from its number", async ({ page }) => {
  await page.goto(`/?${SET1}`);
  for (const [key, name] of [
    ["order_follow_up", "DXA order follow-up rate"],
    ["post_fracture", "Post-fracture DXA follow-up"],
  ] as const) {
    await page.goto(`/?${SET1}`);
    await page.getByTestId(`headline-${key}`).getByRole("link", { name: /Definition/ }).click();
    await expect(page).toHaveURL(new RegExp(`/help/measures#${key}$`));
    await expect(page.getByTestId(`help-${key}`).getByRole("heading", { name, level: 2 })).toBeVisible();
  }
  await expect(page.getByTestId("help-post_fracture")).toContainText("180 days");
});

test.describe("as payer relations, the subtitle", () => {
  test.use({ storageState: storageStateOf("payer_relations") });
  test("8. names the payers a payer-relations user sees, not 'all payers'", async ({ page }) => {
    await page.goto(`/?${SET1}`);
    await expect(page.getByTestId("active-filters")).toContainText("1 Jan 2025 – 31 Dec 2025 · Aetna ·");
    await expect(page.getByTestId("active-filters")).not.toContainText("all payers");
  });
});
