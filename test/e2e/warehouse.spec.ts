import { expect, test } from "@playwright/test";
import { EMPTY } from "./servers";

// The public deck (shared/examples/public-deck) holds 400 members, 11 plans, 167 EHR orders and
// 627 claim lines, the latest received on 2026-06-25.
test("the data page shows what the warehouse holds", async ({ page }) => {
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto("/data?from=2025-01-01&to=2025-12-31");
  await expect(page.getByRole("heading", { name: "Data", level: 1 })).toBeVisible();
  await expect(page.getByTestId("count-members")).toHaveText("400");
  await expect(page.getByTestId("count-plans")).toHaveText("11");
  await expect(page.getByTestId("count-orders")).toHaveText("167");
  await expect(page.getByTestId("count-claim-lines")).toHaveText("627");
  await expect(page.getByTestId("header-as-of")).toHaveText("Data as of 25 Jun 2026");
  const payers = page.getByTestId("payer-plans");
  await expect(page.getByTestId("import-history")).toContainText("succeeded");
  // The five listed payers in SPEC order, then other payers, then Unknown payer (11 orders of
  // 2025 without coverage on their date, expected.json).
  await expect(payers.locator("tbody th")).toHaveText([
    "Aetna",
    "Blue Cross Blue Shield",
    "Cigna Health",
    "UnitedHealthcare",
    "Medicare",
    "Humana",
    "Unknown payer",
  ]);
  await page.screenshot({ path: "test-results/screenshots/data.png", fullPage: true });
  expect(errors).toEqual([]);
});

test("an empty warehouse explains how to load data", async ({ page }) => {
  await page.goto(`${EMPTY.url}/`);
  await expect(page.getByTestId("empty-warehouse")).toContainText("npm run import -- path/to/folder");
  await expect(page.getByTestId("header-as-of")).toHaveText("No data loaded");
  await page.screenshot({ path: "test-results/screenshots/warehouse-empty.png", fullPage: true });
});
