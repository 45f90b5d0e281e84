import { expect, request as playwrightRequest, test } from "@playwright/test";
import { parse } from "csv-parse/sync";
import type { Role } from "@/lib/access";
import { LOADED, storageStateOf } from "./servers";
import { expectNoSeriousAxeViolations, expectNoSidewaysScroll } from "./ui-checks";

// The member record (issue 14) in Chromium, on the public deck. Member M000130, worked out by
// hand from its rows: female, born 10 Apr 1951, UnitedHealthcare's UHC-MA since 2020.
// - Order O000130-0 (1 Jul 2025, EHR): claim C0000201's 77080 of 11 Jul 2025 completes it
//   10 days later; C0000202's 3095F of 6 Aug 2025 is within 30 days of that study (result
//   documented); claim C0000200's 3096F of 1 Jul 2025 was voided on 14 Aug 2025, so no order
//   line reports the order (not captured).
// - Order O000130-1 (14 Oct 2025) is cancelled: no measure counts it.
// - Screening in 2025: 74 on 31 Dec 2025, covered, no study in 2023–2024, ordered in 2025: met.

const MEMBER = `${LOADED.url}/members/M000130?from=2025-01-01&to=2025-12-31`;

test("a quality officer reads why each order counts, with every claim version", async ({ page }) => {
  await page.goto(MEMBER);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Member M000130");
  await expect(page.getByTestId("member-facts")).toContainText("10 Apr 1951");

  const completed = page.locator('tr[data-order="O000130-0"]');
  await expect(completed.locator('[data-measure="order_follow_up"]')).toHaveAttribute("data-verdict", "numerator");
  await expect(completed.locator('[data-measure="order_follow_up"]')).toContainText("10 days after the order");
  await expect(completed.locator('[data-measure="result_documented"]')).toHaveAttribute("data-verdict", "numerator");
  await expect(completed.locator('[data-measure="order_capture"]')).toHaveAttribute("data-verdict", "denominator");
  await expect(completed).toContainText("UnitedHealthcare");

  const cancelled = page.locator('tr[data-order="O000130-1"]');
  for (const measure of ["order_follow_up", "result_documented", "order_capture"]) {
    await expect(cancelled.locator(`[data-measure="${measure}"]`)).toHaveAttribute("data-verdict", "not_counted");
  }
  await expect(page.getByTestId("member-screening").locator("[data-verdict]")).toHaveAttribute("data-verdict", "numerator");

  const voided = page.getByTestId("member-claim-lines").locator('tr[data-claim="C0000200"]');
  await expect(voided).toHaveCount(2);
  await expect(voided.first()).toHaveAttribute("data-state", "superseded");
  await expect(voided.last()).toHaveAttribute("data-state", "winning");
  await expect(voided.last()).toContainText("a void: the claim counts for nothing");
  // Since 2020 covered; the orders of 1 Jul and 14 Oct 2025, the study of 11 Jul, the result of 6 Aug.
  await expect(page.getByTestId("member-timeline")).toHaveAttribute(
    "aria-label",
    /^Timeline .*: 1 coverage span, 2 orders, 1 DXA study, 1 3095F result, 0 fracture episodes\./,
  );
  await expect(page.getByTestId("member-timeline").locator("circle")).toHaveCount(2);
  await expectNoSeriousAxeViolations(page, "member record");
  await page.screenshot({ path: "test-results/screenshots/member.png", fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expectNoSidewaysScroll(page, "member record at 390 px");
  await page.screenshot({ path: "test-results/screenshots/member-phone.png", fullPage: true });
});

test("a member id that is not loaded, or is no member id, is not found", async ({ page }) => {
  for (const id of ["NO-SUCH-MEMBER", "%00", "x".repeat(65)]) {
    const response = await page.goto(`${LOADED.url}/members/${id}`);
    expect(response!.status(), id).toBe(404);
  }
  // Not even a path: a malformed escape is refused before any page (proxy.ts).
  expect((await page.goto(`${LOADED.url}/members/%E0%A4%A`))!.status()).toBe(400);
});

test("only quality officers and admins open a member's record, and every view is audited", async () => {
  const statusAs = async (role: Role) => {
    const api = await playwrightRequest.newContext({ storageState: storageStateOf(role) });
    const status = (await api.get(`${MEMBER}&window=60`)).status();
    await api.dispose();
    return status;
  };
  expect({
    quality_officer: await statusAs("quality_officer"),
    admin: await statusAs("admin"),
    payer_relations: await statusAs("payer_relations"),
    data_steward: await statusAs("data_steward"),
  }).toEqual({ quality_officer: 200, admin: 200, payer_relations: 403, data_steward: 403 });

  const admin = await playwrightRequest.newContext({ storageState: storageStateOf("admin") });
  const [, ...events] = parse(await (await admin.get(`${LOADED.url}/api/reports/audit.csv?action=member_view`)).text()) as string[][];
  const views = events.filter((e) => e[6] === "/members/M000130" && e[7]!.includes('"window":"60"'));
  expect(views.map((e) => [e[2], e[10]]).sort()).toEqual([
    ["admin@example.org", "member record M000130"],
    ["quality.officer@example.org", "member record M000130"],
  ]);
  const [, ...denials] = parse(await (await admin.get(`${LOADED.url}/api/reports/audit.csv?action=access_denied`)).text()) as string[][];
  const refused = denials.filter((e) => e[6] === "/members/M000130" && e[7]!.includes('"window":"60"')).map((e) => e[2]);
  expect(refused.sort()).toEqual(["data.steward@example.org", "payer.relations@example.org"]);
  await admin.dispose();
});
