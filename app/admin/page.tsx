import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { getDatabase } from "@/db";
import { AccessDeniedError, can } from "@/lib/access";
import { ROLE_NAMES, ROLES } from "@/lib/auth/roles";
import { listTokens, listUsers } from "@/lib/auth/users";
import { getAuth } from "@/lib/auth/web";
import { getDimensions } from "@/lib/measures/dimensions";
import { SecretForm } from "../_components/secret-form";
import { TokenTable } from "../_components/token-table";
import { denyPage, requireViewer } from "../_lib/request";
import { addUserAction, createTokenForAction, disableUserAction, resetPasswordAction, revokeTokenAction, setRoleAction } from "./actions";
import { ScrollArea } from "../_components/scroll-area";

export const metadata: Metadata = { title: "Admin · DXA Tracker" };

function RoleSelect({ id, value }: { id: string; value?: string | null }) {
  return (
    <select id={id} name="role" defaultValue={value ?? "quality_officer"}>
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {ROLE_NAMES[r]}
        </option>
      ))}
    </select>
  );
}

/** Users, their roles and payer assignments, and every API token (SPEC section 10). */
export default async function AdminPage() {
  await connection();
  const viewer = await requireViewer();
  if (!can(viewer, { administration: ["users"] })) return denyPage(viewer, "/admin", {}, new AccessDeniedError("The admin pages are for administrators.", "role"));
  const [db, auth] = await Promise.all([getDatabase(), getAuth()]);
  const by = { viewer, route: "/admin" };
  const [users, tokens, dims] = await Promise.all([listUsers({ db, auth }, by), listTokens({ db, auth }, by, null), getDimensions(db, viewer)]);
  const payerKeys = dims.payers.filter((p) => p.key !== "unknown").map((p) => p.key);
  return (
    <>
      <h1>Admin</h1>
      <p className="lede">
        Users and their roles, payer assignments and API tokens. Every change is in the <Link href="/admin/audit">audit log</Link>.
      </p>
      <section className="panel" data-testid="users">
        <h2>Users</h2>
        <ScrollArea label="Users">
          <table data-testid="table-users" className="stack-on-phone">
            <caption>Payer relations see only the payers assigned to them (payer keys: {payerKeys.join(", ")}).</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role and payers</th>
                <th scope="col">Signs in with</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">Account</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} data-user={u.email}>
                  <th scope="row" data-label="Email">
                    {u.email}
                    {u.disabled ? <span className="flag">disabled</span> : null}
                  </th>
                  <td data-label="Role and payers">
                    <SecretForm action={setRoleAction} submit="Save" testId={`role-${u.email}`}>
                      <input type="hidden" name="email" value={u.email} />
                      <label className="visually-hidden" htmlFor={`role-${u.id}`}>
                        Role of {u.email}
                      </label>
                      <RoleSelect id={`role-${u.id}`} value={u.role} />
                      <label className="visually-hidden" htmlFor={`payers-${u.id}`}>
                        Payers of {u.email}
                      </label>
                      <input id={`payers-${u.id}`} name="payers" defaultValue={u.payers.join(", ")} placeholder="payers (payer relations)" size={16} />
                    </SecretForm>
                  </td>
                  <td data-label="Signs in with">{u.signInMethods.map((m) => (m === "credential" ? "password" : "organisation sign-in")).join(", ") || "—"}</td>
                  <td data-label="Last sign-in">{u.lastSignIn ? `${u.lastSignIn.slice(0, 16)} UTC` : "never"}</td>
                  <td data-label="Account">
                    {u.id === viewer.userId ? (
                      "you"
                    ) : (
                      <>
                        <SecretForm action={disableUserAction} submit={u.disabled ? "Enable" : "Disable"} testId={`disable-${u.email}`}>
                          <input type="hidden" name="email" value={u.email} />
                          <input type="hidden" name="enable" value={u.disabled ? "1" : "0"} />
                        </SecretForm>
                        <SecretForm action={resetPasswordAction} submit="New password" testId={`password-${u.email}`}>
                          <input type="hidden" name="email" value={u.email} />
                        </SecretForm>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollArea>
        <h3>Add a user</h3>
        <SecretForm action={addUserAction} submit="Add user" testId="add-user">
          <label htmlFor="new-email">Email</label>
          <input id="new-email" name="email" type="email" required />
          <label htmlFor="new-name">Name</label>
          <input id="new-name" name="name" />
          <label htmlFor="new-role">Role</label>
          <RoleSelect id="new-role" />
          <label htmlFor="new-payers">Payers (payer relations)</label>
          <input id="new-payers" name="payers" placeholder="aetna, bcbs" />
          <label htmlFor="new-password">Password (blank: generated)</label>
          <input id="new-password" name="password" type="password" minLength={12} autoComplete="new-password" />
        </SecretForm>
      </section>
      <section className="panel" data-testid="all-tokens">
        <h2>API tokens</h2>
        <TokenTable tokens={tokens} revoke={revokeTokenAction} showOwner={true} testId="table-all-tokens" />
        <h3>Create a token for a user</h3>
        <SecretForm action={createTokenForAction} submit="Create token" testId="create-token-for">
          <label htmlFor="token-owner">User's email</label>
          <input id="token-owner" name="email" type="email" required />
          <label htmlFor="token-for-name">Name</label>
          <input id="token-for-name" name="name" required maxLength={64} />
          <label htmlFor="token-for-days">Days</label>
          <input id="token-for-days" name="days" type="number" min={1} max={365} defaultValue={90} />
        </SecretForm>
      </section>
    </>
  );
}
