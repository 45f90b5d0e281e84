import { expect, test, type Page } from "@playwright/test";
import { EMPTY, storageStateOf } from "./servers";

// The e2e server on port 3100 holds the public deck (test/fixtures/public-deck). Its
// expected.json, computed independently from the SPEC, gives the figures checked here:
// parameter set 1 is 2025-01-01..2025-12-31, window 90, as of 2026-06-25.
const SET1 = "from=2025-01-01&to=2025-12-31";

function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/** The cells of a table row found by its data-group (payer key, plan id, "total"). */
async function rowCells(page: Page, table: string, group: string): Promise<string[]> {
  return page.getByTestId(table).locator(`tr[data-group="${group}"] td`).allTextContents();
}

test("overview: headline rates, charts drawn, the by-payer table equals the measure engine", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(`/?${SET1}`);
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
  await expect(page.getByTestId("headline-rate-order_follow_up")).toHaveText("55.8%"); // 58 / 104
  await expect(page.getByTestId("headline-rate-post_fracture")).toHaveText("41.7%"); // 5 / 12
  for (const chart of ["chart-rate-by-payer", "chart-funnel", "chart-trend", "chart-days-to-scan"]) {
    await expect(page.getByTestId(chart).locator(".recharts-wrapper > svg.recharts-surface")).toBeVisible();
  }
  // expected.json, order_follow_up: Aetna 35/22, Humana 5/3, Unknown payer 11/6, All 104/58.
  expect((await rowCells(page, "table-rate-by-payer", "aetna")).slice(0, 3)).toEqual(["35", "22", "62.9%"]);
  expect((await rowCells(page, "table-rate-by-payer", "humana")).slice(0, 2)).toEqual(["5", "3"]);
  expect((await rowCells(page, "table-rate-by-payer", "unknown")).slice(0, 2)).toEqual(["11", "6"]);
  expect((await rowCells(page, "table-rate-by-payer", "total")).slice(0, 2)).toEqual(["104", "58"]);
  await page.screenshot({ path: "test-results/screenshots/overview.png", fullPage: true });
  expect(errors).toEqual([]);
});

test("filters change through the controls, live in the URL and survive back and reload", async ({ page }) => {
  await page.goto(`/?${SET1}`);
  await page.getByLabel("Follow-up window").selectOption("30");
  await expect(page).toHaveURL(/window=30/);
  // Parameter set 3 is another period; here only W changes: fewer orders are completed within 30 days.
  await expect(page.getByTestId("table-rate-by-payer").locator('tr[data-group="total"] td').nth(1)).not.toHaveText("58");
  const at30 = await rowCells(page, "table-rate-by-payer", "total");
  await page.reload();
  expect(await rowCells(page, "table-rate-by-payer", "total")).toEqual(at30);
  await page.goBack();
  await expect(page).not.toHaveURL(/window=30/);
  await expect(page.getByTestId("table-rate-by-payer").locator('tr[data-group="total"] td').nth(1)).toHaveText("58");

  await page.getByLabel("Measure").selectOption("order_capture");
  await expect(page).toHaveURL(/measure=order_capture/);
  await expect.poll(async () => (await rowCells(page, "table-rate-by-payer", "total")).slice(0, 2)).toEqual(["75", "40"]); // expected.json
});

test("an invalid filter value falls back to its default with a visible notice", async ({ page }) => {
  await page.goto(`/?${SET1}&window=45&measure=nonsense`);
  await expect(page.getByTestId("filter-notices")).toContainText('"45" is not a valid window');
  await expect(page.getByTestId("filter-notices")).toContainText('"nonsense" is not a valid measure');
  await expect(page.getByTestId("headline-rate-order_follow_up")).toHaveText("55.8%");
});

test("drill-down: a payer bar opens the payer's page, and from there its worklist", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(`/?${SET1}`);
  await page.getByTestId("chart-rate-by-payer").locator(".recharts-bar-rectangle").first().click();
  await expect(page).toHaveURL(/\/payers\/aetna/);
  await expect(page.getByRole("heading", { name: "Aetna", level: 1 })).toBeVisible();
  // Aetna's plans side by side; the all-plans row equals the by-payer row (35 orders, 62.9%).
  const all = page.getByTestId("table-payer-plans").locator('tr[data-plan="total"] td[data-measure="order_follow_up"]');
  await expect(all).toContainText("62.9%");
  await expect(all).toContainText("n=35");
  await expect(page.getByTestId("chart-payer-trend").locator(".recharts-wrapper > svg.recharts-surface")).toBeVisible();
  await page.screenshot({ path: "test-results/screenshots/payer-aetna.png", fullPage: true });

  await page.getByTestId("payer-worklist-link").click();
  await expect(page).toHaveURL(/\/orders\?.*payer=aetna/);
  await expect(page.getByTestId("table-worklist")).toBeVisible();
  const payers = await page.getByTestId("table-worklist").locator("tbody tr td:nth-child(5)").allInnerTexts();
  expect(payers.length).toBeGreaterThan(0);
  expect(new Set(payers)).toEqual(new Set(["Aetna"]));
  await page.screenshot({ path: "test-results/screenshots/orders-aetna.png", fullPage: true });
  expect(errors).toEqual([]);
});

