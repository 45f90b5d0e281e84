import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it, vi } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import { importFolder } from "@/lib/import";
import { databaseUrl, ENGINES, testTemplateName } from "../support/databases";
import { BASE_FILES, NOW, csv, removeImportFolders, writeImportFolder } from "../support/import-folders";

// `npm run import` (scripts/import.ts) as the operator runs it: every run is audited as the
// operator (SPEC section 10), imports and dry runs alike; and on PostgreSQL, while another
// process (the web server's upload) imports, the command says so and waits for it (SPEC 11).

vi.setConfig({ testTimeout: 120_000 });
afterAll(() => removeImportFolders());

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs the command; `onStderr` sees its error output as it comes. */
function command(env: NodeJS.ProcessEnv, args: string[], onStderr?: (text: string) => void): Promise<Run> {
  const child = spawn(TSX, ["scripts/import.ts", ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr);
  });
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

type Audit = { actor: string; role: string | null; user_id: string | null; route: string; rows: number | null; detail: string };

describe.each(ENGINES)("npm run import on %s", (engine) => {
  async function warehouse(): Promise<{ env: NodeJS.ProcessEnv; open: () => Promise<Database>; dispose: () => Promise<void> }> {
    const base = { ...process.env };
    delete base.DATABASE_URL;
    if (engine === "pglite") {
      const dir = mkdtempSync(path.join(tmpdir(), "dxa-command-"));
      const dataDir = path.join(dir, "pglite");
      return { env: { ...base, DXA_DATA_DIR: dataDir }, open: () => openDatabase({ dataDir }), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
    }
    const server = process.env.DATABASE_URL!;
    const name = `dxa_cmd_${randomBytes(6).toString("hex")}`;
    const admin = postgres(server, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${testTemplateName(server)}`);
    await admin.end();
    const url = databaseUrl(server, name);
    return {
      env: { ...base, DATABASE_URL: url },
      open: () => openDatabase({ databaseUrl: url }),
      dispose: async () => {
        const dropper = postgres(server, { max: 1, onnotice: () => {} });
        await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await dropper.end();
      },
    };
  }

  it("every run is audited as the operator: an import, a dry run, a refusal", async () => {
    const w = await warehouse();
    try {
      const good = writeImportFolder(BASE_FILES);
      const bad = writeImportFolder({ "members.csv": csv("member_id,birth_date,sex", "M5,2099-01-01,F") });
      const dry = await command(w.env, [bad, "--dry-run"]);
      const imported = await command(w.env, [good]);
      const again = await command(w.env, [good, "--dry-run"]);
      const refused = await command(w.env, [bad]);
      expect([dry.code, imported.code, again.code, refused.code]).toEqual([1, 0, 0, 1]);
      expect(dry.stderr).toMatch(/Dry run of .*: the import would be refused: 1 problem\. Nothing was written and nothing logged\./);
      expect(imported.stdout).toMatch(/^Imported .* \(import #1\)/);
      expect(again.stdout).toMatch(/^Dry run of .*: the import would be accepted\./);
      expect(refused.stderr).toMatch(/rejected: 1 problem\. Nothing was written \(logged as import #2\)\.\n\nFiles:\n {2}members\.csv: 1 row read\n\nProblems:\n {2}members\.csv:2: birth_date: 2099-01-01: is after today/);
      const db = await w.open();
      try {
        const audit = await db.query<Audit>(`SELECT actor, role, user_id, route, rows, detail FROM audit_events WHERE action = 'import' ORDER BY id`);
        const operator = { actor: "operator (npm run import)", role: null, user_id: null, route: "npm run import" };
        expect(audit).toEqual([
          { ...operator, rows: 0, detail: expect.stringMatching(/^dry run: would refuse .*: members\.csv$/) },
          { ...operator, rows: 20, detail: expect.stringMatching(/^imported .*: plans\.csv, members\.csv, coverage\.csv, orders\.csv, claim_lines\.csv \(import #1\)$/) },
          { ...operator, rows: 0, detail: expect.stringMatching(/^dry run: would import .*: plans\.csv, members\.csv, coverage\.csv, orders\.csv, claim_lines\.csv$/) },
          { ...operator, rows: 0, detail: expect.stringMatching(/^refused .*: members\.csv \(import #2\)$/) },
        ]);
      } finally {
        await db.close();
      }
    } finally {
      await w.dispose();
    }
  });

  it.runIf(engine === "postgres")("while an upload imports, the command says so, waits, and then imports", async () => {
    const w = await warehouse();
    const db = await w.open();
    try {
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let staged!: () => void;
      const holding = new Promise<void>((r) => (staged = r));
      const upload = importFolder(db, writeImportFolder(BASE_FILES), {
        importedBy: "steward@example.org (web upload)",
        now: NOW,
        onStaged: async () => {
          staged();
          await released;
        },
      });
      await holding;
      const run = command(w.env, [writeImportFolder({ "members.csv": csv("member_id,birth_date,sex", "M4,1944-04-04,F") })], (stderr) => {
        if (/this one waits/.test(stderr)) release();
      });
      const [uploaded, ran] = await Promise.all([upload, run]);
      expect(uploaded.batchId).toBe(1);
      expect(ran.stderr).toMatch(/^Import #1 by steward@example\.org \(web upload\), started .*, is running on this warehouse: this one waits for it to finish\.$/m);
      expect(ran.code).toBe(0);
      expect(ran.stdout).toMatch(/^Imported .* \(import #2\)/);
      expect(await db.query(`SELECT id, outcome::text AS outcome FROM import_batches ORDER BY id`)).toEqual([
        { id: 1, outcome: "succeeded" },
        { id: 2, outcome: "succeeded" },
      ]);
    } finally {
      await db.close();
      await w.dispose();
    }
  });
});
