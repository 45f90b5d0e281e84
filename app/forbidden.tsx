import Link from "next/link";
import { ROLE_NAMES } from "@/lib/auth/roles";
import { resolveRequestViewer } from "./_lib/request";

/** A 403 page (SPEC section 10): what was asked for is outside the viewer's role or payer
 *  assignment. It says what they can see, never what lies outside it. */
export default async function Forbidden() {
  const who = await resolveRequestViewer();
  const viewer = who.ok ? who.viewer : null;
  return (
    <section className="panel" role="alert" data-testid="forbidden">
      <h1>Not in your assignment</h1>
      <p>
        This page, or a payer or plan it names, is outside what your account may see
        {viewer ? ` (${ROLE_NAMES[viewer.role].toLowerCase()}${viewer.payerScope ? `: ${viewer.payerScope.join(", ")}` : ""})` : ""}. If you
        need it, ask an administrator to change your role or payer assignment.
      </p>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </section>
  );
}
