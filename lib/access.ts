import { isPayerScoped, roleCan, ROLE_NAMES, type Permission, type Role } from "./auth/roles";

// Who is asking, and what they may see (SPEC section 10). Every read takes the viewer; the
// permission table itself is lib/auth/roles.ts.

export type { Role } from "./auth/roles";

export type Viewer = {
  userId: string;
  email: string;
  name: string;
  role: Role;
  /** Payer keys this viewer may see; null = all payers. */
  payerScope: readonly string[] | null;
  /** The API token the request came with, by name; null for a browser session. */
  tokenName: string | null;
  /** The client's address, as the audit log records it. */
  address: string | null;
};

/** A viewer's payer scope as a query parameter: null for every payer. An empty scope stays an
 *  empty list, which matches no row: a viewer assigned no payer sees nothing, never everything
 *  (the request context refuses such a viewer first; the queries fail closed anyway). */
export const payerScopeParam = (viewer: Pick<Viewer, "payerScope">): string[] | null => (viewer.payerScope === null ? null : [...viewer.payerScope]);

export type MemberLevelList = "orders" | "episodes" | "reconciliation";

export function can(viewer: Viewer, permission: Permission): boolean {
  return roleCan(viewer.role, permission);
}

export function canSeeMemberLevel(viewer: Viewer, list: MemberLevelList): boolean {
  return can(viewer, { memberLevel: [list] });
}

/** Suppression is always on for a payer-scoped viewer (payer relations), and on request for
 *  anyone (an export marked for external sharing). */
export function suppressionApplies(viewer: Viewer, requested: boolean): boolean {
  return requested || isPayerScoped(viewer.role);
}

/** A request the viewer's role or payer assignment does not allow (an HTTP 403). `message`
 *  is for the viewer: it never names what lies outside their assignment. */
export class AccessDeniedError extends Error {
  constructor(
    message: string,
    readonly reason: "member_level" | "payer_scope" | "role",
  ) {
    super(message);
    this.name = "AccessDeniedError";
  }
}

/** A member-level read asked for by a viewer whose role may not see that list. */
export class MemberLevelAccessError extends AccessDeniedError {
  constructor(viewer: Viewer, list: MemberLevelList) {
    super(`${LIST_NAMES[list]} ${list === "episodes" ? "are" : "is"} member-level: not for the ${ROLE_NAMES[viewer.role].toLowerCase()} role.`, "member_level");
    this.name = "MemberLevelAccessError";
  }
}

const LIST_NAMES: Record<MemberLevelList, string> = {
  orders: "The list of orders",
  episodes: "Fracture episodes",
  reconciliation: "The reconciliation list",
};

/** Throws unless the viewer may see that member-level list. Every member-level read calls it
 *  first. */
export function assertMemberLevel(viewer: Viewer, list: MemberLevelList): void {
  if (!canSeeMemberLevel(viewer, list)) throw new MemberLevelAccessError(viewer, list);
}

export function assertCan(viewer: Viewer, permission: Permission, what: string): void {
  if (!can(viewer, permission)) throw new AccessDeniedError(`${what} is not for the ${ROLE_NAMES[viewer.role].toLowerCase()} role.`, "role");
}
