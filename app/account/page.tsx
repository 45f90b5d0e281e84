import type { Metadata } from "next";
import { connection } from "next/server";
import { getDatabase } from "@/db";
import { ROLE_NAMES } from "@/lib/auth/roles";
import { listTokens } from "@/lib/auth/users";
import { getAuth } from "@/lib/auth/web";
import { getDimensions } from "@/lib/measures/dimensions";
import { SecretForm } from "../_components/secret-form";
import { TokenTable } from "../_components/token-table";
import { requireViewer } from "../_lib/request";
import { createOwnToken, revokeOwnToken } from "./actions";

export const metadata: Metadata = { title: "Your account · DXA Tracker" };

/** The viewer's account: who they are here, and their API tokens (SPEC section 10). */
export default async function AccountPage() {
  await connection();
  const viewer = await requireViewer();
  const [db, auth] = await Promise.all([getDatabase(), getAuth()]);
  const [tokens, dims] = await Promise.all([listTokens({ db, auth }, { viewer, route: "/account" }, viewer.userId), getDimensions(db, viewer)]);
  return (
    <>
      <h1>Your account</h1>
      <dl className="cards compact" data-testid="account">
        <div className="card">
          <dt>Signed in as</dt>
          <dd>{viewer.email}</dd>
        </div>
        <div className="card">
          <dt>Role</dt>
          <dd data-testid="account-role">{ROLE_NAMES[viewer.role]}</dd>
        </div>
        <div className="card">
          <dt>Payers</dt>
          <dd>{viewer.payerScope ? dims.payers.map((p) => p.name).join(", ") : "All payers"}</dd>
        </div>
      </dl>
      <section className="panel" data-testid="own-tokens">
        <h2>API tokens</h2>
        <p className="chart-note">
          For scripts: send a token as <code>Authorization: Bearer …</code>; it reads exactly what you may read, as you. It is shown once when made,
          kept only as a hash, and expires (90 days unless you choose otherwise, at most 365). Revoke one you no longer use.
        </p>
        <TokenTable tokens={tokens} revoke={revokeOwnToken} showOwner={false} testId="table-own-tokens" />
        <SecretForm action={createOwnToken} submit="Create token" testId="create-token">
          <label htmlFor="token-name">Name</label>
          <input id="token-name" name="name" required maxLength={64} placeholder="e.g. monthly-report-script" />
          <label htmlFor="token-days">Days</label>
          <input id="token-days" name="days" type="number" min={1} max={365} defaultValue={90} />
        </SecretForm>
      </section>
    </>
  );
}
