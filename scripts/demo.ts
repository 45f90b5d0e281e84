// npm run demo: from a fresh clone (after npm ci), an embedded warehouse with a synthetic data
// set of 20,000 members, built and served on http://localhost:3000. A second run reuses the data.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { configFromEnv, openDatabase, type Database } from "@/db/client";
import { authConfigFromEnv } from "@/lib/auth/config";
import { ensureDemoUsers, type DemoUser } from "@/lib/auth/demo-users";
import { ROLE_NAMES } from "@/lib/auth/roles";
import { createAuth } from "@/lib/auth/server";
import { authDataDir } from "@/lib/auth/web";
import { generateDataset } from "@/lib/generate";
import { importFolder } from "@/lib/import";
import { formatImportReport } from "@/lib/import/report";

const ROOT = process.cwd();
const NEXT = path.join(ROOT, "node_modules", ".bin", "next");
const DEMO_FOLDER = path.join(ROOT, ".data", "demo-import");
const DEMO_MEMBERS = 20_000;
const DEMO_SEED = 1;

// The demo users' passwords, kept beside the embedded database (mode 600) so that every run
// can print them: the warehouse itself stores only their hashes.
const CREDENTIALS = path.join(authDataDir(), "demo-credentials.json");

async function demoUsers(db: Database): Promise<DemoUser[]> {
  const known = existsSync(CREDENTIALS) ? (JSON.parse(readFileSync(CREDENTIALS, "utf8")) as Record<string, string>) : {};
  const users = await ensureDemoUsers({ db, auth: createAuth(db, authConfigFromEnv(process.env, authDataDir())) }, known);
  writeFileSync(CREDENTIALS, JSON.stringify(Object.fromEntries(users.map((u) => [u.email, u.password])), null, 2), { mode: 0o600 });
  return users;
}

async function loadDemoData(): Promise<DemoUser[]> {
  const db = await openDatabase({ ...configFromEnv(), purpose: "npm run demo (loading data)" });
  try {
    await importDemoData(db);
    return await demoUsers(db);
  } finally {
    await db.close();
  }
}

async function importDemoData(db: Database): Promise<void> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM claim_lines`);
  if ((row?.n ?? 0) > 0) {
    console.log(`The warehouse already holds ${row!.n} claim lines: keeping them.`);
    return;
  }
  if (!existsSync(path.join(DEMO_FOLDER, "claim_lines.csv"))) {
    console.log(`Generating ${DEMO_MEMBERS} synthetic members into ${path.relative(ROOT, DEMO_FOLDER)} …`);
    await generateDataset({ members: DEMO_MEMBERS, seed: DEMO_SEED, outDir: DEMO_FOLDER });
  }
  console.log("Importing …");
  const started = performance.now();
  const result = await importFolder(db, DEMO_FOLDER, { importedBy: "npm run demo" });
  console.log(formatImportReport(result, path.relative(ROOT, DEMO_FOLDER), (performance.now() - started) / 1000));
  if (!result.ok) throw new Error("the demo data did not import");
}

async function main(): Promise<void> {
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  const users = await loadDemoData();
  console.log("Building …");
  const build = spawnSync(NEXT, ["build"], { stdio: "inherit" });
  if (build.status !== 0) throw new Error("next build failed");
  const port = process.env.PORT ?? "3000";
  console.log(`\nDXA Tracker: http://localhost:${port}  (Ctrl+C to stop)\n`);
  console.log("Sign in as one of the demo users (one per role; passwords kept in .data/demo-credentials.json):");
  for (const u of users) console.log(`  ${ROLE_NAMES[u.role].padEnd(16)} ${u.email.padEnd(30)} ${u.password}${u.payers.length ? `   (payers: ${u.payers.join(", ")})` : ""}`);
  console.log("");
  // The server is started directly (not through npx) so that signals reach it.
  const server = spawn(NEXT, ["start", "-p", port], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
  server.on("exit", (code) => process.exit(code ?? 0));
}

main().catch((error) => {
  console.error(`Demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
