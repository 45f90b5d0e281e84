import { expect, test } from "@playwright/test";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { SectionSkeleton } from "@/app/_components/section-skeleton";
import type { Role } from "@/lib/access";
import { storageStateOf } from "./servers";
import { expectNoClippedChartText, expectNoSeriousAxeViolations, expectNoSidewaysScroll, waitForCharts, watchConsole } from "./ui-checks";

// Issue 13, "what it must show": every page at 1440 px and at 390 px — no sideways page scroll,
// no chart text cut at an edge or overlapping, and an axe-core scan (WCAG 2.2 A/AA) without a
// serious or critical violation — with a screenshot of each kept in test-results/screenshots/.
// Pages are opened as the role that sees them; the public deck's 2025 is the period.

const SET1 = "from=2025-01-01&to=2025-12-31";

const PAGES: { name: string; path: string; heading: string; role: Role; charts?: number }[] = [
  { name: "overview", path: `/?${SET1}`, heading: "Overview", role: "quality_officer", charts: 4 },
  { name: "overview-post-fracture", path: `/?${SET1}&measure=post_fracture`, heading: "Overview", role: "quality_officer", charts: 4 },
  { name: "payer-aetna", path: `/payers/aetna?${SET1}`, heading: "Aetna", role: "quality_officer", charts: 1 },
  { name: "payer-medicare", path: "/payers/medicare", heading: "Medicare", role: "quality_officer", charts: 1 },
  { name: "plan-aetna-choice", path: `/payers/aetna?${SET1}&plan=AET-PPO`, heading: "Aetna Choice POS II", role: "quality_officer", charts: 1 },
  { name: "orders", path: `/orders?${SET1}`, heading: "Open orders", role: "quality_officer" },
  { name: "fractures", path: `/fractures?${SET1}`, heading: "Post-fracture DXA follow-up", role: "quality_officer", charts: 1 },
  { name: "data", path: `/data?${SET1}`, heading: "Data", role: "data_steward" },
  { name: "reports", path: `/reports?${SET1}`, heading: "Reports", role: "quality_officer" },
  { name: "help-measures", path: "/help/measures", heading: "What the measures count", role: "quality_officer" },
  { name: "account", path: "/account", heading: "Your account", role: "quality_officer" },
  // Their monthly line and days to scan rest on small numbers only: "Data not available".
  { name: "payer-relations-overview", path: `/?${SET1}`, heading: "Overview", role: "payer_relations", charts: 2 },
  { name: "admin", path: "/admin", heading: "Admin", role: "admin" },
  { name: "admin-audit", path: "/admin/audit", heading: "Audit log", role: "admin" },
  { name: "payer-not-found", path: "/payers/nope", heading: "Page not found", role: "quality_officer" },
];

for (const width of [1440, 390]) {
  test.describe(`at ${width} px`, () => {
    test.use({ viewport: { width, height: width === 390 ? 844 : 900 } });
    for (const p of PAGES) {
      test.describe(`as ${p.role}`, () => {
        test.use({ storageState: storageStateOf(p.role) });
        test(`${p.name}: fits the width, no chart text cut, no serious axe violation`, async ({ page }) => {
          const errors = watchConsole(page);
          await page.goto(p.path);
          await expect(page.getByRole("heading", { name: p.heading, level: 1 })).toBeVisible();
          await waitForCharts(page);
          await expectNoSidewaysScroll(page, `${p.name} at ${width}`);
          const charts = await expectNoClippedChartText(page, `${p.name} at ${width}`);
          if (p.charts !== undefined) expect(charts, `${p.name}: charts drawn`).toBeGreaterThanOrEqual(p.charts);
          await expectNoSeriousAxeViolations(page, `${p.name} at ${width}`);
          await page.screenshot({ path: `test-results/screenshots/${p.name}-${width}.png`, fullPage: true });
          // The 404 of an unknown payer is expected to log its status; nothing else may fail.
          expect(errors.filter((e) => !(p.name === "payer-not-found" && e.includes("404")))).toEqual([]);
        });
      });
    }

    test.describe("signed out", () => {
      test.use({ storageState: { cookies: [], origins: [] } });
      test("sign-in: fits the width, no serious axe violation", async ({ page }) => {
        await page.goto("/sign-in");
        await expect(page.getByRole("heading", { name: "Sign in", level: 1 })).toBeVisible();
        await expectNoSidewaysScroll(page, `sign-in at ${width}`);
        await expectNoSeriousAxeViolations(page, `sign-in at ${width}`);
        await page.screenshot({ path: `test-results/screenshots/sign-in-${width}.png`, fullPage: true });
      });
    });
  });
}

// A section's placeholder is on screen until its numbers stream in, and a slow section (the
// CMS249 trend evaluates twelve periods on first view) is still loading when a page's other
// checks pass: the placeholder must pass the scan on its own, not only once it has gone.
test("a section still loading: its placeholder has no serious axe violation", async ({ page }) => {
  const placeholder = renderToStaticMarkup(createElement(SectionSkeleton));
  await page.setContent(`<!doctype html><html lang="en"><head><title>Loading</title></head><body><main><h1>Overview</h1>${placeholder}</main></body></html>`);
  await expect(page.getByRole("status", { name: "Loading" })).toHaveCount(1);
  await expectNoSeriousAxeViolations(page, "a section's placeholder", { whileLoading: true });
});
