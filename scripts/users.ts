// npm run users -- add|token|list|disable|enable|password|revoke …: the server operator's user
// and token administration (SPEC section 10). It runs on the server's machine against the
// warehouse and needs no sign-in; every change is audited as the operator's.
import { parseArgs } from "node:util";
import { configFromEnv, openDatabase, type Database } from "@/db/client";
import { DataDirBusyError } from "@/db/lock";
import { operator } from "@/lib/audit";
import { authConfigFromEnv } from "@/lib/auth/config";
import { ROLES } from "@/lib/auth/roles";
import { createAuth } from "@/lib/auth/server";
import { addUser, createToken, disableUser, enableUser, listTokens, listUsers, resetPassword, revokeToken, UserAdminError } from "@/lib/auth/users";
import { authDataDir } from "@/lib/auth/web";

const USAGE = `usage:
  npm run users -- add <email> --role ${ROLES.join("|")} [--payers aetna,bcbs] [--password <pw>] [--name <name>]
  npm run users -- token <email> [--name <name>] [--days <n>]     (prints the token alone on its last line)
  npm run users -- list
  npm run users -- disable <email>
  npm run users -- enable <email>
  npm run users -- password <email> [--password <pw>]              (a new password; ends the user's sessions)
  npm run users -- revoke <token name> [--user <email>]`;

async function run(db: Database, command: string, args: string[], values: Record<string, string | undefined>): Promise<number> {
  const deps = { db, auth: createAuth(db, authConfigFromEnv(process.env, authDataDir())) };
  const by = { operator: operator(`npm run users ${command}`), route: "npm run users" };
  const [subject] = args;
  const need = (what: string) => {
    if (!subject || args.length !== 1) throw new UserAdminError(`${command} takes one ${what}.\n${USAGE}`);
    return subject;
  };
  switch (command) {
    case "add": {
      if (!values.role) throw new UserAdminError(`add needs --role (${ROLES.join(", ")}).`);
      const payers = values.payers ? values.payers.split(",") : [];
      const user = await addUser(deps, by, { email: need("email"), role: values.role, payers, password: values.password, name: values.name });
      console.log(`Added ${user.email} (${values.role}${payers.length ? `: ${payers.join(", ")}` : ""}).`);
      if (!values.password) console.log(`Password (shown once): ${user.password}`);
      return 0;
    }
    case "token": {
      const days = values.days === undefined ? undefined : Number(values.days);
      const { key, token } = await createToken(deps, by, { ownerEmail: need("email"), name: values.name ?? "script", days });
      console.log(`Token "${token.name}" of ${token.ownerEmail}, expires ${token.expiresAt?.slice(0, 10)}. Shown once; send it as Authorization: Bearer <token>.`);
      console.log(key);
      return 0;
    }
    case "list": {
      const users = await listUsers(deps, by);
      if (users.length === 0) console.log("No users yet: add one with `npm run users -- add <email> --role admin`.");
      for (const u of users) {
        const payers = u.payers.length ? ` [${u.payers.join(", ")}]` : "";
        console.log(`${u.email}\t${u.role ?? "no role"}${payers}${u.disabled ? "\tDISABLED" : ""}\tlast sign-in ${u.lastSignIn?.slice(0, 16) ?? "never"}`);
      }
      const tokens = await listTokens(deps, by, null);
      if (tokens.length) console.log("\nTokens:");
      for (const t of tokens) {
        console.log(`${t.ownerEmail}\t"${t.name}"\t${t.start ?? ""}…\texpires ${t.expiresAt?.slice(0, 10) ?? "never"}\tlast used ${t.lastUsedAt?.slice(0, 16) ?? "never"}${t.revoked ? "\tREVOKED" : ""}`);
      }
      return 0;
    }
    case "disable":
      await disableUser(deps, by, need("email"));
      console.log(`Disabled ${subject}: their sessions ended and their tokens stopped working.`);
      return 0;
    case "enable":
      await enableUser(deps, by, need("email"));
      console.log(`Enabled ${subject}.`);
      return 0;
    case "password": {
      const password = await resetPassword(deps, by, need("email"), values.password);
      console.log(values.password ? `Password of ${subject} changed.` : `New password of ${subject} (shown once): ${password}`);
      return 0;
    }
    case "revoke": {
      const token = await revokeToken(deps, by, { name: need("token name"), ownerEmail: values.user });
      console.log(`Revoked token "${token.name}" of ${token.ownerEmail}.`);
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      role: { type: "string" },
      payers: { type: "string" },
      password: { type: "string" },
      name: { type: "string" },
      days: { type: "string" },
      user: { type: "string" },
    },
  });
  const [command, ...args] = positionals;
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  let db: Database;
  try {
    db = await openDatabase({ ...configFromEnv(), purpose: "npm run users" });
  } catch (error) {
    if (error instanceof DataDirBusyError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  try {
    return await run(db, command, args, values);
  } catch (error) {
    if (error instanceof UserAdminError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`users failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
