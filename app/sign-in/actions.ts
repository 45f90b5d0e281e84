"use server";

import { parseSetCookieHeader, toCookieOptions } from "better-auth/cookies";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { getDatabase } from "@/db";
import { recordAudit } from "@/lib/audit";
import { AUTH_BASE_PATH, OIDC_PROVIDER_ID } from "@/lib/auth/server";
import { getAuth } from "@/lib/auth/web";
import { safeNext } from "@/lib/http/policy";
import { auditActor } from "@/lib/reports/serve";
import { resolveRequestViewer } from "../_lib/request";

// Sign-in and sign-out as server actions: the forms work without JavaScript, and each call
// goes through better-auth's own HTTP handler (its origin check and rate limits, and this
// product's failed-sign-in limit and audit hooks), as a request from the same browser.

export type SignInState = { error: string | null; email: string };

/** The browser request's headers that better-auth reads: its cookies, its origin (checked
 *  against the site's), its address (rate limits, audit) and agent (the session row). */
async function forwardedRequest(path: string, body: unknown): Promise<Request> {
  const incoming = await headers();
  const host = incoming.get("host") ?? "localhost";
  const protocol = incoming.get("x-forwarded-proto") ?? "http";
  const forwarded = new Headers({ "content-type": "application/json" });
  for (const name of ["cookie", "origin", "x-forwarded-for", "user-agent", "host", "referer"]) {
    const value = incoming.get(name);
    if (value) forwarded.set(name, value);
  }
  return new Request(`${protocol}://${host}${AUTH_BASE_PATH}${path}`, { method: "POST", headers: forwarded, body: JSON.stringify(body) });
}

/** Passes the cookies better-auth set (the session, or its removal) on to the browser. */
async function applyCookies(response: Response): Promise<void> {
  const setCookie = response.headers.get("set-cookie");
  if (!setCookie) return;
  const jar = await cookies();
  for (const [name, value] of parseSetCookieHeader(setCookie)) jar.set(name, value.value, toCookieOptions(value));
}

export async function signIn(_previous: SignInState, form: FormData): Promise<SignInState> {
  const email = String(form.get("email") ?? "").trim();
  const password = String(form.get("password") ?? "");
  const next = safeNext(String(form.get("next") ?? "/"));
  if (!email || !password) return { error: "Enter your email and your password.", email };
  const auth = await getAuth();
  const response = await auth.handler(await forwardedRequest("/sign-in/email", { email, password, rememberMe: true }));
  if (response.ok) {
    await applyCookies(response);
    redirect(next);
  }
  // One message whether the email is unknown, the password wrong or the account disabled:
  // the form never tells a stranger which emails have accounts.
  if (response.status === 429) return { error: "Too many sign-in attempts. Wait 15 minutes, then try again.", email };
  return { error: "The email or the password is not right, or the account is disabled.", email };
}

export async function signInWithProvider(form: FormData): Promise<void> {
  const next = safeNext(String(form.get("next") ?? "/"));
  const auth = await getAuth();
  const response = await auth.handler(
    await forwardedRequest("/sign-in/social", { provider: OIDC_PROVIDER_ID, callbackURL: next, errorCallbackURL: "/sign-in?error=provider", disableRedirect: true }),
  );
  const answer = (await response.json().catch(() => null)) as { url?: string } | null;
  if (!response.ok || !answer?.url) redirect("/sign-in?error=provider");
  await applyCookies(response);
  redirect(answer.url);
}

export async function signOut(): Promise<void> {
  const who = await resolveRequestViewer();
  const auth = await getAuth();
  const response = await auth.handler(await forwardedRequest("/sign-out", {}));
  await applyCookies(response);
  if (who.ok) {
    await recordAudit(await getDatabase(), { ...auditActor(who.viewer), action: "sign_out", route: "/sign-out" });
  }
  redirect("/sign-in?signedOut=1");
}
