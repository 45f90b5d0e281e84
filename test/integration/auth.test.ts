import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Sql } from "@/db/client";
import { AccessDeniedError } from "@/lib/access";
import { operator } from "@/lib/audit";
import type { Auth } from "@/lib/auth/server";
import { addUser, createToken, disableUser, revokeToken, setRole, UserAdminError } from "@/lib/auth/users";
import { resolveViewer } from "@/lib/auth/viewer";
import { importFolder } from "@/lib/import";
import { getViewContext } from "@/lib/views/context";
import { testAuth } from "../support/auth";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { viewerAs } from "../support/viewers";

// Sign-in, sessions, tokens, roles and the audit log (SPEC section 10) through better-auth on
// the warehouse's own database, on each engine. Requests go through better-auth's HTTP handler
// as a browser's or a script's would.

const DECK = path.resolve(import.meta.dirname, "../fixtures/public-deck/data");
const ORIGIN = "http://127.0.0.1:3000";
const PASSWORD = "correct horse battery staple";

describe.each(ENGINES)("sign-in and access on %s", (engine) => {
  let db: TestDatabase;
  let auth: Auth;
  const by = { operator: operator("test"), route: "test" };
  const deps = () => ({ db: db as Sql, auth });

  beforeAll(async () => {
    db = await freshDatabase(engine);
    const result = await importFolder(db, DECK, { importedBy: "test" });
    expect(result.ok).toBe(true);
    auth = testAuth(db);
    await addUser(deps(), by, { email: "officer@example.org", role: "quality_officer", password: PASSWORD });
    await addUser(deps(), by, { email: "relations@example.org", role: "payer_relations", payers: ["aetna"], password: PASSWORD });
  });
  afterAll(() => db?.dispose());
  afterEach(() => vi.useRealTimers());

  /** POST /api/auth/sign-in/email as a browser at `address` would send it. */
  function signIn(email: string, password: string, address = "10.0.0.1"): Promise<Response> {
    return auth.handler(
      new Request(`${ORIGIN}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ORIGIN, "x-forwarded-for": address },
        body: JSON.stringify({ email, password }),
      }),
    );
  }

  const cookieOf = (response: Response) => response.headers.get("set-cookie")!.split(";")[0]!;
  const withCookie = (cookie: string) => new Headers({ cookie, host: "127.0.0.1:3000", "x-forwarded-for": "10.0.0.1" });
  const auditRows = (action: string, actor: string) =>
    db.query<{ address: string | null; detail: string | null; role: string | null; user_id: string | null }>(
      `SELECT address, detail, role, user_id FROM audit_events WHERE action = $1::audit_action AND actor = $2 ORDER BY id`,
      [action, actor],
    );

  it("signs in with email and password: an httpOnly, SameSite=Lax cookie that names the user, role and payers", async () => {
    const response = await signIn("relations@example.org", PASSWORD);
    expect(response.status).toBe(200);
    const setCookie = response.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/^dxa\.session_token=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Max-Age=43200/); // 12 hours
    const who = await resolveViewer(auth, db, withCookie(cookieOf(response)));
    expect(who).toMatchObject({ ok: true, viewer: { email: "relations@example.org", role: "payer_relations", payerScope: ["aetna"], tokenName: null } });
    const [row] = await auditRows("sign_in", "relations@example.org");
    expect(row).toMatchObject({ address: "10.0.0.1", role: "payer_relations", detail: "email and password" });
    // The password is kept only as a salted hash (scrypt: salt:hash).
    const [account] = await db.query<{ password: string }>(
      `SELECT a.password FROM auth_accounts a JOIN auth_users u ON u.id = a.user_id WHERE u.email = 'relations@example.org'`,
    );
    expect(account!.password).not.toContain(PASSWORD);
    expect(account!.password).toMatch(/^[0-9a-f]{32}:[0-9a-f]+$/);
  });

  it("answers a wrong password and an unknown email alike, and records both", async () => {
    const wrong = await signIn("officer@example.org", "not the password", "10.0.0.2");
    const unknown = await signIn("nobody@example.org", "not the password", "10.0.0.2");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.text()).toBe(await unknown.text());
    expect(await auditRows("sign_in_failed", "officer@example.org")).toEqual([expect.objectContaining({ address: "10.0.0.2", user_id: null })]);
    expect(await auditRows("sign_in_failed", "nobody@example.org")).toHaveLength(1);
  });

  it("limits failed sign-ins per account (5 in 15 minutes), whatever the address, and records the refusals", async () => {
    await addUser(deps(), by, { email: "target@example.org", role: "data_steward", password: PASSWORD });
    for (let i = 0; i < 5; i++) expect((await signIn("target@example.org", `guess ${i}`, `10.1.0.${i}`)).status).toBe(401);
    // The sixth attempt is refused before the password is looked at: even the right one.
    const refused = await signIn("target@example.org", PASSWORD, "10.1.0.99");
    expect(refused.status).toBe(429);
    expect(await refused.text()).toMatch(/Too many failed sign-ins/);
    const failures = await auditRows("sign_in_failed", "target@example.org");
    expect(failures).toHaveLength(6);
    expect(failures[5]!.detail).toBe("refused: too many failed sign-ins for this account");
    // Another account is not held up by it.
    expect((await signIn("officer@example.org", PASSWORD, "10.1.0.99")).status).toBe(200);
  });

  it("limits failed sign-ins per address (20 in 15 minutes) across accounts", async () => {
    for (let i = 0; i < 20; i++) expect((await signIn(`spray${i}@example.org`, "guess", "10.2.0.1")).status).toBe(401);
    expect((await signIn("officer@example.org", PASSWORD, "10.2.0.1")).status).toBe(429);
    // From another address the same account signs in.
    expect((await signIn("officer@example.org", PASSWORD, "10.2.0.2")).status).toBe(200);
  });

  it("ends a session after 12 hours without a request, and keeps an active one going", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-03-02T08:00:00Z") });
    const cookie = cookieOf(await signIn("officer@example.org", PASSWORD, "10.3.0.1"));
    const resolve = () => resolveViewer(auth, db, withCookie(cookie));
    vi.setSystemTime(new Date("2026-03-02T19:00:00Z")); // 11 h later: still on, and renewed
    expect((await resolve()).ok).toBe(true);
    vi.setSystemTime(new Date("2026-03-03T06:30:00Z")); // 22.5 h after sign-in, 11.5 h idle
    expect((await resolve()).ok).toBe(true);
    vi.setSystemTime(new Date("2026-03-03T18:31:00Z")); // 12 h 1 min without a request
    expect(await resolve()).toEqual({ ok: false, reason: "signed_out" });
  });

  it("API tokens: shown once, stored hashed, act as their user, record their last use, expire and revoke", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-04-01T12:00:00Z") });
    const { key, token } = await createToken(deps(), by, { ownerEmail: "relations@example.org", name: "nightly", days: 30 });
    expect(token.expiresAt!.slice(0, 10)).toBe("2026-05-01");
    const [stored] = await db.query<{ key: string }>(`SELECT key FROM auth_api_keys WHERE id = $1`, [token.id]);
    expect(stored!.key).not.toBe(key);
    expect(stored!.key).not.toContain(key.slice(4, 20));
    const bearer = (k: string) => new Headers({ authorization: `Bearer ${k}` });
    expect(await resolveViewer(auth, db, bearer(key))).toMatchObject({
      ok: true,
      viewer: { email: "relations@example.org", role: "payer_relations", payerScope: ["aetna"], tokenName: "nightly" },
    });
    const [used] = await db.query<{ last: string | null }>(`SELECT last_request::text AS last FROM auth_api_keys WHERE id = $1`, [token.id]);
    expect(used!.last).toMatch(/^2026-04-01 12:00/);
    expect(await resolveViewer(auth, db, bearer("dxa_not-a-token"))).toEqual({ ok: false, reason: "invalid_token" });
    // Expired after 30 days.
    vi.setSystemTime(new Date("2026-05-01T12:00:01Z"));
    expect(await resolveViewer(auth, db, bearer(key))).toEqual({ ok: false, reason: "invalid_token" });
    // Revoked: at once.
    vi.useRealTimers();
    const second = await createToken(deps(), by, { ownerEmail: "officer@example.org", name: "script" });
    expect((await resolveViewer(auth, db, bearer(second.key))).ok).toBe(true);
    await revokeToken(deps(), by, { name: "script", ownerEmail: "officer@example.org" });
    expect(await resolveViewer(auth, db, bearer(second.key))).toEqual({ ok: false, reason: "invalid_token" });
  });

  it("a disabled user's session and tokens stop at once, and they cannot sign in", async () => {
    await addUser(deps(), by, { email: "leaver@example.org", role: "quality_officer", password: PASSWORD });
    const cookie = cookieOf(await signIn("leaver@example.org", PASSWORD, "10.4.0.1"));
    const { key } = await createToken(deps(), by, { ownerEmail: "leaver@example.org", name: "cron" });
    await disableUser(deps(), by, "leaver@example.org");
    expect((await resolveViewer(auth, db, withCookie(cookie))).ok).toBe(false);
    expect(await resolveViewer(auth, db, new Headers({ authorization: `Bearer ${key}` }))).toEqual({ ok: false, reason: "disabled" });
    const again = await signIn("leaver@example.org", PASSWORD, "10.4.0.1");
    expect(again.status).toBeGreaterThanOrEqual(400);
  });

  it("only an admin manages users; anyone manages their own tokens and no one else's", async () => {
    const officer = viewerAs("quality_officer");
    const asOfficer = { viewer: { ...officer, userId: (await db.query<{ id: string }>(`SELECT id FROM auth_users WHERE email = 'officer@example.org'`))[0]!.id, email: "officer@example.org" }, route: "/admin" };
    await expect(addUser(deps(), asOfficer, { email: "x@example.org", role: "admin", password: PASSWORD })).rejects.toBeInstanceOf(AccessDeniedError);
    await expect(setRole(deps(), asOfficer, "relations@example.org", "admin")).rejects.toBeInstanceOf(AccessDeniedError);
    const own = await createToken(deps(), asOfficer, { ownerEmail: "officer@example.org", name: "mine" });
    expect(own.token.ownerEmail).toBe("officer@example.org");
    await expect(createToken(deps(), asOfficer, { ownerEmail: "relations@example.org", name: "theirs" })).rejects.toBeInstanceOf(AccessDeniedError);
    // Assignment rules: payer relations need a payer; Unknown payer is nobody's; others take none.
    await expect(addUser(deps(), by, { email: "p@example.org", role: "payer_relations", password: PASSWORD })).rejects.toBeInstanceOf(UserAdminError);
    await expect(addUser(deps(), by, { email: "p@example.org", role: "payer_relations", payers: ["unknown"], password: PASSWORD })).rejects.toThrow(/Unknown payer/);
    await expect(addUser(deps(), by, { email: "q@example.org", role: "quality_officer", payers: ["aetna"], password: PASSWORD })).rejects.toBeInstanceOf(UserAdminError);
  });

  it("every change to users, roles, assignments and tokens is audited, with who made it", async () => {
    await setRole(deps(), by, "officer@example.org", "payer_relations", ["cigna", "uhc"]);
    const rows = await db.query<{ action: string; actor: string; detail: string }>(
      `SELECT action::text AS action, actor, detail FROM audit_events WHERE action IN ('user_create', 'user_role', 'token_create', 'token_revoke', 'user_disable') ORDER BY id`,
    );
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(["user_create", "user_role", "token_create", "token_revoke", "user_disable"]));
    expect(rows.at(-1)).toEqual({ action: "user_role", actor: "operator (test)", detail: "user officer@example.org: role quality_officer → payer_relations, payers cigna, uhc" });
    await setRole(deps(), by, "officer@example.org", "quality_officer");
  });

  it("the audit log refuses UPDATE, DELETE and TRUNCATE", async () => {
    const [before] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events`);
    expect(before!.n).toBeGreaterThan(0);
    for (const statement of [`UPDATE audit_events SET actor = 'someone else'`, `DELETE FROM audit_events`, `TRUNCATE audit_events`]) {
      await expect(db.query(statement), statement).rejects.toThrow(/append-only/);
    }
    const [after] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events`);
    expect(after!.n).toBe(before!.n);
  });

  it("the request context refuses a payer or plan outside a payer-relations user's assignment, and only then", async () => {
    const relations = viewerAs("payer_relations", ["aetna"]);
    for (const params of [{ payer: "cigna" }, { payer: "aetna,cigna" }, { plan: "CIG-OAP" }, { payer: "unknown" }, { payer: "nosuch" }]) {
      await expect(getViewContext(db, relations, params), JSON.stringify(params)).rejects.toBeInstanceOf(AccessDeniedError);
    }
    const own = (await getViewContext(db, relations, { payer: "aetna", plan: "AET-PPO" }))!;
    expect(own.filters.payers).toEqual(["aetna"]);
    expect(own.dims.payers.map((p) => p.key)).toEqual(["aetna"]);
    expect(own.suppress).toBe(true);
    // A quality officer naming a payer that does not exist gets a notice (a report: a 400).
    const officer = (await getViewContext(db, viewerAs("quality_officer"), { payer: "nosuch" }))!;
    expect(officer.notices).toEqual(["Unknown payer nosuch: all payers are shown."]);
    expect(officer.invalid.map((p) => p.name)).toEqual(["payer"]);
    expect(officer.suppress).toBe(false);
  });
});
