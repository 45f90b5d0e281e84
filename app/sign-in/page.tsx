import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { connection } from "next/server";
import { safeNext } from "@/lib/http/policy";
import { resolveRequestViewer } from "../_lib/request";
import { signInWithProvider } from "./actions";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in · DXA Tracker" };

type Params = { next?: string | string[]; error?: string | string[]; signedOut?: string | string[] };
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export default async function SignInPage({ searchParams }: { searchParams: Promise<Params> }) {
  await connection();
  const params = await searchParams;
  const next = safeNext(first(params.next));
  const who = await resolveRequestViewer();
  if (who.ok) redirect(next);
  const provider = process.env.OIDC_ISSUER ? (process.env.OIDC_NAME || "your organisation's sign-in") : null;
  const notice =
    first(params.error) === "provider"
      ? "Signing in through your organisation did not work: your account may not exist here yet. Ask an administrator."
      : first(params.signedOut)
        ? "You are signed out."
        : !who.ok && who.reason === "signed_out"
          ? "Your session has ended. Sign in again to continue."
          : null;
  return (
    <section className="panel sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      <p className="lede">DXA Tracker holds protected health information. Sign in with the account your administrator gave you.</p>
      {notice ? (
        <p className="notice" role="status" data-testid="sign-in-notice">
          {notice}
        </p>
      ) : null}
      <SignInForm next={next} />
      {provider ? (
        <form action={signInWithProvider} className="sign-in-provider">
          <input type="hidden" name="next" value={next} />
          <button type="submit" className="secondary">
            Sign in with {provider}
          </button>
        </form>
      ) : null}
      <p className="chart-note">No account? Accounts are made by an administrator; there is no self sign-up.</p>
    </section>
  );
}
