import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Integration tests import and derive on real databases; PGlite start-up alone takes seconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
