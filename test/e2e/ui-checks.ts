import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

// Checks every page of issue 13 must pass, shared by the layout, keyboard and issue specs.

/** The page does not scroll sideways: its content fits the viewport's width. Asked again for a
 *  few seconds: after a change of viewport the charts take their new width when their resize
 *  observer next fires, not at once (a quiet machine got here before it did). */
export async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  await expect(async () => {
    const { scrollWidth, clientWidth, wide } = await page.evaluate(() => {
      const root = document.documentElement;
      // The elements sticking out, to say what is too wide when it fails.
      const wide = [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > root.clientWidth + 1 && !e.closest(".table-scroll, pre, .visually-hidden"))
        .slice(0, 5)
        .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} (${Math.round(e.getBoundingClientRect().right)} px)`);
      return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide };
    });
    expect(scrollWidth, `${what}: page ${scrollWidth} px wide in ${clientWidth} px; too wide: ${wide.join(", ")}`).toBeLessThanOrEqual(clientWidth);
  }).toPass({ timeout: 5_000 });
}

/** Every text of every chart lies inside its drawing (nothing cut at an edge), and the tick
 *  labels of one axis do not overlap. Returns how many charts were checked. */
export async function expectNoClippedChartText(page: Page, what: string): Promise<number> {
  const problems = await page.evaluate(() => {
    const found: string[] = [];
    const surfaces = [...document.querySelectorAll("svg.recharts-surface")] as SVGSVGElement[];
    for (const svg of surfaces) {
      const box = svg.getBoundingClientRect();
      const name = svg.getAttribute("aria-label") ?? "a chart";
      for (const text of svg.querySelectorAll("text")) {
        const r = text.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        if (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
          found.push(`${name}: "${text.textContent}" cut at the edge`);
        }
      }
      for (const axis of svg.querySelectorAll(".recharts-cartesian-axis-ticks")) {
        const boxes = [...axis.querySelectorAll("text")].map((t) => ({ t: t.textContent, r: t.getBoundingClientRect() })).filter((b) => b.r.width > 0);
        for (let i = 1; i < boxes.length; i++) {
          const a = boxes[i - 1]!.r;
          const b = boxes[i]!.r;
          const overlap = a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
          if (overlap) found.push(`${name}: ticks "${boxes[i - 1]!.t}" and "${boxes[i]!.t}" overlap`);
        }
      }
    }
    return { found, count: surfaces.length };
  });
  expect(problems.found, what).toEqual([]);
  return problems.count;
}

/** An axe-core scan (WCAG 2.2 A and AA rules) with no serious or critical violation. It scans
 *  the finished page: first it waits for every section's placeholder to be replaced, since a
 *  node React swaps out during the scan is reported against a detached tree (target ":root").
 *  `whileLoading` scans at once, placeholders and all. */
export async function expectNoSeriousAxeViolations(page: Page, what: string, { whileLoading = false } = {}): Promise<void> {
  // Bounded by the test's own timeout: the slowest section (the CMS249 trend's first view) can
  // take far longer than an assertion's usual 15 s on a loaded machine.
  if (!whileLoading) await expect(page.locator(".skeleton"), `${what}: every section loaded`).toHaveCount(0, { timeout: 0 });
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`);
  expect(serious, what).toEqual([]);
}

/** Charts are drawn once their panel has been measured: waits for every chart frame's drawing. */
export async function waitForCharts(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle");
  await expect
    .poll(() =>
      page.evaluate(() =>
        [...document.querySelectorAll(".chart-container")].every((c) => c.querySelector("svg.recharts-surface") !== null || c.getBoundingClientRect().width === 0),
      ),
    )
    .toBe(true);
}

/** Tabs (only the keyboard) until the focused element matches the selector (and, when given,
 *  has that accessible text), and returns how many presses it took. */
export async function tabTo(page: Page, selector: string, what: string, text?: string, limit = 250): Promise<number> {
  for (let i = 1; i <= limit; i++) {
    await page.keyboard.press("Tab");
    const hit = await page.evaluate(
      ({ selector, text }) => {
        const el = document.activeElement;
        if (!el || !el.matches(selector)) return false;
        return text === undefined || (el.getAttribute("aria-label") ?? el.textContent ?? "").includes(text);
      },
      { selector, text },
    );
    if (hit) return i;
  }
  throw new Error(`${what}: not reached in ${limit} presses of Tab`);
}

/** The console errors and page errors of a page, collected while a test runs. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  return errors;
}
