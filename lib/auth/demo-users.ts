import type { Sql } from "@/db/client";
import { operator } from "../audit";
import type { Role } from "./roles";
import type { Auth } from "./server";
import { addUser, generatePassword, resetPassword } from "./users";

// One user per role for `npm run demo` and the browser tests (SPEC section 10), so that the
// two-command start ends on a dashboard one can sign in to. Their addresses are in the
// example.org domain, reserved for examples: no real person has them.

export type DemoUser = { email: string; role: Role; payers: string[]; password: string };

export const DEMO_USERS: readonly Omit<DemoUser, "password">[] = [
  { email: "quality.officer@example.org", role: "quality_officer", payers: [] },
  { email: "payer.relations@example.org", role: "payer_relations", payers: ["aetna"] },
  { email: "data.steward@example.org", role: "data_steward", payers: [] },
  { email: "admin@example.org", role: "admin", payers: [] },
];

/**
 * Makes sure each demo user exists with a known password: a new user gets the password given
 * (or a generated one); an existing one keeps its account, and gets the given password, or
 * keeps its own when `known` has it (the demo's saved credentials). Returns every user with
 * its password.
 */
export async function ensureDemoUsers(
  deps: { db: Sql; auth: Auth },
  known: Partial<Record<string, string>>,
  fixed?: Partial<Record<string, string>>,
): Promise<DemoUser[]> {
  const by = { operator: operator("demo users"), route: "npm run demo" };
  const users: DemoUser[] = [];
  for (const user of DEMO_USERS) {
    const [exists] = await deps.db.query(`SELECT 1 FROM auth_users WHERE email = $1`, [user.email]);
    let password = fixed?.[user.email] ?? known[user.email];
    if (!exists) {
      password ??= generatePassword();
      await addUser(deps, by, { ...user, password, name: user.email.split("@")[0]!.replace(".", " ") });
    } else if (!password || fixed?.[user.email]) {
      password = await resetPassword(deps, by, user.email, password ?? generatePassword());
    }
    users.push({ ...user, password });
  }
  return users;
}
