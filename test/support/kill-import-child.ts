// The import process that test/integration/import-kill.test.ts kills. Run with tsx from the
// repository root:
//
//   tsx test/support/kill-import-child.ts <dataDir | postgres URL> <folder> <staged | derive>
//
// It opens the warehouse, imports the folder and, at the chosen point inside the import's open
// transaction, prints `PAUSED <point> <pid>` and waits forever:
// - `staged`: in the importer's onStaged hook (every file read and checked, rows on their way);
// - `derive`: just after the first statement that touches derived_snapshots (rows upserted,
//   the import logged, derived facts being rebuilt).
// Should the import finish instead, it prints `FINISHED <result>` and exits.
import { openDatabase, type Sql } from "@/db/client";
import { importFolder } from "@/lib/import";

const [target, folder, point] = process.argv.slice(2);
if (!target || !folder || (point !== "staged" && point !== "derive")) {
  process.stderr.write("usage: kill-import-child.ts <dataDir | postgres URL> <folder> <staged | derive>\n");
  process.exit(2);
}

const NOW = new Date("2025-09-30T12:00:00Z");

async function pauseForever(): Promise<never> {
  process.stdout.write(`PAUSED ${point} ${process.pid}\n`);
  setInterval(() => {}, 1 << 30); // keeps the event loop (and so the process) alive
  return new Promise<never>(() => {});
}

/** The transaction's statements, pausing after the first one that touches derived_snapshots. */
function pausingAtDerive(tx: Sql): Sql {
  const after = async <T>(text: string, run: () => Promise<T>): Promise<T> => {
    const result = await run();
    if (/derived_snapshots/i.test(text)) await pauseForever();
    return result;
  };
  return {
    ...tx,
    query: (text, params) => after(text, () => tx.query(text, params)),
    exec: (text) => after(text, () => tx.exec(text)),
  };
}

const db = await openDatabase(target.startsWith("postgres") ? { databaseUrl: target } : { dataDir: target });
const sql: Sql =
  point === "derive" ? { ...db, transaction: (fn) => db.transaction((tx) => fn(pausingAtDerive(tx))) } : db;
const result = await importFolder(sql, folder, {
  importedBy: "kill-test",
  now: NOW,
  onStaged: point === "staged" ? pauseForever : undefined,
});
process.stdout.write(`FINISHED ${JSON.stringify({ ok: result.ok, problems: result.problems })}\n`);
await db.close();
