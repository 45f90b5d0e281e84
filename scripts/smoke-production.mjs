// A production install serves the whole application (SPEC section 11): run after
// `npm ci && npm run build && npm prune --omit=dev` (CI does, .ci/run). Plain JavaScript with no
// development dependency: it makes an admin and a token with the operator's command, starts
// `next start` over a fresh embedded database, uploads the public deck through /api/imports,
// and asks for every page and report. Exit 0 when all answered as they should.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = process.cwd();
const PORT = 3160;
const BASE = `http://127.0.0.1:${PORT}`;
const DECK = path.join(ROOT, "test", "fixtures", "public-deck", "data");
const dataDir = mkdtempSync(path.join(os.tmpdir(), "dxa-production-"));
const { DATABASE_URL: _server, ...inherited } = process.env;
const env = { ...inherited, DXA_DATA_DIR: path.join(dataDir, "pglite"), AUTH_SECRET: "production-smoke-secret-of-32-characters", NODE_ENV: "production" };

function fail(message) {
  console.error(`production smoke test: ${message}`);
  process.exitCode = 1;
}

function users(...args) {
  const result = spawnSync("npm", ["run", "--silent", "users", "--", ...args], { env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`npm run users ${args.join(" ")}: ${result.stderr}${result.stdout}`);
  return result.stdout.trim().split("\n").at(-1);
}

async function main() {
  users("add", "admin@example.org", "--role", "admin", "--password", "production smoke password");
  const token = users("token", "admin@example.org", "--name", "smoke");
  const auth = { authorization: `Bearer ${token}` };
  const server = spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["start", "-H", "127.0.0.1", "-p", String(PORT)], { env, stdio: "inherit" });
  try {
    for (let i = 0; ; i++) {
      const up = await fetch(`${BASE}/sign-in`).then((r) => r.ok, () => false);
      if (up) break;
      if (i > 120) throw new Error("the server did not start within 60 s");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const form = new FormData();
    for (const name of readdirSync(DECK)) form.append("files", new Blob([readFileSync(path.join(DECK, name))], { type: "text/csv" }), name);
    const upload = await fetch(`${BASE}/api/imports`, { method: "POST", headers: auth, body: form });
    const result = await upload.json();
    if (upload.status !== 200 || !result.ok) fail(`the upload answered ${upload.status}: ${JSON.stringify(result).slice(0, 500)}`);
    const period = "from=2025-01-01&to=2025-12-31";
    for (const page of ["/", "/payers/aetna", "/orders", "/fractures", "/data", "/reports", "/account", "/admin", "/admin/audit"]) {
      const response = await fetch(`${BASE}${page}?${page.startsWith("/admin") ? "" : period}`, { headers: auth });
      if (response.status !== 200) fail(`${page} answered ${response.status}`);
      await response.text();
    }
    for (const report of ["measure-summary", "orders", "reconciliation", "audit"]) {
      const response = await fetch(`${BASE}/api/reports/${report}.csv${report === "audit" ? "" : `?${period}`}`, { headers: auth });
      const text = await response.text();
      if (response.status !== 200) fail(`${report}.csv answered ${response.status}: ${text.slice(0, 200)}`);
      // The deck's order follow-up over 2025 (its expected figures): 104 orders, 58 completed.
      if (report === "measure-summary" && !text.trimEnd().split("\r\n").at(-1).includes(",104,58,")) fail(`measure-summary.csv's total is not 104/58:\n${text}`);
    }
    if (!process.exitCode) console.log("production smoke test: every page and report served, the upload imported");
  } finally {
    server.kill("SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
