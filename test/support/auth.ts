import type { Sql } from "@/db/client";
import type { Database } from "@/db/client";
import type { Role } from "@/lib/access";
import { operator } from "@/lib/audit";
import type { AuthConfig } from "@/lib/auth/config";
import { createAuth, type Auth } from "@/lib/auth/server";
import { addUser, createToken } from "@/lib/auth/users";

/** Sign-in as configured for the tests: no APP_URL (whatever host the request names), the
 *  default limits. */
export const TEST_AUTH_CONFIG: AuthConfig = {
  secret: "test-secret-of-at-least-thirty-two-characters",
  appUrl: null,
  idleSeconds: 12 * 3600,
  failuresPerAccount: 5,
  failuresPerAddress: 20,
  failureWindowSeconds: 15 * 60,
  trustedProxies: [],
  oidc: null,
};

export function testAuth(db: Database, config: Partial<AuthConfig> = {}): Auth {
  return createAuth(db, { ...TEST_AUTH_CONFIG, ...config });
}

let counter = 0;

export type TestUser = { email: string; password: string; userId: string; token: string; headers: { authorization: string } };

/** A user of the role (payer relations: of `payers`) with an API token, made as the operator
 *  would make them; `headers` sign a request in as that user. */
export async function userWithToken(db: Database, auth: Auth, role: Role, payers: string[] = []): Promise<TestUser> {
  const deps = { db: db as Sql, auth };
  const by = { operator: operator("test"), route: "test" };
  const email = `${role.replace("_", ".")}.${++counter}.${process.pid}@example.org`;
  const password = "correct horse battery staple";
  const user = await addUser(deps, by, { email, role, payers, password });
  const { key } = await createToken(deps, by, { ownerEmail: email, name: "test" });
  return { email, password, userId: user.userId, token: key, headers: { authorization: `Bearer ${key}` } };
}
