import { randomBytes } from "node:crypto";
import type { Sql } from "@/db/client";
import { AccessDeniedError, can, type Viewer } from "../access";
import { recordAudit, type AuditActor } from "../audit";
import { TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, tokenLifetimeSeconds } from "./config";
import { isPayerScoped, isRole, ROLES, type Role } from "./roles";
import { normaliseEmail, type Auth } from "./server";

// Users, roles, payer assignments and API tokens (SPEC section 10), for the /admin and
// /account pages and for `npm run users`. Each change checks who asks (an admin, a user about
// their own tokens, or the server's operator at the command line) and writes an audit row in
// the same breath. better-auth stores users, password hashes and hashed tokens.

export type UserSummary = {
  id: string;
  email: string;
  name: string;
  role: string | null;
  disabled: boolean;
  payers: string[];
  createdAt: string;
  lastSignIn: string | null;
  signInMethods: string[];
};

export type TokenSummary = {
  id: string;
  name: string;
  /** The first characters of the key, to tell tokens apart. */
  start: string | null;
  ownerId: string;
  ownerEmail: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revoked: boolean;
};

/** Who makes a change: a signed-in viewer, or the operator at the command line. */
export type Changer = { viewer: Viewer; route: string } | { operator: AuditActor; route: string };

export class UserAdminError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserAdminError";
  }
}

type Deps = { db: Sql; auth: Auth };

function actorOf(by: Changer): AuditActor {
  if ("operator" in by) return by.operator;
  const v = by.viewer;
  return { userId: v.userId, actor: v.email, role: v.role, tokenName: v.tokenName, address: v.address };
}

function assertAdmin(by: Changer, what: string): void {
  if ("operator" in by || can(by.viewer, { administration: ["users"] })) return;
  throw new AccessDeniedError(`${what} is for administrators.`, "role");
}

/** Whether `by` may manage the tokens of `ownerId`: their own, or anyone's for an admin. */
function assertTokenOwner(by: Changer, ownerId: string): void {
  if ("operator" in by) return;
  if (by.viewer.userId === ownerId ? can(by.viewer, { ownTokens: ["manage"] }) : can(by.viewer, { administration: ["tokens"] })) return;
  throw new AccessDeniedError("Only an administrator manages another user's tokens.", "role");
}

async function audit(deps: Deps, by: Changer, action: Parameters<typeof recordAudit>[1]["action"], detail: string): Promise<void> {
  await recordAudit(deps.db, { ...actorOf(by), action, route: by.route, detail });
}

/** A password of 20 random characters (about 120 bits), for a user added without one. */
export function generatePassword(): string {
  return randomBytes(15).toString("base64url");
}

async function checkPayers(db: Sql, payers: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(payers.map((p) => p.trim().toLowerCase()).filter(Boolean))];
  if (wanted.length === 0) return [];
  const known = await db.query<{ key: string }>(`SELECT key FROM payers WHERE key = ANY ($1::text[]) AND key <> 'unknown'`, [wanted]);
  const unknown = wanted.filter((k) => !known.some((r) => r.key === k));
  if (unknown.length > 0) {
    const all = await db.query<{ key: string }>(`SELECT key FROM payers WHERE key <> 'unknown' ORDER BY sort_order, display_name`);
    throw new UserAdminError(`Unknown payer ${unknown.join(", ")}: payers are ${all.map((r) => r.key).join(", ")} (Unknown payer is nobody's assignment).`);
  }
  return wanted;
}

function checkRole(role: string): Role {
  if (!isRole(role)) throw new UserAdminError(`Unknown role "${role}": roles are ${ROLES.join(", ")}.`);
  return role;
}

async function findUser(db: Sql, email: string): Promise<{ id: string; email: string; role: string | null; banned: boolean | null }> {
  const [user] = await db.query<{ id: string; email: string; role: string | null; banned: boolean | null }>(
    `SELECT id, email, role, banned FROM auth_users WHERE email = $1`,
    [normaliseEmail(email)],
  );
  if (!user) throw new UserAdminError(`No user ${normaliseEmail(email)}.`);
  return user;
}

async function writePayers(db: Sql, userId: string, payers: readonly string[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`DELETE FROM user_payers WHERE user_id = $1`, [userId]);
    if (payers.length > 0) {
      await tx.query(`INSERT INTO user_payers (user_id, payer_key) SELECT $1, unnest($2::text[])`, [userId, [...payers]]);
    }
  });
}

export type NewUser = { email: string; role: string; payers?: readonly string[]; password?: string; name?: string };

/** Adds a user. Payer relations must be assigned at least one payer (they would otherwise see
 *  nothing); other roles see every payer and take no assignment. Returns the password (the one
 *  given, or a generated one, shown once). */
