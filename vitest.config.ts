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
    // The route handlers under test make their own sign-in instance (lib/auth/web.ts): a fixed
    // secret keeps it from writing one into ./.data.
    env: { AUTH_SECRET: "vitest-secret-of-at-least-thirty-two-characters" },
  },
});
