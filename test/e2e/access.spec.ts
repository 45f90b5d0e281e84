import { readFileSync } from "node:fs";
import { expect, request as playwrightRequest, test, type APIRequestContext } from "@playwright/test";
import { parse } from "csv-parse/sync";
import type { Role } from "@/lib/access";
import { DECK_SERVERS, ROLES, storageStateOf, TOKENS_FILE, type E2EServer, type Tokens } from "./servers";

// SPEC section 10 over HTTP, on the built server over each engine (the public deck on PGlite,
// and on PostgreSQL when DATABASE_URL is set): no anonymous access anywhere; each role, by
// session cookie and by API token, gets exactly what the role table allows; a payer-relations
// user assigned Aetna never gets a Cigna name or figure; member-level views and exports are
// audited; the safety headers are on every response.

const tokens = (): Tokens => JSON.parse(readFileSync(TOKENS_FILE, "utf8")) as Tokens;

/** Every page and what each role gets: 200 or 403. */
const PAGES: { path: string; allowed: Role[] }[] = [
  { path: "/", allowed: ROLES },
  { path: "/payers/aetna", allowed: ROLES },
  { path: "/orders", allowed: ["quality_officer", "admin"] },
  { path: "/fractures", allowed: ROLES },
  { path: "/data", allowed: ["quality_officer", "data_steward", "admin"] },
  { path: "/reports", allowed: ROLES },
  { path: "/account", allowed: ROLES },
  { path: "/admin", allowed: ["admin"] },
  { path: "/admin/audit", allowed: ["admin"] },
];

const PERIOD = "from=2025-01-01&to=2025-12-31";
/** A plans.csv the import refuses (no payer): an upload that reaches the import answers 422. */
const BAD_PLANS = { name: "plans.csv", mimeType: "text/csv", buffer: Buffer.from("plan_id,payer,plan_name,product_line\nP1,,Plan One,commercial\n") };

/** Every report and what each role gets. */
const REPORTS: { path: string; allowed: Role[] }[] = [
  { path: `/api/reports/measure-summary.csv?${PERIOD}`, allowed: ROLES },
  { path: `/api/reports/orders.csv?${PERIOD}`, allowed: ["quality_officer", "admin"] },
  { path: `/api/reports/reconciliation.csv?${PERIOD}`, allowed: ["quality_officer", "data_steward", "admin"] },
  { path: "/api/reports/audit.csv", allowed: ["admin"] },
];

async function anonymous(server: E2EServer): Promise<APIRequestContext> {
  return playwrightRequest.newContext({ baseURL: server.url, storageState: { cookies: [], origins: [] } });
}

async function withSession(server: E2EServer, role: Role): Promise<APIRequestContext> {
  return playwrightRequest.newContext({ baseURL: server.url, storageState: storageStateOf(role) });
}

async function withToken(server: E2EServer, role: Role): Promise<APIRequestContext> {
  return playwrightRequest.newContext({
    baseURL: server.url,
    storageState: { cookies: [], origins: [] },
    extraHTTPHeaders: { authorization: `Bearer ${tokens()[server.name]![role]}` },
  });
}

