import { expect, test } from "@playwright/test";
import type { Role } from "@/lib/access";
import { ACCOUNTS, LOADED, ROLES } from "./servers";

// Signing in and out as each demo user, in Chromium: the navigation each role gets, and a
// failed sign-in that does not say whether the email exists.

test.use({ storageState: { cookies: [], origins: [] } });

const NAVIGATION: Record<Role, string[]> = {
  quality_officer: ["Overview", "Open orders", "Fractures", "Data", "Reports"],
  payer_relations: ["Overview", "Fractures", "Reports"],
  data_steward: ["Overview", "Fractures", "Data", "Reports"],
  admin: ["Overview", "Open orders", "Fractures", "Data", "Reports", "Admin"],
};

for (const role of ROLES) {
  test(`${role}: signs in from a page's redirect, sees their navigation, signs out`, async ({ page }) => {
    await page.goto(`${LOADED.url}/reports?from=2025-01-01&to=2025-12-31`);
    await expect(page).toHaveURL(/\/sign-in\?next=%2Freports%3Ffrom%3D2025-01-01%26to%3D2025-12-31$/);
    await page.getByLabel("Email").fill(ACCOUNTS[role].email);
    await page.getByLabel("Password").fill(ACCOUNTS[role].password);
    await page.getByRole("button", { name: "Sign in" }).click();
    // Back where they were going.
    await expect(page).toHaveURL(`${LOADED.url}/reports?from=2025-01-01&to=2025-12-31`);
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText(NAVIGATION[role]);
    await page.goto(`${LOADED.url}/?from=2025-01-01&to=2025-12-31`);
    await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
    await page.screenshot({ path: `test-results/screenshots/signed-in-${role}.png`, fullPage: true });
    await page.getByTestId("sign-out").click();
    await expect(page).toHaveURL(/\/sign-in\?signedOut=1/);
    await expect(page.getByTestId("sign-in-notice")).toHaveText("You are signed out.");
    // The session is gone: a page sends them back to sign in.
    await page.goto(`${LOADED.url}/`);
    await expect(page).toHaveURL(/\/sign-in\?next=%2F$/);
  });
}

test("a wrong password and an unknown email get the same answer", async ({ page }) => {
  await page.goto(`${LOADED.url}/sign-in`);
  await page.screenshot({ path: "test-results/screenshots/sign-in.png" });
  const attempt = async (email: string) => {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not the password at all");
    await page.getByRole("button", { name: "Sign in" }).click();
    const error = page.getByTestId("sign-in-error");
    await expect(error).toBeVisible();
    return error.textContent();
  };
  const wrongPassword = await attempt("data.steward@example.org");
  const unknownEmail = await attempt("nobody-here@example.org");
  expect(unknownEmail).toBe(wrongPassword);
  expect(wrongPassword).toBe("The email or the password is not right, or the account is disabled.");
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
  await page.screenshot({ path: "test-results/screenshots/sign-in-error.png" });
});
