import { expect, test } from "@playwright/test";
import { tabTo, waitForCharts } from "./ui-checks";

// Issue 13, items 12 and "what it must show": the drill-down overview → payer → plan → its open
// orders with the keyboard alone (Tab and Enter; no click, no typed URL), through real links,
// at a desktop and at a phone width. The public deck's 2025 (expected.json: Aetna 35 orders, 22
// completed at 90 days; its plan AET-PPO is "Aetna Choice POS II").

const SET1 = "from=2025-01-01&to=2025-12-31";

for (const width of [1440, 390]) {
  test(`keyboard only at ${width} px: overview → Aetna → Aetna Choice POS II → its open orders`, async ({ page }) => {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.goto(`/?${SET1}`);
    await waitForCharts(page);
    // The first Tab stop is the skip link; the payer's bar in the chart is a real link.
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
    await tabTo(page, 'a[href^="/payers/aetna"]', "the Aetna bar", "Aetna");
    const bar = await page.evaluate(() => ({ tag: document.activeElement!.tagName.toLowerCase(), inChart: !!document.activeElement!.closest("svg") }));
    expect(bar).toEqual({ tag: "a", inChart: true });
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/payers\/aetna\?/);
    await expect(page.getByRole("heading", { name: "Aetna", level: 1 })).toBeVisible();
    await expect(page.getByTestId("table-payer-plans").locator('tr[data-plan="total"] td[data-measure="order_follow_up"]')).toContainText("n=35");

    await tabTo(page, '[data-testid="plan-link-AET-PPO"]', "the plan Aetna Choice POS II");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/payers\/aetna\?.*plan=AET-PPO/);
    await expect(page.getByRole("heading", { name: "Aetna Choice POS II", level: 1 })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Breadcrumb" })).toContainText("Aetna Choice POS II");

    await tabTo(page, '[data-testid="payer-worklist-link"]', "the plan's open orders");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/orders\?.*payer=aetna/);
    await expect(page).toHaveURL(/plan=AET-PPO/);
    await expect(page.getByRole("heading", { name: "Open orders", level: 1 })).toBeVisible();
    const rows = page.getByTestId("table-worklist").locator("tbody tr");
    await expect(rows.first()).toBeVisible();
    expect(new Set(await rows.locator('td[data-label="Payer"]').allInnerTexts())).toEqual(new Set(["Aetna"]));
    expect(new Set(await rows.locator('td[data-label="Plan"]').allInnerTexts())).toEqual(new Set(["Aetna Choice POS II"]));
    await page.screenshot({ path: `test-results/screenshots/keyboard-orders-${width}.png`, fullPage: true });
  });
}

test("no keyboard trap: Tab walks the whole overview and comes back to the top", async ({ page }) => {
  await page.goto(`/?${SET1}`);
  await waitForCharts(page);
  const seen: string[] = [];
  for (let i = 0; i < 400; i++) {
    await page.keyboard.press("Tab");
    const where = await page.evaluate(() => {
      const el = document.activeElement;
      return el ? `${el.tagName}|${el.getAttribute("href") ?? ""}|${el.getAttribute("name") ?? ""}|${el.textContent?.slice(0, 30) ?? ""}` : "none";
    });
    if (seen.length > 5 && where === seen[0]) break;
    seen.push(where);
  }
  // Focus went past the last link of the page (the last section's worklist link) and wrapped.
  expect(seen.some((s) => s.includes("Work the list"))).toBe(true);
  expect(seen.length).toBeLessThan(400);
  // No chart is a focus stop of its own that does nothing (Recharts' role="application").
  expect(seen.filter((s) => s.startsWith("svg"))).toEqual([]);
});
