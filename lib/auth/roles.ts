import { createAccessControl } from "better-auth/plugins/access";
import { adminAc, defaultStatements } from "better-auth/plugins/admin/access";

// What each role may do (SPEC section 10), as better-auth access-control statements, so that
// the admin plugin and the product read one table. Every permission check of the product goes
// through `can`; pages, reports, uploads and the admin screens never compare role names.

export const ROLES = ["quality_officer", "payer_relations", "data_steward", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_NAMES: Record<Role, string> = {
  quality_officer: "Quality officer",
  payer_relations: "Payer relations",
  data_steward: "Data steward",
  admin: "Administrator",
};

const statements = {
  ...defaultStatements,
  /** Aggregate pages and measure-summary.csv: over every payer, or only the assigned ones. */
  payers: ["all", "assigned"],
  /** Member-level lists: the worklist and orders.csv, fracture episodes, reconciliation rows. */
  memberLevel: ["orders", "episodes", "reconciliation"],
  /** Loading files through /data (the command line needs no sign-in). */
  imports: ["run"],
  /** Users, everyone's tokens and the audit log; every user manages their own tokens. */
  administration: ["users", "tokens", "audit"],
  ownTokens: ["manage"],
} as const;

export const accessControl = createAccessControl(statements);

export const roles = {
  quality_officer: accessControl.newRole({
    payers: ["all"],
    memberLevel: ["orders", "episodes", "reconciliation"],
    ownTokens: ["manage"],
  }),
  payer_relations: accessControl.newRole({
    payers: ["assigned"],
    ownTokens: ["manage"],
  }),
  data_steward: accessControl.newRole({
    payers: ["all"],
    memberLevel: ["reconciliation"],
    imports: ["run"],
    ownTokens: ["manage"],
  }),
  admin: accessControl.newRole({
    ...adminAc.statements,
    payers: ["all"],
    memberLevel: ["orders", "episodes", "reconciliation"],
    imports: ["run"],
    administration: ["users", "tokens", "audit"],
    ownTokens: ["manage"],
  }),
};

export type Permission =
  | { memberLevel: ("orders" | "episodes" | "reconciliation")[] }
  | { imports: ["run"] }
  | { administration: ("users" | "tokens" | "audit")[] }
  | { ownTokens: ["manage"] };

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Whether a role has a permission (all of the actions listed). */
export function roleCan(role: Role, permission: Permission): boolean {
  return roles[role].authorize(permission as never).success;
}

/** Whether a role sees only the payers assigned to the user (suppression is then always on). */
export function isPayerScoped(role: Role): boolean {
  return roles[role].authorize({ payers: ["assigned"] }).success && !roles[role].authorize({ payers: ["all"] }).success;
}
