import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, test as setup } from "@playwright/test";
import { ACCOUNTS, ROLES, SERVERS, storageStateOf } from "./servers";

// Each demo user signs in on every server through the sign-in form (as a person would), and
// the browser state is kept for the tests that run as that role.
for (const role of ROLES) {
  setup(`sign in as ${role} on every server`, async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const server of SERVERS) {
      await page.goto(`${server.url}/sign-in`);
      await page.getByLabel("Email").fill(ACCOUNTS[role].email);
      await page.getByLabel("Password").fill(ACCOUNTS[role].password);
      await page.getByRole("button", { name: "Sign in" }).click();
      // A first sign-in warms the server up (and hashes with scrypt): on a busy machine it takes
      // seconds.
      await expect(page).not.toHaveURL(/\/sign-in/, { timeout: 30_000 });
      await expect(page.getByTestId("header-user")).toBeVisible();
    }
    mkdirSync(path.dirname(storageStateOf(role)), { recursive: true });
    await context.storageState({ path: storageStateOf(role) });
    await context.close();
  });
}
