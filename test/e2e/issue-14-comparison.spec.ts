import { readFileSync } from "node:fs";
import { expect, request as playwrightRequest, test, type Page } from "@playwright/test";
import { MEASURE_NAMES } from "@/lib/format";
import { MEASURE_KEYS } from "@/lib/measures/types";
import { GENERATED, LOADED, storageStateOf } from "./servers";
import { expectNoSeriousAxeViolations, expectNoSidewaysScroll } from "./ui-checks";

// Fair comparison, control charts, the payer scorecard, period presets and picture downloads
// (issue 14), in Chromium on the public deck (as of 26 Jun 2026 is its data's 2026-06-25).
// Figures from test/fixtures/public-deck/expected.json, parameter set 1 (2025, window 90):
// order follow-up 58 of 104 for all payers, Aetna 22 of 35. Aetna (22 of 35, 62.9%) against
// 58/104 = 55.8%: the binomial mean is 35 × 0.558 = 19.5 with sd √(35 × 0.558 × 0.442) = 2.94,
// so 22 is less than a standard deviation above it: within the funnel.

const SET1 = "from=2025-01-01&to=2025-12-31";
const SHOTS = "test-results/screenshots";

function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}

/** Pages of a PDF Chromium wrote: its page objects (`/Type /Page`, not `/Pages`), checked
 *  against the page tree's `/Count`. */
function pdfPages(pdf: Buffer): number {
  const text = pdf.toString("latin1");
  const pages = (text.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? []).length;
  const count = /\/Type\s*\/Pages[^>]*?\/Count\s+(\d+)/s.exec(text) ?? /\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages/s.exec(text);
  if (count) expect(pages, "page objects against the page tree's count").toBe(Number(count[1]));
  return pages;
}