for (const server of DECK_SERVERS) {
  test.describe(`access on the ${server.name} server`, () => {
    test("without a session: pages redirect to /sign-in?next=…, the API answers 401 with WWW-Authenticate: Bearer", async () => {
      const api = await anonymous(server);
      for (const { path } of PAGES) {
        const response = await api.get(`${path}?${PERIOD}`, { maxRedirects: 0 });
        expect(response.status(), path).toBe(307);
        expect(response.headers()["location"], path).toBe(`/sign-in?next=${encodeURIComponent(`${path}?${PERIOD}`)}`);
      }
      for (const { path } of REPORTS) {
        const response = await api.get(path, { maxRedirects: 0 });
        expect(response.status(), path).toBe(401);
        expect(response.headers()["www-authenticate"], path).toMatch(/^Bearer/);
        expect(await response.text()).not.toMatch(/order_id|member_id|Aetna/);
      }
      const upload = await api.post("/api/imports", { multipart: { files: { name: "plans.csv", mimeType: "text/csv", buffer: Buffer.from("plan_id\n") } } });
      expect(upload.status()).toBe(401);
      // A token that is not one is refused as such.
      const forged = await playwrightRequest.newContext({ baseURL: server.url, extraHTTPHeaders: { authorization: "Bearer dxa_not-a-real-token" } });
      const refused = await forged.get(REPORTS[0]!.path);
      expect(refused.status()).toBe(401);
      expect(refused.headers()["www-authenticate"]).toContain('error="invalid_token"');
      await api.dispose();
      await forged.dispose();
    });

    for (const role of ROLES) {
      for (const [how, open] of [
        ["session", withSession],
        ["token", withToken],
      ] as const) {
        test(`${role} by ${how}: every page and report as the role table says`, async () => {
          const api = await open(server, role);
          for (const { path, allowed } of [...PAGES, ...REPORTS]) {
            const response = await api.get(path, { maxRedirects: 0 });
            expect(response.status(), `${role} ${how} ${path}`).toBe(allowed.includes(role) ? 200 : 403);
          }
          // Imports: a data steward's or an admin's upload reaches the import (a plans file without
          // a payer is refused, 422); others are refused (403). A token needs no Origin.
          const upload = await api.post("/api/imports", { multipart: { files: BAD_PLANS }, headers: how === "session" ? { origin: server.url } : {} });
          expect(upload.status(), `${role} ${how} upload`).toBe(role === "data_steward" || role === "admin" ? 422 : 403);
          await api.dispose();
        });
      }
    }

    test("a payer-relations user assigned Aetna: another payer or its plan by URL or parameter is 403, and no Cigna anywhere", async () => {
      for (const open of [withSession, withToken]) {
        const api = await open(server, "payer_relations");
        const asked = [
          "/payers/cigna",
          "/payers/nosuch",
          "/payers/unknown",
          ...["/", "/payers/aetna", "/fractures", "/reports"].flatMap((p) => [`${p}?payer=cigna`, `${p}?plan=CIG-OAP`, `${p}?payer=aetna,cigna`]),
          ...["measure-summary", "orders", "reconciliation"].flatMap((r) => [`/api/reports/${r}.csv?payer=cigna`, `/api/reports/${r}.csv?plan=CIG-OAP`]),
        ];
        for (const path of asked) {
          const response = await api.get(path, { maxRedirects: 0 });
          expect(response.status(), path).toBe(403);
          // The page repeats the address it was asked for (its router state), never a name or
          // a figure of what lies behind it.
          expect(await response.text(), path).not.toMatch(/Cigna Health|Cigna Open Access/);
        }
        // What they are allowed shows Aetna and the all-payer benchmark, and nothing of another payer.
        for (const path of ["/", "/payers/aetna", "/fractures", "/reports", "/account", ...["payer", "plan", "month", "product_line"].map((g) => `/api/reports/measure-summary.csv?${PERIOD}&groupBy=${g}`)]) {
          const response = await api.get(path);
          expect(response.status(), path).toBe(200);
          const body = await response.text();
          expect(body, path).toMatch(/Aetna/);
          expect(body, path).not.toMatch(/Cigna|CIG-OAP|Blue Cross|BCBS|UnitedHealthcare|UHC-|Medicare Part B|MCR-B|Humana|HUM-MA|Unknown payer/);
        }
        await api.dispose();
      }
    });

    test("payer relations get suppressed aggregates: Aetna's rows, their total and the all-payer benchmark", async () => {
      const api = await withToken(server, "payer_relations");
      const response = await api.get(`/api/reports/measure-summary.csv?${PERIOD}&groupBy=plan`);
      const [, ...rows] = parse(await response.text()) as string[][];
      // The deck's three Aetna plans (in the database's order of names), Aetna's total, then
      // every payer: the benchmark.
      expect(rows.slice(0, 3).map((r) => [r[3], r[4]]).sort()).toEqual([
        ["Aetna", "'=HYPERLINK(\"http://evil.example\",\"Aetna Gold\")"],
        ["Aetna", "Aetna Choice POS II"],
        ["Aetna", "Aetna Medicare Advantage PPO"],
      ]);
      expect(rows.slice(3).map((r) => [r[3], r[4]])).toEqual([
        ["Aetna", "All"],
        ["All", "All"],
      ]);
      // expected.json, 2025 at 90 days: Aetna 35 orders with 22 completed; all payers 104/58.
      expect(rows[3]!.slice(7, 9)).toEqual(["35", "22"]);
      expect(rows[4]!.slice(7, 9)).toEqual(["104", "58"]);
      // Suppression is on whatever they ask: a plan cell from 1 to 10 reads <11.
      expect(rows.slice(0, 3).some((r) => r[7] === "<11" || r[8] === "<11" || r[8] === "≥11")).toBe(true);
      await api.dispose();
    });

    test("member-level views and every export are in the audit log, with who, route, filters and rows", async () => {
      const officer = await withToken(server, "quality_officer");
      // A period no other test asks for, so that the rows found are this test's.
      const marker = `2025-03-0${server.name === "loaded" ? 3 : 4}`;
      expect((await officer.get(`/orders?from=${marker}&to=2025-12-31`)).status()).toBe(200);
      const orders = await officer.get(`/api/reports/orders.csv?from=${marker}&to=2025-12-31&status=overdue`);
      const [, ...orderRows] = parse(await orders.text()) as string[][];
      const summary = await officer.get(`/api/reports/measure-summary.csv?from=${marker}&to=2025-12-31&suppress=1`);
      expect(summary.status()).toBe(200);
      await summary.text();
      const steward = await withToken(server, "data_steward");
      expect((await steward.get(`/api/reports/orders.csv?from=${marker}&to=2025-12-31`)).status()).toBe(403);

      const admin = await withToken(server, "admin");
      const audit = await admin.get(`/api/reports/audit.csv?actor=example.org`);
      expect(audit.status()).toBe(200);
      const [header, ...events] = parse(await audit.text()) as string[][];
      expect(header).toEqual(["at", "user_id", "actor", "role", "token_name", "action", "route", "filters", "rows", "address", "detail"]);
      const find = (action: string, route: string, actor: string) =>
        events.filter((e) => e[5] === action && e[6] === route && e[2] === actor && e[7]!.includes(marker));
      const worklist = find("member_view", "/orders", "quality.officer@example.org");
      expect(worklist).toHaveLength(1);
      expect(worklist[0]![3]).toBe("quality_officer");
      expect(worklist[0]![4]).toBe("e2e"); // the token's name
      expect(JSON.parse(worklist[0]![7]!)).toEqual({ from: marker, to: "2025-12-31" });
      const exported = find("export", "/api/reports/orders.csv", "quality.officer@example.org");
      expect(exported).toHaveLength(1);
      expect(Number(exported[0]![8])).toBe(orderRows.length);
      expect(JSON.parse(exported[0]![7]!)).toEqual({ from: marker, to: "2025-12-31", status: "overdue" });
      expect(find("export", "/api/reports/measure-summary.csv", "quality.officer@example.org")).toHaveLength(1);
      const refused = find("access_denied", "/api/reports/orders.csv", "data.steward@example.org");
      expect(refused).toHaveLength(1);
      for (const api of [officer, steward, admin]) await api.dispose();
    });

    test("every response carries the safety headers, and a change from another origin is refused", async () => {
      const api = await withSession(server, "admin");
      for (const path of ["/", "/sign-in", `/api/reports/measure-summary.csv?${PERIOD}`, "/icon.svg"]) {
        const response = await api.get(path);
        const headers = response.headers();
        expect(headers["content-security-policy"], path).toMatch(/frame-ancestors 'none'/);
        expect(headers["content-security-policy"], path).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
        expect(headers["x-content-type-options"], path).toBe("nosniff");
        expect(headers["referrer-policy"], path).toBe("same-origin");
        expect(headers["x-powered-by"], path).toBeUndefined();
      }
      const upload = (origin: string) => api.post("/api/imports", { multipart: { files: BAD_PLANS }, headers: { origin } });
      expect((await upload("https://evil.example")).status()).toBe(403);
      expect((await upload(server.url)).status()).toBe(422);
      await api.dispose();
    });
  });
}
