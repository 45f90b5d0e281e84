import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/db/client";
import { importFolder } from "@/lib/import";
import { databaseUrl, ENGINES, testTemplateName } from "../support/databases";
import { BASE_FHIR, coverage, eob, ndjson, patient, serviceRequest } from "../support/fhir-folders";
import { NOW, dumpWarehouse, removeImportFolders, writeImportFolder } from "../support/import-folders";

// SPEC 3b: a FHIR import is kill-safe like a CSV import (section 3, "Nothing lost"). The same
// child process as test/integration/import-kill.test.ts (test/support/kill-import-child.ts)
// imports a FHIR folder, stops inside its transaction — every resource staged and checked
// (`staged`), or its rows and resources written and the derived facts being rebuilt
// (`derive`) — and is killed with SIGKILL; the warehouse and the stored resources are then
// exactly as before.

const ROOT = path.resolve(import.meta.dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const CHILD = path.join(ROOT, "test/support/kill-import-child.ts");

// A changed patient, a new one with a span, a claim and an order, a new Organization name.
const SECOND_FILES = {
  "Patient.ndjson": ndjson(patient("p1", "1950-03-15", "female"), patient("p2", "1948-11-03", "male"), patient("p3", "1944-04-04", "female")),
  "Coverage.ndjson": ndjson(coverage("cov3", { patient: "p3", plan: "AET-PPO", name: "Aetna Choice POS II", payor: { reference: "Organization/o-aetna" }, code: "5", start: "2024-01-01" })),
  "ExplanationOfBenefit.ndjson": ndjson(eob("e9", { claim: "C9", patient: "p3", coverage: "cov3", created: "2025-06-01", items: [{ code: "77080", date: "2025-05-20" }] })),
  "ServiceRequest.ndjson": ndjson(serviceRequest("sr3", { patient: "p3", authoredOn: "2025-05-01", requester: { reference: "Practitioner/pr1" } })),
};

type Warehouse = { tables: Record<string, string>; resources: string; batches: { id: number; outcome: string }[] };

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
    resources: JSON.stringify(await db.query(`SELECT * FROM fhir_resources ORDER BY resource_type, id`)),
    batches: await db.query<{ id: number; outcome: string }>(`SELECT id, outcome::text AS outcome FROM import_batches ORDER BY id`),
  }));

/** Starts the import process; resolves with the importer's pid once it is paused at `point`.
 *  Both processes (tsx and the importer) are in a group of their own. */
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

describe.each(ENGINES)("killing a FHIR import on %s", (engine) => {
  let target: string;
  let dispose: () => Promise<void>;
  let secondFolder: string;

  beforeAll(async () => {
    if (engine === "pglite") {
      const dataDir = mkdtempSync(path.join(tmpdir(), "dxa-fhir-kill-"));
      target = dataDir;
      dispose = async () => {
        rmSync(dataDir, { recursive: true, force: true });
        rmSync(`${dataDir}.lock`, { force: true });
      };
    } else {
      const serverUrl = process.env.DATABASE_URL!;
      const name = `dxa_fhir_kill_${randomBytes(6).toString("hex")}`;
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
    const first = await withWarehouse(target, (db) => importFolder(db, writeImportFolder(BASE_FHIR), { importedBy: "test", now: NOW }));
    expect(first.problems).toEqual([]);
    secondFolder = writeImportFolder(SECOND_FILES);
  }, 120_000);
  afterAll(() => dispose?.());

  it.each(["staged", "derive"])("a FHIR import killed at %s leaves the warehouse and the resources as they were", async (point) => {
    const before = await readWarehouse(target);
    expect(before.batches.filter((b) => b.outcome === "succeeded")).toHaveLength(1);
    const { child, importerPid } = await startPausedImport(target, secondFolder, point);
    await killAndWait(child, importerPid);
    const after = await readWarehouse(target);
    expect(after.tables).toEqual(before.tables);
    expect(after.resources).toEqual(before.resources);
    expect(after.batches.slice(0, before.batches.length)).toEqual(before.batches);
    for (const batch of after.batches.slice(before.batches.length)) expect(batch.outcome).not.toBe("succeeded");
  });

  it("after the kills the same import runs to the end and changes what it should", async () => {
    const before = await readWarehouse(target);
    const result = await withWarehouse(target, (db) => importFolder(db, secondFolder, { importedBy: "test", now: NOW }));
    expect(result.problems).toEqual([]);
    expect(result.files.map((f) => [f.file, f.rows, f.new, f.changed, f.unchanged])).toEqual([
      ["Coverage.ndjson", 1, 1, 0, 0],
      ["ExplanationOfBenefit.ndjson", 1, 1, 0, 0],
      ["Patient.ndjson", 3, 1, 1, 1],
      ["ServiceRequest.ndjson", 1, 1, 0, 0],
    ]);
    // So the killed imports would have changed all of these: their leaving them intact is real.
    const after = await readWarehouse(target);
    expect(after.resources).not.toEqual(before.resources);
    for (const table of ["members", "coverage", "ehr_orders", "claim_lines", "derived_snapshots", "dxa_studies", "order_facts"]) {
      expect(after.tables[table], table).not.toEqual(before.tables[table]);
    }
  });
});
