import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openPostgres, type Sql } from "@/db/client";
import { isConnectionError } from "@/db/availability";
import { importFolder } from "@/lib/import";
import { INTERRUPTED, type RunningImport } from "@/lib/import/attempt";
import { listImports } from "@/lib/warehouse/imports";
import { canMakeCluster, makeCluster } from "../support/own-cluster";
import { databaseUrl, ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { BASE_FILES, NOW, csv, dumpWarehouse, removeImportFolders, writeImportFolder } from "../support/import-folders";

// SPEC section 11: two imports at once are never mixed and never lost (the second waits for the
// first and is told so); an import cut off — its connection lost, the database stopped, its
// process killed (import-kill.test.ts) — is rolled back and shown as failed. Issue 13, item 20:
// attempts are numbered 1, 2, 3, … whatever their outcome; a dry run takes no number.

vi.setConfig({ testTimeout: 60_000 });
afterAll(() => removeImportFolders());

const MEMBERS_HEADER = "member_id,birth_date,sex";
// The connection holding attempt $1's lock in this database (other databases of the server have
// attempts of their own).
const ATTEMPT_LOCKS = `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 728402119 AND objid = $1::int AND granted
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

type Attempt = { id: number; outcome: string; finished: boolean; errors: string[] };
const attempts = async (db: Sql): Promise<Attempt[]> =>
  db.query<Attempt>(`SELECT id, outcome::text AS outcome, finished_at IS NOT NULL AS finished, errors FROM import_batches ORDER BY id`);

/** A second handle on the same warehouse: on PostgreSQL a connection pool of its own, as another
 *  process (`npm run import` beside the server) would have; on PGlite the same instance (one
 *  process holds it: db/lock.ts). */
async function secondHandle(db: TestDatabase): Promise<{ other: Sql; close: () => Promise<void> }> {
  if (db.engine === "pglite") return { other: db, close: async () => {} };
  const [{ name }] = (await db.query<{ name: string }>(`SELECT current_database() AS name`)) as [{ name: string }];
  const other = await openPostgres(databaseUrl(process.env.DATABASE_URL!, name));
  return { other, close: () => other.close() };
}

describe.each(ENGINES)("one import at a time, every attempt logged, on %s", (engine) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await freshDatabase(engine);
  });
  afterEach(() => db?.dispose());

  it("a second import started while the first runs waits for it, is told who holds the turn, and both are kept apart", async () => {
    expect((await importFolder(db, writeImportFolder(BASE_FILES), { importedBy: "base", now: NOW })).ok).toBe(true);
    const { other, close } = await secondHandle(db);
    try {
      const firstStaged = deferred();
      const secondWaits = deferred();
      const events: string[] = [];
      let told: RunningImport | null = null;
      const first = importFolder(db, writeImportFolder({ "members.csv": csv(MEMBERS_HEADER, "M4,1944-04-04,F", "M1,1950-03-15,M") }), {
        importedBy: "first",
        now: NOW,
        onStaged: async () => {
          firstStaged.resolve();
          await secondWaits.promise; // the second has tried, and found the turn taken
          if (engine === "postgres") {
            // Meanwhile the log, read by another connection: the running attempt is not listed,
            // and its row says failed until the import says otherwise.
            expect((await listImports(other)).map((i) => i.id)).toEqual([1]);
            expect((await attempts(other)).at(-1)).toEqual({ id: 2, outcome: "failed", finished: false, errors: [INTERRUPTED] });
          }
          events.push("first staged");
        },
      }).then((r) => (events.push("first done"), r));
      await firstStaged.promise;
      const second = importFolder(other, writeImportFolder({ "members.csv": csv(MEMBERS_HEADER, "M5,1945-05-05,F", "M1,1950-03-15,U") }), {
        importedBy: "second",
        now: NOW,
        onWait: (running) => {
          told = running;
          events.push("second waits");
          secondWaits.resolve();
        },
        onStaged: async () => void events.push("second staged"),
      }).then((r) => (events.push("second done"), r));
      const [a, b] = await Promise.all([first, second]);
      expect([a.problems, b.problems]).toEqual([[], []]);
      expect(events).toEqual(["second waits", "first staged", "first done", "second staged", "second done"]);
      expect(told).toEqual({ id: 2, importedBy: "first", startedAt: expect.any(String) });
      expect([a.batchId, b.batchId]).toEqual([2, 3]);
      // Each import's rows carry its own number; M1, changed by both, has the second's values.
      expect(await db.query(`SELECT member_id, sex::text AS sex, import_batch_id FROM members WHERE member_id IN ('M1', 'M4', 'M5') ORDER BY member_id`)).toEqual([
        { member_id: "M1", sex: "U", import_batch_id: 3 },
        { member_id: "M4", sex: "F", import_batch_id: 2 },
        { member_id: "M5", sex: "F", import_batch_id: 3 },
      ]);
      expect((await attempts(db)).map((x) => [x.id, x.outcome, x.finished])).toEqual([
        [1, "succeeded", true],
        [2, "succeeded", true],
        [3, "succeeded", true],
      ]);
    } finally {
      await close();
    }
  });

  it("attempts are numbered one after another whatever their outcome; a dry run takes no number", async () => {
    const good = writeImportFolder(BASE_FILES);
    const bad = writeImportFolder({ "members.csv": csv(MEMBERS_HEADER, "M9,2099-01-01,F") });
    const outcomes: [number | null, boolean][] = [];
    const note = (r: { batchId: number | null; ok: boolean }) => outcomes.push([r.batchId, r.ok]);
    note(await importFolder(db, good, { importedBy: "t", now: NOW }));
    note(await importFolder(db, bad, { importedBy: "t", now: NOW }));
    note(await importFolder(db, bad, { importedBy: "t", now: NOW }));
    note(await importFolder(db, good, { importedBy: "t", now: NOW, dryRun: true }));
    note(await importFolder(db, bad, { importedBy: "t", now: NOW, dryRun: true }));
    note(await importFolder(db, writeImportFolder({ "notes.txt": "x" }), { importedBy: "t", now: NOW }));
    note(await importFolder(db, good, { importedBy: "t", now: NOW }));
    expect(outcomes).toEqual([
      [1, true],
      [2, false],
      [3, false],
      [null, true],
      [null, false],
      [4, false],
      [5, true],
    ]);
    expect((await listImports(db)).map((i) => [i.id, i.outcome])).toEqual([
      [5, "succeeded"],
      [4, "rejected"],
      [3, "rejected"],
      [2, "rejected"],
      [1, "succeeded"],
    ]);
  });

  it("an attempt left running by an older version reads as failed, and is marked failed when the next import starts", async () => {
    await db.query(
      `INSERT INTO import_batches (started_at, imported_by, source, outcome, files, errors, warnings)
       VALUES (now(), 'old version', 'folder', 'running', '[]', '[]', '[]')`,
    );
    expect((await listImports(db)).map((i) => [i.id, i.outcome, i.finishedAt])).toEqual([[1, "failed", null]]);
    expect((await importFolder(db, writeImportFolder(BASE_FILES), { importedBy: "t", now: NOW })).batchId).toBe(2);
    expect((await attempts(db)).map((x) => [x.id, x.outcome, x.errors])).toEqual([
      [1, "failed", [INTERRUPTED]],
      [2, "succeeded", []],
    ]);
  });

  it.runIf(engine === "postgres")("an import whose connection is cut is rolled back and logged as failed", async () => {
    expect((await importFolder(db, writeImportFolder(BASE_FILES), { importedBy: "base", now: NOW })).ok).toBe(true);
    const before = await dumpWarehouse(db);
    const { other, close } = await secondHandle(db);
    try {
      const cut = importFolder(db, writeImportFolder({ "members.csv": csv(MEMBERS_HEADER, "M4,1944-04-04,F") }), {
        importedBy: "cut",
        now: NOW,
        onStaged: async () => {
          const holders = await other.query<{ pid: number }>(ATTEMPT_LOCKS, [2]);
          expect(holders).toHaveLength(1);
          await other.query(`SELECT pg_terminate_backend($1)`, [holders[0]!.pid]);
        },
      });
      const error = await withoutDriverCrash(() => cut.then(() => null, (e: unknown) => e));
      expect(isConnectionError(error), String(error)).toBe(true);
    } finally {
      await close();
    }
    expect(await dumpWarehouse(db)).toEqual(before);
    const [, cutAttempt] = await attempts(db);
    expect(cutAttempt).toMatchObject({ id: 2, outcome: "failed", finished: true });
    expect(cutAttempt!.errors.join("\n")).toMatch(/import failed: /);
    expect((await listImports(db)).map((i) => [i.id, i.outcome])).toEqual([
      [2, "failed"],
      [1, "succeeded"],
    ]);
    expect((await importFolder(db, writeImportFolder(BASE_FILES), { importedBy: "next", now: NOW })).batchId).toBe(3);
  });
});

// The database itself stopped under an import (a cluster of this test's own: the shared server
// is never stopped). The import cannot write its failure anywhere; its row, written before it
// began, already says failed.
const noCluster = ENGINES.includes("postgres") ? canMakeCluster() : "no PostgreSQL in this run";
describe.skipIf(noCluster !== null)("the database stopped under an import", () => {
  it("rolls it back; the attempt reads as failed once the database is back, and the next import runs", async () => {
    const cluster = makeCluster(5491, "dxa_turns");
    let db: Awaited<ReturnType<typeof openPostgres>> | null = null;
    try {
      db = await openPostgres(cluster.url());
      const { migrateDatabase } = await import("@/db/client");
      await migrateDatabase(db);
      expect((await importFolder(db, writeImportFolder(BASE_FILES), { importedBy: "base", now: NOW })).ok).toBe(true);
      const before = await dumpWarehouse(db);
      const stopped = importFolder(db, writeImportFolder({ "members.csv": csv(MEMBERS_HEADER, "M4,1944-04-04,F") }), {
        importedBy: "stopped",
        now: NOW,
        onStaged: async () => cluster.stop(),
      });
      const error = await withoutDriverCrash(async () => {
        const thrown = await stopped.then(() => null, (e: unknown) => e);
        cluster.start();
        for (let i = 0; i < 50 && !(await db!.query(`SELECT 1`).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 200));
        return thrown;
      });
      expect(isConnectionError(error), String(error)).toBe(true);
      expect(await dumpWarehouse(db)).toEqual(before);
      expect(await attempts(db)).toEqual([
        { id: 1, outcome: "succeeded", finished: true, errors: [] },
        { id: 2, outcome: "failed", finished: false, errors: [INTERRUPTED] },
      ]);
      expect((await listImports(db)).map((i) => [i.id, i.outcome, i.errors])).toEqual([
        [2, "failed", [INTERRUPTED]],
        [1, "succeeded", []],
      ]);
      const next = await importFolder(db, writeImportFolder({ "members.csv": csv(MEMBERS_HEADER, "M4,1944-04-04,F") }), { importedBy: "next", now: NOW });
      expect([next.ok, next.batchId]).toEqual([true, 3]);
    } finally {
      await db?.close().catch(() => {});
      cluster.destroy();
    }
  });
});

/** Runs `fn` while a known bug of postgres.js 3.4.9 is kept from failing the run: when the server
 *  shuts down or ends the connection's backend, a write the driver scheduled on it is made after
 *  its socket is gone and throws an uncaught TypeError (porsager/postgres#1154, #1208; fixes
 *  proposed upstream). It failed a CI run from the cut connection's test on 2026-11-29.
 *  It is the driver's, not the import's, and is reported to the lead; any other uncaught error
 *  still fails the test. */
async function withoutDriverCrash<T>(fn: () => Promise<T>): Promise<T> {
  const listeners = process.listeners("uncaughtException");
  const others: unknown[] = [];
  const tolerate = (error: unknown) => {
    const known = error instanceof TypeError && /reading 'write'/.test(error.message) && /nextWrite/.test(error.stack ?? "");
    if (!known) others.push(error);
  };
  process.removeAllListeners("uncaughtException");
  process.on("uncaughtException", tolerate);
  try {
    return await fn();
  } finally {
    // The driver's write is scheduled with setImmediate and may run after `fn` has settled.
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off("uncaughtException", tolerate);
    for (const listener of listeners) process.on("uncaughtException", listener);
    if (others.length > 0) throw others[0];
  }
}
