import { getIP } from "@better-auth/core/utils/ip";
import { isConnectionError } from "@/db/availability";
import type { Sql } from "@/db/client";
import type { Viewer } from "../access";
import { isPayerScoped, isRole } from "./roles";
import { watchConnection } from "./connection-watch";
import type { Auth } from "./server";

// Who a request comes from (SPEC section 10): the bearer token of `Authorization: Bearer …`
// when there is one (scripts), else the session cookie (browsers). Resolved once per request
// by the request context; nothing else reads cookies or tokens.

export type ViewerResolution =
  | { ok: true; viewer: Viewer }
  | {
      ok: false;
      /** `none`: no credentials at all; `invalid_token`: a bearer token that is unknown,
       *  expired, revoked or over its rate; `signed_out`: a session cookie that no longer names
       *  a session; `disabled`: the user is disabled or has no role. */
      reason: "none" | "invalid_token" | "signed_out" | "disabled";
    };

/** The key of `Authorization: Bearer <key>`, or null. */
export function bearerToken(headers: Headers): string | null {
  const value = headers.get("authorization");
  const match = value?.match(/^Bearer\s+(\S+)\s*$/i);
  return match ? match[1]! : null;
}

type UserRow = { id: string; email: string; name: string; role: string | null; banned: boolean | null; payers: string[] };

async function loadUser(db: Sql, userId: string): Promise<UserRow | null> {
  const [user] = await db.query<UserRow>(
    `SELECT u.id, u.email, u.name, u.role, u.banned,
       array(SELECT payer_key FROM user_payers WHERE user_id = u.id ORDER BY payer_key COLLATE "C") AS payers
     FROM auth_users u WHERE u.id = $1`,
    [userId],
  );
  return user ?? null;
}

async function loadPayers(db: Sql, userId: string): Promise<string[]> {
  const rows = await db.query<{ payer_key: string }>(`SELECT payer_key FROM user_payers WHERE user_id = $1 ORDER BY payer_key COLLATE "C"`, [userId]);
  return rows.map((r) => r.payer_key);
}

function toViewer(user: UserRow, tokenName: string | null, address: string | null): Viewer | null {
  if (user.banned || !isRole(user.role)) return null;
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    // Payer relations see their assigned payers only, and none when none is assigned.
    payerScope: isPayerScoped(user.role) ? user.payers : null,
    tokenName,
    address,
  };
}

/**
 * Who sends a request. The sign-in library answers "not valid" when its own database call
 * fails (its token check turns any failure into an invalid key, and only logs the error): a
 * refusal during which it logged a lost connection is that connection error instead, which the
 * caller answers 503 ("try again"), not 401 ("sign in again"). As a second guard, before any
 * other refusal is given the database is asked a trivial question (which throws while it is
 * gone) and the credentials are checked once more, in case the refusal came from a moment it
 * did not answer. Costs two statements on refusals only.
 */
export async function resolveViewer(auth: Auth, db: Sql, headers: Headers): Promise<ViewerResolution> {
  let first: ViewerResolution | null = null;
  try {
    first = await checkCredentials(auth, db, headers);
  } catch (error) {
    if (isConnectionError(error)) throw error;
    // Any other failure of the sign-in library: the credentials get a second try below, once
    // the database has answered.
  }
  if (first && (first.ok || first.reason === "none")) return first;
  await db.query("SELECT 1");
  return checkCredentials(auth, db, headers);
}

/** One check of the credentials; a refusal the database caused throws its error. */
async function checkCredentials(auth: Auth, db: Sql, headers: Headers): Promise<ViewerResolution> {
  const { result, lost } = await watchConnection(() => resolveCredentials(auth, db, headers));
  if (!result.ok && lost !== undefined) throw lost;
  return result;
}

async function resolveCredentials(auth: Auth, db: Sql, headers: Headers): Promise<ViewerResolution> {
  const address = getIP(headers, auth.options);
  const key = bearerToken(headers);
  if (key !== null) {
    // A bearer token is checked by the api-key plugin: hash, expiry, revocation, its rate;
    // a successful check records its last use.
    const checked = await auth.api.verifyApiKey({ body: { key } });
    if (!checked.valid || !checked.key) return { ok: false, reason: "invalid_token" };
    const user = await loadUser(db, checked.key.referenceId);
    const viewer = user && toViewer(user, checked.key.name ?? "(unnamed token)", address);
    return viewer ? { ok: true, viewer } : { ok: false, reason: "disabled" };
  }
  const hasCookie = /(?:^|;\s*)(?:__Secure-)?dxa\.session_token=/.test(headers.get("cookie") ?? "");
  if (!hasCookie) return { ok: false, reason: "none" };
  const session = await auth.api.getSession({ headers });
  if (!session) return { ok: false, reason: "signed_out" };
  const { id, email, name, role, banned } = session.user as typeof session.user & { role?: string | null; banned?: boolean | null };
  // The session already carries the user; only a payer-scoped role needs its assignment read.
  const payers = isRole(role) && isPayerScoped(role) ? await loadPayers(db, id) : [];
  const viewer = toViewer({ id, email, name, role: role ?? null, banned: banned ?? null, payers }, null, address);
  return viewer ? { ok: true, viewer } : { ok: false, reason: "disabled" };
}
