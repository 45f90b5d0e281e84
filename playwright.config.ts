import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";

// Debian's Chromium where it is installed (Playwright's own browser download is not available
// on our machines); elsewhere Playwright's own browser.
const DEBIAN_CHROMIUM = "/usr/bin/chromium";
const executablePath = process.env.CHROMIUM_PATH ?? (existsSync(DEBIAN_CHROMIUM) ? DEBIAN_CHROMIUM : undefined);

if (process.env.CI && !executablePath) {
  throw new Error(`Chromium not found at ${DEBIAN_CHROMIUM}: install it (apt-get install -y chromium); CI does not skip browser tests.`);
}

export const E2E_PORTS = { loaded: 3100, empty: 3101 } as const;

export default defineConfig({
  testDir: "test/e2e",
  outputDir: "test-results/playwright",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORTS.loaded}`,
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    },
  },
  webServer: {
    // Builds once, loads the public deck into one embedded database and leaves another empty,
    // and serves each on its own port (scripts/e2e-server.ts).
    command: "node_modules/.bin/tsx scripts/e2e-server.ts",
    url: `http://127.0.0.1:${E2E_PORTS.empty}/`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
  },
});