export async function addUser(deps: Deps, by: Changer, input: NewUser): Promise<{ userId: string; email: string; password: string }> {
  assertAdmin(by, "Adding users");
  const role = checkRole(input.role);
  const email = normaliseEmail(input.email);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new UserAdminError(`"${input.email}" is not an email address.`);
  const payers = await checkPayers(deps.db, input.payers ?? []);
  if (isPayerScoped(role) && payers.length === 0) throw new UserAdminError("A payer-relations user needs --payers: the payers they may see (e.g. aetna,bcbs).");
  if (!isPayerScoped(role) && payers.length > 0) throw new UserAdminError(`The ${role} role sees every payer: --payers is for payer relations only.`);
  const password = input.password ?? generatePassword();
  if (password.length < 12) throw new UserAdminError("A password needs at least 12 characters.");
  const [existing] = await deps.db.query(`SELECT 1 FROM auth_users WHERE email = $1`, [email]);
  if (existing) throw new UserAdminError(`A user ${email} already exists.`);
  const { user } = await deps.auth.api.createUser({ body: { email, password, name: input.name ?? email.split("@")[0]!, role } });
  await writePayers(deps.db, user.id, payers);
  await audit(deps, by, "user_create", `user ${email} added as ${role}${payers.length ? `, payers ${payers.join(", ")}` : ""}`);
  return { userId: user.id, email, password };
}

export async function setRole(deps: Deps, by: Changer, email: string, role: string, payers: readonly string[] = []): Promise<void> {
  assertAdmin(by, "Changing roles");
  const user = await findUser(deps.db, email);
  const next = checkRole(role);
  const scope = await checkPayers(deps.db, payers);
  if (isPayerScoped(next) && scope.length === 0) throw new UserAdminError("A payer-relations user needs at least one payer.");
  if ("viewer" in by && by.viewer.userId === user.id && next !== "admin") throw new UserAdminError("An administrator cannot take their own admin role away.");
  const ctx = await deps.auth.$context;
  await ctx.internalAdapter.updateUser(user.id, { role: next });
  await writePayers(deps.db, user.id, isPayerScoped(next) ? scope : []);
  await audit(deps, by, "user_role", `user ${user.email}: role ${user.role ?? "none"} → ${next}${isPayerScoped(next) ? `, payers ${scope.join(", ")}` : ""}`);
}

export async function setPayers(deps: Deps, by: Changer, email: string, payers: readonly string[]): Promise<void> {
  assertAdmin(by, "Assigning payers");
  const user = await findUser(deps.db, email);
  if (!isRole(user.role) || !isPayerScoped(user.role)) throw new UserAdminError(`${user.email} is not a payer-relations user: every payer is in their view.`);
  const scope = await checkPayers(deps.db, payers);
  if (scope.length === 0) throw new UserAdminError("A payer-relations user needs at least one payer.");
  await writePayers(deps.db, user.id, scope);
  await audit(deps, by, "user_payers", `user ${user.email}: payers ${scope.join(", ")}`);
}

/** Disables a user: their sessions end now, their tokens stop working, and they cannot sign
 *  in. Nothing is deleted (the audit log keeps naming them). */
export async function disableUser(deps: Deps, by: Changer, email: string): Promise<void> {
  assertAdmin(by, "Disabling users");
  const user = await findUser(deps.db, email);
  if ("viewer" in by && by.viewer.userId === user.id) throw new UserAdminError("An administrator cannot disable their own account.");
  const ctx = await deps.auth.$context;
  await ctx.internalAdapter.updateUser(user.id, { banned: true, banReason: "disabled", banExpires: null });
  await ctx.internalAdapter.deleteUserSessions(user.id);
  await audit(deps, by, "user_disable", `user ${user.email} disabled`);
}

export async function enableUser(deps: Deps, by: Changer, email: string): Promise<void> {
  assertAdmin(by, "Enabling users");
  const user = await findUser(deps.db, email);
  const ctx = await deps.auth.$context;
  await ctx.internalAdapter.updateUser(user.id, { banned: false, banReason: null, banExpires: null });
  await audit(deps, by, "user_enable", `user ${user.email} enabled`);
}

/** Sets a new password (generated when none is given) and ends the user's sessions. */
export async function resetPassword(deps: Deps, by: Changer, email: string, password = generatePassword()): Promise<string> {
  assertAdmin(by, "Resetting passwords");
  const user = await findUser(deps.db, email);
  if (password.length < 12) throw new UserAdminError("A password needs at least 12 characters.");
  const ctx = await deps.auth.$context;
  const hash = await ctx.password.hash(password);
  const [credential] = await deps.db.query(`SELECT 1 FROM auth_accounts WHERE user_id = $1 AND provider_id = 'credential'`, [user.id]);
  if (credential) await ctx.internalAdapter.updatePassword(user.id, hash);
  else await ctx.internalAdapter.linkAccount({ providerId: "credential", accountId: user.id, userId: user.id, password: hash });
  await ctx.internalAdapter.deleteUserSessions(user.id);
  await audit(deps, by, "user_password", `user ${user.email}: password reset`);
  return password;
}