test("overview: the payers on a funnel plot with limits, the control chart, and each change tested", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(`/?${SET1}`);
  const funnel = page.getByTestId("chart-payer-funnel-svg");
  await expect(funnel).toBeVisible();
  // Both limit levels, upper and lower each, and the centre at the all-payer rate 58/104.
  await expect(funnel.locator("[data-limit]")).toHaveCount(2);
  await expect(funnel.locator("[data-limit] path")).toHaveCount(4);
  expect(Number(await funnel.locator("[data-centre]").getAttribute("data-centre"))).toBeCloseTo(58 / 104, 6);
  // The goal of config/targets.json.
  await expect(funnel.locator("[data-target]")).toHaveAttribute("data-target", "0.8");
  await expect(funnel.locator('[data-unit="aetna"]')).toHaveAttribute("data-position", "within");
  const table = page.getByTestId("chart-payer-funnel-table");
  await expect(table.locator('tr[data-unit="aetna"]')).toContainText("22 of 35");
  await expect(table.locator('tr[data-unit="aetna"]')).toContainText("within the limits");

  const spc = page.getByTestId("chart-spc-svg");
  await expect(spc).toBeVisible();
  await expect(spc.locator("[data-centre]")).toHaveCount(1);
  await expect(spc.locator('[data-limit="upper"]')).toHaveCount(1);
  await expect(spc.locator("[data-month]").first()).toBeVisible();
  await expect(page.getByTestId("chart-spc-signals")).not.toBeEmpty();

  // 2025 is compared with 2024, whole months with whole months.
  await expect(page.getByTestId("headline-change-order_follow_up")).toContainText("1 Jan 2024 – 31 Dec 2024");
  const mark = page.getByTestId("headline-significance-order_follow_up");
  await expect(mark).toHaveAttribute("data-verdict", /^(significant|not_significant|not_tested)$/);
  await expect(mark).toHaveAttribute("title", /two-proportion z-test/);
  await expect(page.getByTestId("significance-footnote")).toContainText("p < 0.05");
  await expectNoSeriousAxeViolations(page, "overview with the funnel plot");
  await page.screenshot({ path: `${SHOTS}/issue14-overview.png`, fullPage: true });
  await page.getByTestId("chart-payer-funnel").screenshot({ path: `${SHOTS}/issue14-overview-funnel.png` });
  await page.getByTestId("chart-spc").screenshot({ path: `${SHOTS}/issue14-overview-spc.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId("chart-payer-funnel-svg-narrow")).toBeVisible();
  await expect(funnel).toBeHidden();
  await expectNoSidewaysScroll(page, "overview at 390 px");
  await page.screenshot({ path: `${SHOTS}/issue14-overview-phone.png`, fullPage: true });
  await page.getByTestId("chart-payer-funnel").screenshot({ path: `${SHOTS}/issue14-overview-funnel-phone.png` });
  await page.getByTestId("chart-spc").screenshot({ path: `${SHOTS}/issue14-overview-spc-phone.png` });
  await page.getByTestId("filter-bar").screenshot({ path: `${SHOTS}/issue14-filter-bar-phone.png` });
  expect(errors).toEqual([]);
});

test("payer page: its plans on a funnel plot, its control chart, and the link to its scorecard", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(`/payers/aetna?${SET1}`);
  const funnel = page.getByTestId("chart-plan-funnel-svg");
  await expect(funnel).toBeVisible();
  await expect(funnel.locator("[data-limit] path")).toHaveCount(4);
  expect(Number(await funnel.locator("[data-centre]").getAttribute("data-centre"))).toBeCloseTo(58 / 104, 6);
  await expect(page.getByTestId("chart-payer-spc-svg")).toBeVisible();
  const link = page.getByTestId("scorecard-link");
  await expect(link).toHaveAttribute("href", /^\/payers\/aetna\/scorecard\?from=2025-01-01&to=2025-12-31/);
  await expectNoSeriousAxeViolations(page, "payer page with the funnel plot");
  await page.screenshot({ path: `${SHOTS}/issue14-payer.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoSidewaysScroll(page, "payer page at 390 px");
  await page.screenshot({ path: `${SHOTS}/issue14-payer-phone.png`, fullPage: true });
  await link.click();
  await expect(page.getByTestId("scorecard")).toBeVisible();
  expect(errors).toEqual([]);
});

test("the scorecard prints on at most two A4 or Letter pages, with every measure, suppressed", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto(`/payers/aetna/scorecard?${SET1}`);
  const card = page.getByTestId("scorecard");
  await expect(card.getByRole("heading", { level: 1 })).toHaveText("Aetna");
  await expect(page.getByTestId("scorecard-as-of")).toHaveText("25 Jun 2026");
  await expect(page.getByTestId("scorecard-claims-lag")).toContainText(/median \d+ days, 90th percentile \d+ days|Hidden/);
  // Suppression is on for a quality officer too: Aetna's plans have cells of 1 to 10.
  await expect(page.getByTestId("scorecard-suppression")).toContainText("<11");
  await expect(page.getByTestId("scorecard-plans")).toContainText("<11");
  await expect(page.getByTestId("scorecard-measures").locator('tr[data-measure="order_follow_up"]')).toContainText("22 of 35");
  await expectNoSeriousAxeViolations(page, "scorecard");
  await page.screenshot({ path: `${SHOTS}/issue14-scorecard.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoSidewaysScroll(page, "scorecard at 390 px");
  await page.screenshot({ path: `${SHOTS}/issue14-scorecard-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1440, height: 900 });

  await page.emulateMedia({ media: "print" });
  await expect(page.locator(".site-header")).toBeHidden();
  await expect(page.getByTestId("scorecard-print")).toBeHidden();
  // Every Aetna plan has a cell of 1 to 10 in 2025 (AET-PPO, AET-MA and AET-GOLD share 35
  // orders), so with suppression on no plan's point may be drawn: the funnel says so and names them.
  await expect(page.getByTestId("scorecard-funnel")).toContainText("Data not available: no plan's rate can be shown");
  await expect(page.getByTestId("scorecard-funnel")).toContainText("Aetna Choice POS II");
  await expect(page.getByTestId("scorecard-funnel-plot-svg")).toHaveCount(0);
  for (const measure of MEASURE_KEYS) {
    await expect(page.getByTestId("scorecard-measures").locator(`tr[data-measure="${measure}"] th`)).toContainText(MEASURE_NAMES[measure]!);
    await expect(card.locator(`.sc-definitions li[data-measure="${measure}"]`)).toContainText(MEASURE_NAMES[measure]!);
  }
  await page.screenshot({ path: `${SHOTS}/issue14-scorecard-print.png`, fullPage: true });
  for (const format of ["A4", "Letter"] as const) {
    const pdf = await page.pdf({ format, printBackground: true, path: `${SHOTS}/issue14-scorecard-${format}.pdf` });
    const pages = pdfPages(pdf);
    expect(pages, `${format}: ${pages} pages`).toBeGreaterThanOrEqual(1);
    expect(pages, `${format}: ${pages} pages`).toBeLessThanOrEqual(2);
  }
  expect(errors).toEqual([]);
});

