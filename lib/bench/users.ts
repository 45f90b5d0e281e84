import type { Database } from "@/db/client";
import { operator } from "@/lib/audit";
import { createAuth } from "@/lib/auth/server";
import { addUser } from "@/lib/auth/users";
import { BENCH_AUTH_SECRET } from "./server";

// Signed-in users for the benchmark's page timings and concurrent load: real users of the
// warehouse, added as the operator adds them (`npm run users -- add`: better-auth's createUser,
// audited), then each signed in once over HTTP at the running server's own sign-in endpoint,
// exactly as the sign-in page posts it, so that every later request carries a session cookie
// the server checks as it checks a browser's.

export type SignedInUser = { email: string; cookie: string };
export type SignIns = { users: SignedInUser[]; seconds: number; rateLimited: number };

const PASSWORD = "benchmark-password-0123";

function authFor(db: Database) {
  return createAuth(db, {
    secret: BENCH_AUTH_SECRET,
    appUrl: null,
    idleSeconds: 12 * 3600,
    failuresPerAccount: 5,
    failuresPerAddress: 20,
    failureWindowSeconds: 900,
    trustedProxies: [],
    oidc: null,
  });
}

const emailOf = (prefix: string, i: number) => `${prefix}-${i}@benchmark.invalid`;

/** Adds `count` quality officers (who may open every page), unless they exist already. Done
 *  before the server starts: an embedded database is open in one process at a time. */
export async function addBenchmarkUsers(db: Database, count: number, prefix = "bench"): Promise<string[]> {
  const auth = authFor(db);
  const by = { operator: operator("benchmark"), route: "bench" };
  const emails: string[] = [];
  for (let i = 1; i <= count; i++) {
    const email = emailOf(prefix, i);
    const [exists] = await db.query(`SELECT 1 FROM auth_users WHERE email = $1`, [email]);
    if (!exists) await addUser({ db, auth }, by, { email, role: "quality_officer", password: PASSWORD });
    emails.push(email);
  }
  return emails;
}

/**
 * Signs each user in at `base` (POST /api/auth/sign-in/email from the server's own origin, as
 * the sign-in form does). Sign-in is rate limited per address (30 a minute, lib/auth/server.ts)
 * and every user here comes from 127.0.0.1: a refusal (429) is waited out as its Retry-After
 * says, and counted, rather than dodged with made-up forwarded addresses.
 */
export async function signIn(base: string, emails: string[]): Promise<SignIns> {
  const started = performance.now();
  const users: SignedInUser[] = [];
  let rateLimited = 0;
  // The limit's window is a minute; a sign-in still refused after three is a fault.
  const deadline = Date.now() + 180_000;
  for (const email of emails) {
    for (;;) {
      const response = await fetch(`${base}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: base },
        body: JSON.stringify({ email, password: PASSWORD }),
        redirect: "manual",
      });
      await response.arrayBuffer();
      if (response.status === 429 && Date.now() < deadline) {
        rateLimited++;
        const wait = Number(response.headers.get("retry-after") ?? "10");
        await new Promise((resolve) => setTimeout(resolve, (Number.isFinite(wait) && wait > 0 ? wait : 10) * 1000 + 250));
        continue;
      }
      const cookies = response.headers.getSetCookie().map((c) => c.split(";")[0]!);
      if (!response.ok || cookies.length === 0) throw new Error(`benchmark user ${email} could not sign in (${response.status})`);
      users.push({ email, cookie: cookies.join("; ") });
      break;
    }
  }
  return { users, seconds: (performance.now() - started) / 1000, rateLimited };
}
