import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import { importFolder } from "@/lib/import";
import { INTERRUPTED } from "@/lib/import/attempt";
import { listImports } from "@/lib/warehouse/imports";
import { databaseUrl, ENGINES, testTemplateName } from "../support/databases";
import {
  BASE_FILES,
  CLAIM_HEADER,
  NOW,
  contractFiles,
  csv,
  dumpWarehouse,
  removeImportFolders,
  writeImportFolder,
} from "../support/import-folders";

// SPEC section 3, "Nothing lost": a crash or kill mid-import leaves the warehouse exactly as
// before it. A real import process (test/support/kill-import-child.ts, run with tsx) is
// stopped inside its transaction and killed with SIGKILL; the warehouse is then reopened.

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const CHILD = path.join(ROOT, "test/support/kill-import-child.ts");

// The second import: a changed plan name and a new plan (upserted through staging after the
// hook), a new member and a new claim line (loaded before it).
const SECOND_FILES = {
  "plans.csv": `${BASE_FILES["plans.csv"].replace("Blue Cross PPO", "Blue Cross PPO Plus")}CIG-1,Cigna Health,Cigna Open Access,commercial\n`,
  "members.csv": csv("member_id,birth_date,sex", "M4,1944-04-04,F"),
  "claim_lines.csv": csv(CLAIM_HEADER, "C9,1,1,2025-06-01,M4,CIG-1,professional,2025-05-20,77080,,22,paid,1,120.00,90.00,1234567893,M81.0"),
};

type Warehouse = { tables: Record<string, string>; batches: { id: number; outcome: string }[]; listed: { id: number; outcome: string; errors: string[] }[] };

async function withWarehouse<T>(target: string, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(target.startsWith("postgres") ? { databaseUrl: target } : { dataDir: target });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

const readWarehouse = (target: string): Promise<Warehouse> =>
  withWarehouse(target, async (db) => ({
    tables: await dumpWarehouse(db),
    batches: await db.query<{ id: number; outcome: string }>(`SELECT id, outcome::text AS outcome FROM import_batches ORDER BY id`),
    listed: (await listImports(db)).map(({ id, outcome, errors }) => ({ id, outcome, errors })),
  }));

/** Starts the import process and resolves with the importer's pid once it reports that it is
 *  paused at `point`. tsx runs the script in a child node process (the importer); both are in
 *  a process group of their own, so that a test that fails cannot leave either behind. */
function startPausedImport(target: string, folder: string, point: string): Promise<{ child: ChildProcess; importerPid: number }> {
  const child = spawn(TSX, [CHILD, target, folder, point], { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      killGroup(child);
      reject(new Error(`${why}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`the import did not reach "${point}" within 60 s`), 60_000);
    child.stderr!.on("data", (data: Buffer) => (stderr += data.toString()));
    child.stdout!.on("data", (data: Buffer) => {
      stdout += data.toString();
      const paused = new RegExp(`^PAUSED ${point} (\\d+)$`, "m").exec(stdout);
      if (paused) {
        clearTimeout(timer);
        resolve({ child, importerPid: Number(paused[1]) });
      } else if (/^FINISHED /m.test(stdout)) {
        fail(`the import finished without pausing at "${point}"`);
      }
    });
    child.on("exit", (code, signal) => {
      if (!/^PAUSED /m.test(stdout)) fail(`the import process exited (${code ?? signal}) before pausing`);
    });
  });
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}

/** True while the process exists and is not a zombie. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** SIGKILL to the importer itself; tsx, its parent, collects it and exits in turn. */
async function killAndWait(child: ChildProcess, importerPid: number): Promise<void> {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  process.kill(importerPid, "SIGKILL");
  const late = setTimeout(() => killGroup(child), 10_000);
  await exited;
  clearTimeout(late);
  for (let i = 0; i < 100 && isRunning(importerPid); i++) await new Promise((r) => setTimeout(r, 50));
  expect(isRunning(importerPid), `importer ${importerPid} still running`).toBe(false);
}

afterAll(() => removeImportFolders());

describe.each(ENGINES)("killing an import on %s", (engine) => {
  let target: string;
  let dispose: () => Promise<void>;
  let secondFolder: string;

  beforeAll(async () => {
    if (engine === "pglite") {
      // A file-based warehouse: one process at a time, so the parent closes it before the
      // import process opens it.
      const dataDir = mkdtempSync(path.join(tmpdir(), "dxa-kill-"));
      target = dataDir;
      dispose = async () => {
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(`${dataDir}.lock`, { force: true }); // left by a killed process, should one remain
      };
    } else {
      const serverUrl = process.env.DATABASE_URL!;
      const name = `dxa_kill_${randomBytes(6).toString("hex")}`;
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${testTemplateName(serverUrl)}`);
      await admin.end();
      target = databaseUrl(serverUrl, name);
      dispose = async () => {
        const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
        await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await dropper.end();
      };
    }
    const first = await withWarehouse(target, (db) => importFolder(db, writeImportFolder(BASE_FILES), { importedBy: "test", now: NOW }));
    expect(first.problems).toEqual([]);
    secondFolder = writeImportFolder(SECOND_FILES);
  });
  afterAll(() => dispose?.());

  it.each(["staged", "derive"])("an import killed at %s leaves the warehouse as it was", async (point) => {
    const before = await readWarehouse(target);
    expect(before.batches.filter((b) => b.outcome === "succeeded")).toHaveLength(1);

    const { child, importerPid } = await startPausedImport(target, secondFolder, point);
    await killAndWait(child, importerPid);

    const after = await readWarehouse(target);
    expect(after.tables).toEqual(before.tables);
    // The attempt is in the log, with the next number, as failed: its row was written before
    // the import began, and nothing could change it since (SPEC section 11).
    const attempt = { id: before.batches.at(-1)!.id + 1, outcome: "failed" };
    expect(after.batches).toEqual([...before.batches, attempt]);
    expect(after.listed[0]).toEqual({ ...attempt, errors: [INTERRUPTED] });
  });

  it("after the kills the same import runs to the end and changes what it should", async () => {
    const before = await readWarehouse(target);
    const result = await withWarehouse(target, (db) => importFolder(db, secondFolder, { importedBy: "test", now: NOW }));
    expect(result.problems).toEqual([]);
    // Numbered after the two killed attempts.
    expect(result.batchId).toBe(4);
    expect(contractFiles(result.files).map(({ file, rows, new: n, changed, unchanged }) => ({ file, rows, new: n, changed, unchanged }))).toEqual([
      { file: "plans.csv", rows: 4, new: 1, changed: 1, unchanged: 2 },
      { file: "members.csv", rows: 1, new: 1, changed: 0, unchanged: 0 },
      { file: "claim_lines.csv", rows: 1, new: 1, changed: 0, unchanged: 0 },
    ]);
    // So the killed imports would have changed the warehouse: their leaving it intact is real.
    const after = await readWarehouse(target);
    for (const table of ["plans", "members", "claim_lines", "derived_snapshots", "effective_lines", "dxa_studies"]) {
      expect(after.tables[table], table).not.toEqual(before.tables[table]);
    }
  });
});