test("the worklist sorts and pages on the server", async ({ page }) => {
  await page.goto(`/orders?${SET1}`);
  // Overdue + in-window orders of the period: denominator − numerator of order_follow_up (104 − 58).
  await expect(page.getByTestId("worklist-total")).toHaveText("46");
  // A first click sorts a date oldest first (issue 13, item 23); a second click reverses it.
  await page.getByRole("link", { name: /^Order date/ }).click();
  await expect(page).toHaveURL(/sort=order_date&dir=asc/);
  const dates = await page.getByTestId("table-worklist").locator("tbody tr td:nth-child(2)").allInnerTexts();
  const parsed = dates.map((d) => Date.parse(d));
  expect(parsed).toEqual([...parsed].sort((a, b) => a - b));
  await page.getByRole("link", { name: /^Order date/ }).click();
  await expect(page).toHaveURL(/sort=order_date&dir=desc/);
  const reversed = (await page.getByTestId("table-worklist").locator("tbody tr td:nth-child(2)").allInnerTexts()).map((d) => Date.parse(d));
  expect(reversed).toEqual([...reversed].sort((a, b) => b - a));
});

test("an unknown payer key is a 404 page", async ({ page }) => {
  const response = await page.goto("/payers/no-such-payer");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("every page opens without console errors", async ({ page }) => {
  const errors = watchConsole(page);
  for (const [path, name, heading] of [
    ["/fractures", "fractures", "Post-fracture DXA follow-up"],
    ["/data", "data", "Data"],
    ["/reports", "reports", "Reports"],
    ["/orders", "orders", "Open orders"],
  ] as const) {
    await page.goto(`${path}?${SET1}`);
    await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
    await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
  }
  // Post-fracture by payer, expected.json set 1: Medicare 4/2, All 12/5.
  await page.goto(`/fractures?${SET1}`);
  expect((await rowCells(page, "table-fracture-by-payer", "medicare")).slice(0, 2)).toEqual(["4", "2"]);
  expect((await rowCells(page, "table-fracture-by-payer", "total")).slice(0, 2)).toEqual(["12", "5"]);
  expect(errors).toEqual([]);
});

test("an empty warehouse shows guidance on every page, not errors", async ({ page }) => {
  const errors = watchConsole(page);
  for (const path of ["/", "/orders", "/fractures", "/reports"]) {
    await page.goto(`${EMPTY.url}${path}`);
    await expect(page.getByTestId("empty-warehouse")).toBeVisible();
  }
  expect(errors).toEqual([]);
});

test.describe("as a data steward", () => {
  test.use({ storageState: storageStateOf("data_steward") });
  test("an empty warehouse's data page offers the upload", async ({ page }) => {
    await page.goto(`${EMPTY.url}/data`);
    await expect(page.getByTestId("upload-form")).toBeVisible();
  });
});

test("the by-payer download holds exactly the numbers of the table on the page", async ({ page }) => {
  await page.goto(`/?${SET1}`);
  const downloadPromise = page.waitForEvent("download");
  await page.getByTestId("chart-rate-by-payer-csv").click();
  const download = await downloadPromise;
  expect(download.suggestedFilename()).toMatch(/^measure-summary_order_follow_up.*2025-01-01_2025-12-31.*2026-06-25.*\.csv$/);
  const text = await (await download.createReadStream()).toArray().then((chunks) => Buffer.concat(chunks).toString("utf8"));
  // A download from a page starts with a byte-order mark, for Excel (issue 13, item 19).
  expect(text.startsWith("\uFEFF")).toBe(true);
  const lines = text.slice(1).trim().split(/\r?\n/);
  expect(lines[0]).toBe("measure,period_start,period_end,payer,plan,product_line,month,denominator,numerator,rate,ci_low,ci_high,pending,window_days,as_of,flags");
  const csvRows = new Map(lines.slice(1).map((l) => l.split(",")).map((cells) => [cells[3], cells]));
  for (const [group, payer] of [["aetna", "Aetna"], ["humana", "Humana"], ["unknown", "Unknown payer"], ["total", "All"]] as const) {
    const cells = await rowCells(page, "table-rate-by-payer", group);
    const csv = csvRows.get(payer)!;
    expect([csv[7], csv[8], csv[12]], payer).toEqual([cells[0], cells[1], cells[4]]);
    // The page shows the rate to one decimal in percent; the CSV to four decimals.
    expect(`${(Number(csv[9]) * 100).toFixed(1)}%`).toBe(cells[2]);
  }
});

test("with suppression on, every small count on the overview reads <11 and hidden rates are not shown", async ({ page }) => {
  await page.goto(`/?${SET1}&suppress=1`);
  // Humana: 5 orders, 3 completed (expected.json) → both small, rate hidden.
  await expect.poll(() => rowCells(page, "table-rate-by-payer", "humana")).toEqual(["<11", "<11", "Hidden (small numbers)", "—", "0", "low volume, suppressed"]);
  // Aging of the deck's open orders: one is 91–180 days old.
  await expect(page.getByTestId("table-aging")).toContainText("<11");
  // The all-payer total stays (104 orders, 58 completed).
  expect((await rowCells(page, "table-rate-by-payer", "total")).slice(0, 2)).toEqual(["104", "58"]);
});
