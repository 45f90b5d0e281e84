import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sql } from "@/db/client";
import { operator } from "@/lib/audit";
import type { Auth } from "@/lib/auth/server";
import { addUser } from "@/lib/auth/users";
import { resolveViewer } from "@/lib/auth/viewer";
import { testAuth } from "../support/auth";
import { freshDatabase, type TestDatabase } from "../support/databases";
import { startStubIssuer, type StubIssuer } from "../support/oidc-issuer";

// Signing in through the hospital's OpenID Connect provider (a stub issuer on a local port):
// discovery, PKCE, an ID token verified against the provider's keys and bound to the request's
// nonce; a person who is a user here gets a session as that user, anyone else is turned away
// (no self sign-up) and the attempt is recorded. On the embedded database; the database side of
// sign-in is the same as for passwords, tested on both engines in auth.test.ts.

const APP = "http://dxa.test";

describe("OpenID Connect sign-in against a stub issuer", () => {
  let db: TestDatabase;
  let auth: Auth;
  let issuer: StubIssuer;

  beforeAll(async () => {
    db = await freshDatabase("pglite");
    issuer = await startStubIssuer();
    auth = testAuth(db, { appUrl: APP, oidc: { issuer: issuer.url, clientId: issuer.clientId, clientSecret: issuer.clientSecret, name: "Hospital" } });
    await addUser({ db: db as Sql, auth }, { operator: operator("test"), route: "test" }, { email: "clinician@example.org", role: "quality_officer", password: "a password nobody uses" });
  });
  afterAll(async () => {
    await issuer?.close();
    await db?.dispose();
  });

  /** Starts the sign-in as the page's action does: the provider's URL and the state cookie. */
  async function start(): Promise<{ authorizationUrl: string; cookie: string }> {
    const response = await auth.handler(
      new Request(`${APP}/api/auth/sign-in/social`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: APP, "x-forwarded-for": "10.9.0.1" },
        body: JSON.stringify({ provider: "hospital", callbackURL: "/orders", errorCallbackURL: "/sign-in?error=provider", disableRedirect: true }),
      }),
    );
    expect(response.status).toBe(200);
    const { url } = (await response.json()) as { url: string };
    const cookie = response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    return { authorizationUrl: url, cookie };
  }

  function callback(url: string, cookie: string): Promise<Response> {
    return auth.handler(new Request(url, { headers: { cookie, "x-forwarded-for": "10.9.0.1" } }));
  }

  it("asks the provider for openid, email and profile, with PKCE and a nonce, returning to this site", async () => {
    const { authorizationUrl } = await start();
    const asked = new URL(authorizationUrl);
    expect(asked.searchParams.get("client_id")).toBe("dxa-tracker");
    expect(asked.searchParams.get("redirect_uri")).toBe(`${APP}/api/auth/callback/hospital`);
    expect(asked.searchParams.get("scope")!.split(" ").sort()).toEqual(["email", "openid", "profile"]);
    expect(asked.searchParams.get("code_challenge_method")).toBe("S256");
    expect(asked.searchParams.get("nonce")).toBeTruthy();
  });

  it("a user of this site signs in as themselves, and lands where they were going", async () => {
    const { authorizationUrl, cookie } = await start();
    const response = await callback(issuer.approve(authorizationUrl, "clinician@example.org"), cookie);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/orders");
    const session = response.headers.getSetCookie().find((c) => c.startsWith("dxa.session_token="))!;
    expect(session).toBeDefined();
    const who = await resolveViewer(auth, db, new Headers({ cookie: session.split(";")[0]!, host: "dxa.test" }));
    expect(who).toMatchObject({ ok: true, viewer: { email: "clinician@example.org", role: "quality_officer" } });
    const [row] = await db.query<{ detail: string }>(`SELECT detail FROM audit_events WHERE action = 'sign_in' AND actor = 'clinician@example.org'`);
    expect(row?.detail).toBe("OpenID Connect");
  });

  it("someone the provider knows but this site does not is turned away, and no user is made", async () => {
    const { authorizationUrl, cookie } = await start();
    const response = await callback(issuer.approve(authorizationUrl, "stranger@example.org"), cookie);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(/^\/sign-in\?error=/);
    expect(response.headers.getSetCookie().some((c) => c.startsWith("dxa.session_token=") && !c.includes("Max-Age=0"))).toBe(false);
    expect(await db.query(`SELECT 1 FROM auth_users WHERE email = 'stranger@example.org'`)).toEqual([]);
    const failed = await db.query(`SELECT 1 FROM audit_events WHERE action = 'sign_in_failed' AND route LIKE '/api/auth/callback/%'`);
    expect(failed.length).toBeGreaterThan(0);
  });

  it("a callback whose state is not this browser's is refused", async () => {
    const { authorizationUrl } = await start();
    const other = await start();
    const response = await callback(issuer.approve(authorizationUrl, "clinician@example.org"), other.cookie);
    expect(response.status).toBe(302);
    expect(response.headers.getSetCookie().some((c) => c.startsWith("dxa.session_token=") && !c.includes("Max-Age=0"))).toBe(false);
  });
});
