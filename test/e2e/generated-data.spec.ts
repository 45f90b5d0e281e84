import { expect, test } from "@playwright/test";
import { GENERATED, storageStateOf } from "./servers";

// The e2e server on port 3102 holds 3,000 members made by the generator (seed 11), imported
// through the same pipeline as a user's files. Every page must open on it, draw its charts and
// log no error; the numbers the overview shows are the measure engine's (checked against the
// public deck in dashboards.spec.ts), so here the pages are checked for consistency.
const BASE = GENERATED.url;

test("every page opens on a generated data set, with charts and without console errors", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));

  await page.goto(`${BASE}/`);
  for (const chart of ["chart-rate-by-payer", "chart-funnel", "chart-trend", "chart-days-to-scan"]) {
    await expect(page.getByTestId(chart).locator(".recharts-wrapper > svg.recharts-surface")).toBeVisible();
  }
  // The funnel narrows: orders ≥ scanned ≥ documented.
  const funnel = (await page.getByTestId("table-funnel").locator("td").allTextContents()).map((t) => Number(t.replace(/,/g, "")));
  expect(funnel[0]!).toBeGreaterThan(0);
  expect(funnel[0]!).toBeGreaterThanOrEqual(funnel[1]!);
  expect(funnel[1]!).toBeGreaterThanOrEqual(funnel[2]!);
  // Payer rows add up to the total.
  const table = page.getByTestId("table-rate-by-payer");
  const denominators = (await table.locator("tbody tr:not([data-group='total']) td:nth-child(2)").allTextContents()).map((t) =>
    Number(t.replace(/,/g, "")),
  );
  const total = Number((await table.locator("tr[data-group='total'] td").first().textContent())!.replace(/,/g, ""));
  expect(denominators.reduce((a, b) => a + b, 0)).toBe(total);
  await page.screenshot({ path: "test-results/screenshots/generated-overview.png", fullPage: true });

  // The overview's overdue count is the worklist's overdue share.
  const overdue = Number((await page.getByTestId("count-overdue").textContent())!.replace(/,/g, ""));
  const inWindow = Number((await page.getByTestId("count-in-window").textContent())!.replace(/,/g, ""));
  await page.goto(`${BASE}/orders`);
  await expect(page.getByTestId("worklist-total")).toHaveText((overdue + inWindow).toLocaleString("en-US"));
  await page.screenshot({ path: "test-results/screenshots/generated-orders.png", fullPage: true });

  for (const [path, name] of [
    ["/payers/aetna", "generated-payer-aetna"],
    ["/payers/humana", "generated-payer-humana"],
    ["/fractures", "generated-fractures"],
    ["/data", "generated-data"],
    ["/reports", "generated-reports"],
  ] as const) {
    await page.goto(`${BASE}${path}`);
    await expect(page.locator("h1")).toBeVisible();
    await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
  }
  expect(errors).toEqual([]);
});

test.describe("as a data steward", () => {
  test.use({ storageState: storageStateOf("data_steward") });
  test("an upload on /data goes through the import pipeline and shows every rejected row", async ({ page }) => {
    await page.goto(`${BASE}/data`);
    const before = await page.getByTestId("count-orders").textContent();
    await page.getByTestId("upload-files").setInputFiles([
      {
        name: "orders.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(
          "order_id,member_id,order_date,ordering_npi\nX1,M0000001,2024-02-30,\nX2,M0000001,2024-03-01,1234567890\nX3,NOBODY,2024-03-01,\n",
        ),
      },
    ]);
    // The files are checked first (a dry run): refused, each problem named, nothing written.
    await page.getByRole("button", { name: "Check files…" }).click();
    const problems = page.getByTestId("upload-problems");
    await expect(problems).toContainText("orders.csv:2: order_date: 2024-02-30: not a calendar date in the form YYYY-MM-DD");
    await expect(problems).toContainText("orders.csv:3: ordering_npi: 1234567890: NPI check digit is wrong");
    await expect(problems).toContainText("orders.csv:4: member_id: NOBODY: unknown member");
    await expect(page.getByTestId("upload-result")).toContainText("Rejected: 3 problems. Nothing was written.");
    await page.reload();
    await expect(page.getByTestId("count-orders")).toHaveText(before!);
    await page.screenshot({ path: "test-results/screenshots/generated-data-rejected.png", fullPage: true });
  });
});
