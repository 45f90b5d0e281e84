import { getDatabase } from "@/db";
import { AccessDeniedError } from "@/lib/access";
import type { Changer } from "@/lib/auth/users";
import { UserAdminError } from "@/lib/auth/users";
import { getAuth } from "@/lib/auth/web";
import { requireViewer } from "./request";

/** The state a form of the account and admin pages shows after its action: a message, or an
 *  error, and a secret to show once (a new token or password). */
export type FormState = { ok: boolean; message: string | null; secret?: string | null };

export const EMPTY_FORM: FormState = { ok: true, message: null };

/** Runs a user or token change for the signed-in viewer from a page's server action: the
 *  database, the auth instance and who changes what, and a message instead of a crash for a
 *  refused or invalid change. */
export async function runChange(route: string, change: (deps: { db: Awaited<ReturnType<typeof getDatabase>>; auth: Awaited<ReturnType<typeof getAuth>> }, by: Changer) => Promise<FormState>): Promise<FormState> {
  const viewer = await requireViewer();
  const [db, auth] = await Promise.all([getDatabase(), getAuth()]);
  try {
    return await change({ db, auth }, { viewer, route });
  } catch (error) {
    if (error instanceof UserAdminError || error instanceof AccessDeniedError) return { ok: false, message: error.message };
    throw error;
  }
}