test("on 3,000 generated members the scorecard prints its funnel plot, within two pages", async ({ page }) => {
  const errors = watchConsole(page);
  // The screening rate: Blue Cross's plans have 11 to 44 women each in the 12 months to June
  // 2026, enough for a plan to be shown with suppression on (the order-based measures' plans,
  // 11 to 21 orders, all have a cell of 1 to 10).
  await page.goto(`${GENERATED.url}/payers/bcbs/scorecard?measure=screening_ordering`);
  await expect(page.getByTestId("scorecard")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/issue14-scorecard-generated.png`, fullPage: true });
  await page.emulateMedia({ media: "print" });
  // Drawn by the server: on paper without any script having run.
  const plot = page.getByTestId("scorecard-funnel-plot-svg");
  await expect(plot).toBeVisible();
  await expect(plot.locator("[data-limit] path")).toHaveCount(4);
  await expect(plot.locator("[data-unit]").first()).toBeVisible();
  await page.getByTestId("scorecard-funnel").screenshot({ path: `${SHOTS}/issue14-scorecard-generated-funnel.png` });
  for (const format of ["A4", "Letter"] as const) {
    const pages = pdfPages(await page.pdf({ format, printBackground: true, path: `${SHOTS}/issue14-scorecard-generated-${format}.pdf` }));
    expect(pages, `${format}: ${pages} pages`).toBeLessThanOrEqual(2);
  }
  expect(errors).toEqual([]);
});

test("payer relations open the scorecard of their payer only", async () => {
  const api = await playwrightRequest.newContext({ storageState: storageStateOf("payer_relations") });
  const own = await api.get(`${LOADED.url}/payers/aetna/scorecard?${SET1}`);
  expect(own.status()).toBe(200);
  const html = await own.text();
  expect(html).toContain('data-testid="scorecard"');
  for (const other of ["cigna", "bcbs", "unknown", "no-such-payer"]) {
    const response = await api.get(`${LOADED.url}/payers/${other}/scorecard?${SET1}`);
    expect(response.status(), other).toBe(403);
    expect(await response.text(), other).toContain("Not in your assignment");
  }
  // Nor through a plan of another payer.
  expect((await api.get(`${LOADED.url}/payers/aetna/scorecard?${SET1}&plan=CIG-OAP`)).status()).toBe(403);
  await api.dispose();
});

test("a payer-relations viewer's funnel leaves out hidden cells and says so", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageStateOf("payer_relations") });
  const page = await context.newPage();
  await page.goto(`${LOADED.url}/payers/aetna?${SET1}`);
  const funnel = page.getByTestId("chart-plan-funnel");
  await expect(funnel).toBeVisible();
  // Every plotted plan has all its counts shown; every hidden one is listed as not plotted.
  const rows = funnel.getByTestId("chart-plan-funnel-table").locator("tbody tr");
  const count = await rows.count();
  expect(count).toBeGreaterThan(0);
  for (let i = 0; i < count; i++) {
    const row = rows.nth(i);
    const position = await row.getAttribute("data-position");
    const text = (await row.textContent()) ?? "";
    if (position === "hidden") expect(text).toContain("not plotted");
    else expect(text).not.toContain("<11");
  }
  const hidden = await funnel.locator('tbody tr[data-position="hidden"]').count();
  if (hidden > 0) await expect(page.getByTestId("chart-plan-funnel-left-out")).toContainText("counts hidden");
  for (const unit of await funnel.locator('tbody tr[data-position="hidden"]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-unit")))) {
    await expect(page.getByTestId("chart-plan-funnel-svg").locator(`[data-unit="${unit}"]`)).toHaveCount(0);
  }
  await context.close();
});

test("period presets and 'Same period a year earlier' put the right dates in the URL", async ({ page }) => {
  // The deck's data are as of 25 Jun 2026 (a Thursday of the second quarter).
  await page.goto(`/?${SET1}`);
  const period = page.getByLabel("Period");
  await period.selectOption("quarterToDate");
  await expect(page).toHaveURL(/from=2026-04-01&to=2026-06-25/);
  await period.selectOption("yearToDate");
  await expect(page).toHaveURL(/from=2026-01-01&to=2026-06-25/);
  // Q2 2026 ends on 30 Jun, after the as-of date: the last complete quarter is Q1 2026.
  await period.selectOption("lastFourQuarters");
  await expect(page).toHaveURL(/from=2025-04-01&to=2026-03-31/);
  await expect(period).toHaveValue("lastFourQuarters");
  await page.getByTestId("preset-year-earlier").click();
  await expect(page).toHaveURL(/from=2024-04-01&to=2025-03-31/);
  await page.goto(`/?${SET1}`);
  await page.getByTestId("preset-year-earlier").click();
  await expect(page).toHaveURL(/from=2024-01-01&to=2024-12-31/);
  await expect(page.getByTestId("headline-change-order_follow_up")).toContainText("1 Jan 2023 – 31 Dec 2023");
});

test("'Copy link' copies the view's URL and says so", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: LOADED.url });
  await page.goto(`/payers/aetna?${SET1}&window=60`);
  await page.getByTestId("copy-link").click();
  await expect(page.getByTestId("copy-link-status")).toHaveText(/Link copied/);
  await expect(page.getByTestId("copy-link-status")).toHaveAttribute("role", "status");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(page.url());
  expect(page.url()).toContain("window=60");
});

test("every chart downloads as PNG and SVG", async ({ page }) => {
  await page.goto(`/?${SET1}`);
  const frame = page.getByTestId("chart-payer-funnel");
  const [png] = await Promise.all([page.waitForEvent("download"), frame.getByRole("button", { name: /PNG/ }).click()]);
  expect(png.suggestedFilename()).toMatch(/payers-compared-fairly\.png$/);
  const pngBytes = readFileSync((await png.path())!);
  expect([...pngBytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(pngBytes.length).toBeGreaterThan(2000);

  const [svg] = await Promise.all([page.waitForEvent("download"), frame.getByRole("button", { name: /SVG/ }).click()]);
  expect(svg.suggestedFilename()).toMatch(/\.svg$/);
  const svgText = readFileSync((await svg.path())!, "utf8");
  expect(svgText.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  expect(svgText).toContain('xmlns="http://www.w3.org/2000/svg"');
  expect(svgText).toContain("data-limit");

  // A Recharts chart too (drawn in the browser).
  const trend = page.getByTestId("chart-trend");
  await expect(trend.locator("svg.recharts-surface").first()).toBeVisible();
  const [trendSvg] = await Promise.all([page.waitForEvent("download"), trend.getByRole("button", { name: /SVG/ }).click()]);
  expect(readFileSync((await trendSvg.path())!, "utf8")).toContain("recharts-surface");
});

test("reconciliation findings link to the member's record for a quality officer, not for a data steward", async ({ page, browser }) => {
  await page.goto(`/data?${SET1}`);
  const links = page.getByTestId("reconciliation").locator('a[href^="/members/"]');
  await expect(links.first()).toBeAttached();
  expect(await links.first().getAttribute("href")).toMatch(/^\/members\/[^?]+\?from=2025-01-01&to=2025-12-31/);
  const steward = await browser.newContext({ storageState: storageStateOf("data_steward") });
  const stewardPage = await steward.newPage();
  await stewardPage.goto(`${LOADED.url}/data?${SET1}`);
  await expect(stewardPage.getByTestId("reconciliation")).toBeVisible();
  await expect(stewardPage.getByTestId("reconciliation").locator('a[href^="/members/"]')).toHaveCount(0);
  await steward.close();
});
