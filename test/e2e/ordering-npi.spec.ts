import { expect, test } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { LOADED } from "./servers";
import { expectNoSeriousAxeViolations, expectNoSidewaysScroll } from "./ui-checks";

// "Who orders" on the worklist page (issue 14, item 5), on the public deck in 2025 with W = 90
// (as-of 2026-06-25, every order mature): 37 NPIs and 12 orders without one. Follow-up: the
// largest denominator is NPI 2729439184's, 3 of 5 completed (so 2 of its orders are open);
// all orders 58 of 104. Capture: the same NPI, 1 of 5.

const ORDERS = `${LOADED.url}/orders?from=2025-01-01&to=2025-12-31`;
const TOP = "2729439184";

test("rates by ordering clinician: sorted by denominator, flagged, the same as the CSV, each NPI narrowing the worklist", async ({ page }) => {
  // Four page loads, a CSV, an axe scan and screenshots at two widths: 4-5 s alone, but on one
  // CI run (2026-11-30, docs-only commit) the page's last link waited out the default 60 s
  // budget for the browser to call it stable. Room for a slow moment, not for a hang.
  test.setTimeout(120_000);
  await page.goto(ORDERS);
  const table = page.getByTestId("table-npi-rates");
  await expect(table.locator("caption")).toHaveText("DXA order follow-up rate by ordering clinician (NPI), largest denominator first: 25 of 37 NPIs");
  const body = table.locator("tbody tr");
  // 25 NPIs, the orders without an NPI, the total.
  await expect(body).toHaveCount(27);
  const top = body.first();
  await expect(top).toHaveAttribute("data-npi", TOP);
  await expect(top.locator('[data-label="Denominator"]')).toHaveText("5");
  await expect(top.locator('[data-label="Numerator"]')).toHaveText("3");
  await expect(top.locator('[data-label="Rate"]')).toHaveText("60.0%");
  await expect(top.locator('[data-label="Flags"]')).toContainText("low volume");
  await expect(body.nth(25)).toHaveAttribute("data-npi", "none");
  await expect(body.nth(25).locator("th")).toHaveText("No NPI recorded");
  await expect(body.nth(25).locator('[data-label="Denominator"]')).toHaveText("12");
  await expect(body.last().locator('[data-label="Denominator"]')).toHaveText("104");
  await expect(body.last().locator('[data-label="Numerator"]')).toHaveText("58");
  await expect(page.getByTestId("npi-more")).toContainText("12 more NPIs, none with a larger denominator");
  await expect(page.getByTestId("npi-rates-link")).toHaveAttribute("href", "#npi-rates-title");
  const denominators = (await table.locator('tbody tr:not([data-npi="total"]):not([data-npi="none"]) [data-label="Denominator"]').allTextContents()).map(Number);
  expect(denominators).toEqual([...denominators].sort((a, b) => b - a));

  // The screen is the CSV: every NPI's counts, the column after flags.
  const csvHref = await page.getByTestId("npi-csv").getAttribute("href");
  expect(csvHref).toContain("groupBy=ordering_npi");
  const response = await page.request.get(new URL(csvHref!, LOADED.url).toString());
  expect(response.status()).toBe(200);
  const [header, ...records] = parse((await response.text()).replace(/^\uFEFF/, "")) as string[][];
  expect(header!.at(-1)).toBe("ordering_npi");
  expect(records).toHaveLength(37 + 1 + 1);
  const csvByNpi = new Map(records.map((r) => [r.at(-1)!, r]));
  for (const row of await body.all()) {
    const npi = await row.getAttribute("data-npi");
    const key = npi === "total" ? "All" : npi === "none" ? "No NPI recorded" : npi!;
    const cells = [await row.locator('[data-label="Denominator"]').textContent(), await row.locator('[data-label="Numerator"]').textContent(), await row.locator('[data-label="Pending"]').textContent()];
    const csv = csvByNpi.get(key)!;
    expect(cells, key).toEqual([csv[7], csv[8], csv[12]]);
  }

  // Accessible and usable at 1440 px; stacked, without sideways scroll, at 390 px.
  await expectNoSeriousAxeViolations(page, "orders with rates by NPI");
  await page.getByTestId("npi-rates").screenshot({ path: "test-results/screenshots/orders-npi.png" });
  await page.screenshot({ path: "test-results/screenshots/orders-npi-page.png", fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoSidewaysScroll(page, "orders with rates by NPI at 390 px");
  await page.getByTestId("npi-rates").screenshot({ path: "test-results/screenshots/orders-npi-phone.png" });
  await page.setViewportSize({ width: 1440, height: 900 });

  // An NPI opens the worklist narrowed to it: its 2 open orders, the row marked as current.
  await top.getByRole("link", { name: TOP }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]npi=${TOP}`));
  await expect(page.getByTestId("worklist-total")).toHaveText("2");
  const npiCells = await page.getByTestId("table-worklist").locator('td[data-label="Ordering NPI"]').allTextContents();
  expect(npiCells).toEqual([TOP, TOP]);
  await expect(page.getByTestId("table-npi-rates").locator(`tr[data-npi="${TOP}"]`)).toHaveAttribute("aria-current", "true");

  // Another order measure, from the switch: capture, 1 of the same NPI's 5 EHR orders.
  await page.getByTestId("npi-measure-order_capture").click();
  await expect(page.getByTestId("npi-measure-order_capture")).toHaveAttribute("aria-current", "page");
  await expect(page.getByTestId("table-npi-rates").locator("caption")).toContainText("3096F capture rate by ordering clinician");
  const capture = page.getByTestId("table-npi-rates").locator(`tr[data-npi="${TOP}"]`);
  await expect(capture.locator('[data-label="Denominator"]')).toHaveText("5");
  await expect(capture.locator('[data-label="Numerator"]')).toHaveText("1");
});

test("a measure without an ordering clinician falls back to follow-up with a notice", async ({ page }) => {
  await page.goto(`${ORDERS}&measure=screening_ordering`);
  await expect(page.getByTestId("npi-notice")).toContainText("has no ordering clinician");
  await expect(page.getByTestId("table-npi-rates").locator("caption")).toContainText("DXA order follow-up rate by ordering clinician");
  await expect(page.getByTestId("npi-measure-order_follow_up")).toHaveAttribute("aria-current", "page");
});
