import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";
import { EMPTY, LOADED, LOADED_POSTGRES, storageStateOf, WITH_POSTGRES } from "./test/e2e/servers";

// Debian's Chromium where it is installed (Playwright's own browser download is not available
// on our machines); elsewhere Playwright's own browser.
const DEBIAN_CHROMIUM = "/usr/bin/chromium";
const executablePath = process.env.CHROMIUM_PATH ?? (existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined);

if (process.env.CI && !executablePath) {
  throw new Error(`Chromium not found at ${DEBIAN_CHROMIUM}: install it (apt-get install -y chromium); CI does not skip browser tests.`);
}

const launchOptions = {
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};

export default defineConfig({
  testDir: "test/e2e",
  outputDir: "test-results/playwright",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  // Two cores building, serving four databases and driving a browser: give answers time.
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL: LOADED.url,
    viewport: { width: 1440, height: 900 },
    launchOptions,
  },
  projects: [
    // Signs each demo user in on every server once, through the sign-in page, and keeps the
    // browser state for the tests.
    { name: "sign-in", testMatch: /sign-in\.setup\.ts/ },
    // Every other test runs signed in as the quality officer unless it says otherwise.
    { name: "chromium", dependencies: ["sign-in"], testMatch: /\.spec\.ts/, use: { storageState: storageStateOf("quality_officer") } },
  ],
  webServer: {
    // Builds once, prepares the servers of test/e2e/servers.ts and starts them
    // (scripts/e2e-server.ts); ready once the last one answers.
    command: "node_modules/.bin/tsx scripts/e2e-server.ts",
    url: `${(WITH_POSTGRES ? LOADED_POSTGRES : EMPTY).url}/sign-in`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
  },
});
