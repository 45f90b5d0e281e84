"use server";

import { revalidatePath } from "next/cache";
import { addUser, createToken, disableUser, enableUser, resetPassword, revokeToken, setRole } from "@/lib/auth/users";
import { runChange, type FormState } from "../_lib/user-admin";

// Users, roles, payer assignments and everyone's tokens (SPEC section 10): for admins. Each
// change is checked and audited by lib/auth/users.ts.

const text = (form: FormData, name: string) => String(form.get(name) ?? "").trim();
const payerList = (form: FormData) =>
  text(form, "payers")
    .split(/[\s,]+/)
    .filter(Boolean);

function done(message: string, secret?: string): FormState {
  revalidatePath("/admin");
  return { ok: true, message, secret: secret ?? null };
}

export async function addUserAction(_previous: FormState, form: FormData): Promise<FormState> {
  return runChange("/admin", async (deps, by) => {
    const password = text(form, "password") || undefined;
    const user = await addUser(deps, by, { email: text(form, "email"), role: text(form, "role"), payers: payerList(form), password, name: text(form, "name") || undefined });
    return done(`User ${user.email} added.${password ? "" : " Their password is below: give it to them safely; it is shown once."}`, password ? undefined : user.password);
  });
}

export async function setRoleAction(_previous: FormState, form: FormData): Promise<FormState> {
  return runChange("/admin", async (deps, by) => {
    await setRole(deps, by, text(form, "email"), text(form, "role"), payerList(form));
    return done(`Role of ${text(form, "email")} saved.`);
  });
}

export async function disableUserAction(_previous: FormState, form: FormData): Promise<FormState> {
  return runChange("/admin", async (deps, by) => {
    const email = text(form, "email");
    if (text(form, "enable") === "1") {
      await enableUser(deps, by, email);
      return done(`${email} may sign in again.`);
    }
    await disableUser(deps, by, email);
    return done(`${email} is disabled: their sessions ended and their tokens stopped working.`);
  });
}

export async function resetPasswordAction(_previous: FormState, form: FormData): Promise<FormState> {
  return runChange("/admin", async (deps, by) => {
    const password = await resetPassword(deps, by, text(form, "email"));
    return done(`New password for ${text(form, "email")} (shown once); their sessions ended.`, password);
  });
}

export async function createTokenForAction(_previous: FormState, form: FormData): Promise<FormState> {
  return runChange("/admin", async (deps, by) => {
    const { key, token } = await createToken(deps, by, { ownerEmail: text(form, "email"), name: text(form, "name"), days: Number(form.get("days") || 90) });
    return done(`Token "${token.name}" of ${token.ownerEmail} created (shown once).`, key);
  });
}

export async function revokeTokenAction(form: FormData): Promise<void> {
  await runChange("/admin", async (deps, by) => {
    await revokeToken(deps, by, { id: text(form, "id") });
    return done("Token revoked.");
  });
}
