// The servers the browser tests run against (test/e2e/servers.ts): the public deck on the
// embedded database, an empty one, a generated data set, and — when DATABASE_URL names a
// PostgreSQL server — the public deck on a database of its own there. Each gets the demo users
// (one per role, with the tests' passwords) and an API token per user, written to
// test-results/e2e-tokens.json for the tests that call the API as a script would.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { openDatabase, type Database } from "@/db/client";
import { operator } from "@/lib/audit";
import { ensureDemoUsers } from "@/lib/auth/demo-users";
import { createAuth } from "@/lib/auth/server";
import { createToken } from "@/lib/auth/users";
import { generateDataset } from "@/lib/generate";
import { importFolder } from "@/lib/import";
import { ACCOUNTS, EMPTY, GENERATED, LOADED, LOADED_POSTGRES, ROLES, TOKENS_FILE, WITH_POSTGRES, type E2EServer, type Tokens } from "../test/e2e/servers";

const ROOT = process.cwd();
const NEXT = path.join(ROOT, "node_modules", ".bin", "next");
const DECK = path.join(ROOT, "test", "fixtures", "public-deck", "data");
// A synthetic data set from the generator, as a user would load one (fixed seed: same files).
const GENERATED_FILES = path.join(ROOT, "test-results", "e2e-generated-files");
const AUTH_SECRET = "e2e-secret-of-at-least-thirty-two-characters";
const PASSWORDS = Object.fromEntries(ROLES.map((role) => [ACCOUNTS[role].email, ACCOUNTS[role].password]));

// CMS249's 27 official test cases (FHIR Bundles), imported after the generated files so that the
// CMS249 card has FHIR data to show on one server (test/e2e/cms249.spec.ts); the deck's servers
// keep none, so that they show the card without it.
const CMS249_CASES = path.join(ROOT, "test", "fixtures", "cms249", "cases");
const CMS249_CASES_FOLDER = path.join(ROOT, "test-results", "e2e-cms249-cases");

type Plan = { server: E2EServer; folder: string | null; database: "pglite" | "postgres"; alsoImport?: string };
const PLANS: Plan[] = [
  { server: LOADED, folder: DECK, database: "pglite" },
  { server: GENERATED, folder: GENERATED_FILES, database: "pglite", alsoImport: CMS249_CASES_FOLDER },
  { server: EMPTY, folder: null, database: "pglite" },
  ...(WITH_POSTGRES ? [{ server: LOADED_POSTGRES, folder: DECK, database: "postgres" as const }] : []),
];

/** A fresh PostgreSQL database for the e2e server on DATABASE_URL's server; dropped on exit. */
async function freshPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL!;
  const name = `dxa_e2e_${process.pid}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await dropper.end();
    },
  };
}

async function prepare(db: Database, folder: string | null, alsoImport?: string): Promise<Record<string, string>> {
  for (const f of [folder, alsoImport]) {
    if (!f) continue;
    const result = await importFolder(db, f, { importedBy: "e2e" });
    if (!result.ok) throw new Error(`e2e data did not import:\n${result.problems.join("\n")}`);
  }
  const auth = createAuth(db, {
    secret: AUTH_SECRET,
    appUrl: null,
    idleSeconds: 12 * 3600,
    failuresPerAccount: 5,
    failuresPerAddress: 20,
    failureWindowSeconds: 900,
    trustedProxies: [],
    oidc: null,
  });
  await ensureDemoUsers({ db, auth }, {}, PASSWORDS);
  const tokens: Record<string, string> = {};
  for (const role of ROLES) {
    const { key } = await createToken({ db, auth }, { operator: operator("e2e"), route: "e2e" }, { ownerEmail: ACCOUNTS[role].email, name: "e2e" });
    tokens[role] = key;
  }
  return tokens;
}

async function main(): Promise<void> {
  if (!process.env.E2E_SKIP_BUILD) {
    const build = spawnSync(NEXT, ["build"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("next build failed");
  }
  rmSync(GENERATED_FILES, { recursive: true, force: true });
  await generateDataset({ members: 3000, seed: 11, outDir: GENERATED_FILES });
  rmSync(CMS249_CASES_FOLDER, { recursive: true, force: true });
  mkdirSync(CMS249_CASES_FOLDER, { recursive: true });
  for (const file of readdirSync(CMS249_CASES).filter((f) => f.endsWith(".json"))) copyFileSync(path.join(CMS249_CASES, file), path.join(CMS249_CASES_FOLDER, file));
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  const tokens: Tokens = {};
  for (const { server, folder, database, alsoImport } of PLANS) {
    const { DATABASE_URL: _serverUrl, ...inherited } = process.env;
    const env: NodeJS.ProcessEnv = { ...inherited, PORT: String(server.port), AUTH_SECRET };
    let db: Database;
    if (database === "postgres") {
      const fresh = await freshPostgresDatabase();
      cleanups.push(fresh.drop);
      env.DATABASE_URL = fresh.url;
      db = await openDatabase({ databaseUrl: fresh.url });
    } else {
      const dataDir = path.join(ROOT, "test-results", `e2e-${server.name}`, "pglite");
      rmSync(path.dirname(dataDir), { recursive: true, force: true });
      env.DXA_DATA_DIR = dataDir;
      db = await openDatabase({ dataDir, purpose: "e2e set-up" });
    }
    try {
      tokens[server.name] = (await prepare(db, folder, alsoImport)) as Tokens[string];
    } finally {
      await db.close();
    }
    children.push(spawn(NEXT, ["start", "-H", server.host, "-p", String(server.port)], { stdio: "inherit", env }));
  }
  mkdirSync(path.dirname(TOKENS_FILE), { recursive: true });
  writeFileSync(TOKENS_FILE, JSON.stringify(tokens, null, 2), { mode: 0o600 });
  const stop = async () => {
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(cleanups.map((c) => c()));
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  for (const child of children) child.on("exit", (code) => code && process.exit(code));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
