import { expect, test } from "@playwright/test";
import { LOADED, storageStateOf } from "./servers";

// The account and admin pages (SPEC section 10) in Chromium: an admin adds a user and sees it
// in the audit log; anyone makes and revokes their own token; a payer-relations user asking for
// another payer gets the "not in your assignment" page.

test.describe("as an admin", () => {
  test.use({ storageState: storageStateOf("admin") });

  test("adds a payer-relations user with a payer, sees the password once, and finds the change in the audit log", async ({ page }) => {
    await page.goto(`${LOADED.url}/admin`);
    const users = page.getByTestId("table-users");
    for (const email of ["quality.officer@example.org", "payer.relations@example.org", "data.steward@example.org", "admin@example.org"]) {
      await expect(users.locator(`tr[data-user="${email}"]`)).toBeVisible();
    }
    const form = page.getByTestId("add-user");
    await form.getByLabel("Email").fill("new.relations@example.org");
    await form.getByLabel("Role").selectOption("payer_relations");
    await form.getByLabel("Payers (payer relations)").fill("bcbs");
    await form.getByRole("button", { name: "Add user" }).click();
    await expect(page.getByTestId("add-user-message")).toContainText("User new.relations@example.org added.");
    await expect(page.getByTestId("add-user-secret")).toHaveValue(/^[\w-]{20}$/);
    await expect(users.locator('tr[data-user="new.relations@example.org"]')).toBeVisible();
    await page.screenshot({ path: "test-results/screenshots/admin.png", fullPage: true });

    await page.goto(`${LOADED.url}/admin/audit?action=user_create`);
    const events = page.getByTestId("table-audit");
    await expect(events).toContainText("user new.relations@example.org added as payer_relations, payers bcbs");
    await expect(events).toContainText("admin@example.org (admin)");
    await page.screenshot({ path: "test-results/screenshots/admin-audit.png", fullPage: true });
  });
});

test.describe("as a quality officer", () => {
  test("makes an API token (shown once), sees it listed, and revokes it", async ({ page }) => {
    await page.goto(`${LOADED.url}/account`);
    await expect(page.getByTestId("account-role")).toHaveText("Quality officer");
    const form = page.getByTestId("create-token");
    await form.getByLabel("Name").fill("browser-made");
    await form.getByLabel("Days").fill("7");
    await form.getByRole("button", { name: "Create token" }).click();
    await expect(page.getByTestId("create-token-secret")).toHaveValue(/^dxa_\w{64}$/);
    const token = await page.getByTestId("create-token-secret").inputValue();
    const row = page.getByTestId("table-own-tokens").locator('tr[data-token="browser-made"]');
    await expect(row).toContainText(token.slice(0, 6));
    await page.screenshot({ path: "test-results/screenshots/account.png", fullPage: true });
    // The token works as the officer, until revoked.
    const call = () => page.request.get(`${LOADED.url}/api/reports/orders.csv?from=2025-01-01&to=2025-12-31`, { headers: { authorization: `Bearer ${token}`, cookie: "" } });
    expect((await call()).status()).toBe(200);
    await row.getByRole("button", { name: "Revoke token browser-made" }).click();
    await expect(row).toContainText("revoked");
    expect((await call()).status()).toBe(401);
  });
});

test.describe("as payer relations (Aetna)", () => {
  test.use({ storageState: storageStateOf("payer_relations") });

  test("another payer's page is 'not in your assignment', and no link leads to member-level data", async ({ page }) => {
    const response = await page.goto(`${LOADED.url}/payers/cigna`);
    expect(response?.status()).toBe(403);
    await expect(page.getByTestId("forbidden")).toContainText("Not in your assignment");
    await page.screenshot({ path: "test-results/screenshots/forbidden.png", fullPage: true });
    for (const path of ["/", "/payers/aetna", "/fractures", "/reports"]) {
      await page.goto(`${LOADED.url}${path}?from=2025-01-01&to=2025-12-31`);
      await expect(page.locator('a[href^="/orders"], a[href*="orders.csv"], a[href*="reconciliation.csv"], a[href^="/data"]')).toHaveCount(0);
      await expect(page.getByTestId("open-episodes")).toHaveCount(0);
    }
  });
});
