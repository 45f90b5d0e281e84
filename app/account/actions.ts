"use server";

import { revalidatePath } from "next/cache";
import { createToken, revokeToken } from "@/lib/auth/users";
import { runChange, type FormState } from "../_lib/user-admin";

// The viewer's own API tokens (SPEC section 10): every role may make and revoke its own.

export async function createOwnToken(_previous: FormState, form: FormData): Promise<FormState> {
  return runChange("/account", async (deps, by) => {
    const owner = "viewer" in by ? by.viewer.email : "";
    const days = Number(form.get("days") || 90);
    const { key, token } = await createToken(deps, by, { ownerEmail: owner, name: String(form.get("name") ?? ""), days });
    revalidatePath("/account");
    return { ok: true, message: `Token "${token.name}" created; it expires on ${token.expiresAt?.slice(0, 10)}. Copy it now: it is shown only once.`, secret: key };
  });
}

export async function revokeOwnToken(form: FormData): Promise<void> {
  await runChange("/account", async (deps, by) => {
    await revokeToken(deps, by, { id: String(form.get("id") ?? "") });
    revalidatePath("/account");
    return { ok: true, message: null };
  });
}