export async function listUsers(deps: Deps, by: Changer): Promise<UserSummary[]> {
  assertAdmin(by, "The list of users");
  return deps.db.query<UserSummary>(
    `SELECT u.id, u.email, u.name, u.role, coalesce(u.banned, false) AS disabled, u.created_at::text AS "createdAt",
       array(SELECT payer_key FROM user_payers WHERE user_id = u.id ORDER BY payer_key COLLATE "C") AS payers,
       (SELECT max(at)::text FROM audit_events WHERE user_id = u.id AND action = 'sign_in') AS "lastSignIn",
       array(SELECT provider_id FROM auth_accounts WHERE user_id = u.id ORDER BY provider_id) AS "signInMethods"
     FROM auth_users u ORDER BY u.email`,
  );
}

// ---------------------------------------------------------------------------------------------
// API tokens

export async function createToken(
  deps: Deps,
  by: Changer,
  input: { ownerEmail: string; name: string; days?: number },
): Promise<{ key: string; token: TokenSummary }> {
  const owner = await findUser(deps.db, input.ownerEmail);
  assertTokenOwner(by, owner.id);
  if (owner.banned) throw new UserAdminError(`${owner.email} is disabled.`);
  const name = input.name.trim();
  if (!/^[\w .@-]{1,64}$/.test(name)) throw new UserAdminError(`A token name is 1–64 letters, digits, spaces or . _ - @ (got "${input.name}").`);
  const days = input.days ?? TOKEN_DEFAULT_DAYS;
  if (!Number.isFinite(days) || days < 1 || days > TOKEN_MAX_DAYS) throw new UserAdminError(`A token lives from 1 to ${TOKEN_MAX_DAYS} days (got ${input.days}).`);
  const [taken] = await deps.db.query(`SELECT 1 FROM auth_api_keys WHERE reference_id = $1 AND name = $2 AND enabled`, [owner.id, name]);
  if (taken) throw new UserAdminError(`${owner.email} already has a token named "${name}": revoke it or choose another name.`);
  const created = await deps.auth.api.createApiKey({ body: { name, userId: owner.id, expiresIn: tokenLifetimeSeconds(days) } });
  const [token] = await listTokenRows(deps.db, { id: created.id });
  await audit(deps, by, "token_create", `token "${name}" of ${owner.email} created, expires ${token!.expiresAt?.slice(0, 10) ?? "never"}`);
  return { key: created.key, token: token! };
}

async function listTokenRows(db: Sql, where: { id?: string; ownerId?: string }): Promise<TokenSummary[]> {
  return db.query<TokenSummary>(
    `SELECT k.id, coalesce(k.name, '') AS name, k.start, k.reference_id AS "ownerId", u.email AS "ownerEmail",
       k.created_at::text AS "createdAt", k.expires_at::text AS "expiresAt", k.last_request::text AS "lastUsedAt",
       NOT coalesce(k.enabled, true) AS revoked
     FROM auth_api_keys k JOIN auth_users u ON u.id = k.reference_id
     WHERE ($1::text IS NULL OR k.id = $1) AND ($2::text IS NULL OR k.reference_id = $2)
     ORDER BY u.email, k.created_at DESC`,
    [where.id ?? null, where.ownerId ?? null],
  );
}

/** Tokens: a user's own, or everyone's for an admin (`ownerId` null). Expired tokens are
 *  removed by better-auth as it meets them; revoked ones stay listed. */
export async function listTokens(deps: Deps, by: Changer, ownerId: string | null): Promise<TokenSummary[]> {
  if (ownerId === null) assertAdmin(by, "Everyone's tokens");
  else assertTokenOwner(by, ownerId);
  return listTokenRows(deps.db, { ownerId: ownerId ?? undefined });
}

/** Revokes a token by id, or by name (with its owner when several users have one so named). */
export async function revokeToken(deps: Deps, by: Changer, which: { id: string } | { name: string; ownerEmail?: string }): Promise<TokenSummary> {
  const candidates =
    "id" in which
      ? await listTokenRows(deps.db, { id: which.id })
      : (await listTokenRows(deps.db, which.ownerEmail ? { ownerId: (await findUser(deps.db, which.ownerEmail)).id } : {})).filter(
          (t) => t.name === which.name && !t.revoked,
        );
  if (candidates.length === 0) throw new UserAdminError("id" in which ? "No such token." : `No active token named "${which.name}".`);
  if (candidates.length > 1) {
    throw new UserAdminError(`Several users have a token named "${(which as { name: string }).name}" (${candidates.map((t) => t.ownerEmail).join(", ")}): name the owner with --user.`);
  }
  const token = candidates[0]!;
  assertTokenOwner(by, token.ownerId);
  if (!token.revoked) {
    await deps.auth.api.updateApiKey({ body: { keyId: token.id, userId: token.ownerId, enabled: false } });
    await audit(deps, by, "token_revoke", `token "${token.name}" of ${token.ownerEmail} revoked`);
  }
  return { ...token, revoked: true };
}
