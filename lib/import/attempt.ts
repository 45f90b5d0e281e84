import type { Sql } from "@/db/client";
import type { ImportFileLog } from "@/db/schema";

// One import at a time, and every attempt in the log (SPEC sections 3 and 11).
//
// Turn. Imports of one warehouse run one after the other: on PostgreSQL the import's transaction
// holds an advisory lock (IMPORT_LOCK) from its first statement to its end, so an import of
// another process (an upload while `npm run import` runs, two uploads) waits for it; the server
// releases the lock with the transaction however it ends — commit, rollback, a killed process, a
// lost connection. The waiting import holds no connection while it waits: it tries again every
// half second. PGlite is opened by one process only (db/lock.ts); within it, imports queue on a
// promise per database instance. A second import therefore waits and is then run, never mixed
// with the first and never lost; a caller that wants to say so is told who holds the turn
// (`onWait`).
//
// Log row. Once an import has its turn, its row in import_batches is committed at once, outside
// the import's transaction, as `failed` with the message INTERRUPTED and no finish time. The
// import's transaction turns it into `succeeded` as its last write, so both commit together; a
// refusal or an error turns it into `rejected` or `failed` with the problems. Whatever stops an
// attempt before that — a killed process, the database going away — leaves the row as it was
// written first: failed. While the import runs, its transaction (PGlite: its session) holds a
// second advisory lock keyed by the row's id, which is how the log tells a running attempt from
// an interrupted one (importRunningSql). Rows of older versions left `running` read as failed
// too, and are marked so when the next import starts.
//
// Numbers. An attempt takes its number once it has the turn, for the row that it keeps to its
// end, so attempts are numbered 1, 2, 3, … in the order they got their turn, refused and failed
// ones included. A dry run takes none.

/** Advisory lock keys (the two-integer form, apart from the one-bigint form lib/measures uses):
 *  the import turn, and one per running attempt keyed by its import_batches id. */
const LOCK_CLASS = 728_402_118;
const ATTEMPT_CLASS = 728_402_119;
const POLL_MS = 500;

export const INTERRUPTED =
  "the import did not finish: its process or its connection to the database ended before it was done; nothing of it was kept";

/** Who holds the turn, as far as the log tells (a dry run has no log row: all null). */
export type RunningImport = { id: number | null; importedBy: string | null; startedAt: string | null };

export type TurnOptions = {
  /** Called once when the import must wait for another one, before it waits. */
  onWait?: (running: RunningImport) => void;
};

/** An SQL condition, over the import_batches row `alias`, that its import is running now. */
export function importRunningSql(alias: string): string {
  return `(${alias}.finished_at IS NULL AND EXISTS (
    SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.classid = ${ATTEMPT_CLASS}::oid AND l.objid = ${alias}.id::oid
      AND l.objsubid = 2 AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())))`;
}

/** The outcome of the import_batches row `alias` as a person should read it: the recorded one,
 *  except that an attempt of an older version left `running` and no longer running is failed.
 *  (An attempt of this version is recorded as failed until it ends otherwise.) */
export function importOutcomeSql(alias: string): string {
  return `CASE WHEN ${alias}.outcome = 'running' AND NOT ${importRunningSql(alias)} THEN 'failed' ELSE ${alias}.outcome::text END`;
}

export type LogEntry = {
  importedBy: string;
  startedAt: Date;
  outcome: "succeeded" | "rejected" | "failed";
  files: readonly ImportFileLog[];
  problems: { count: number; messages: readonly string[] };
  warnings: readonly string[];
};

/** Text as jsonb and text columns can keep it: PostgreSQL refuses NUL and the escape of a lone
 *  UTF-16 surrogate, which a problem may quote (a JSON parser's message shows the bytes it
 *  stopped at; a long value is cut, maybe inside a character). Each is kept as U+FFFD. */
export function storable(text: string): string {
  return text.replace(UNSTORABLE, "\uFFFD");
}

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function logValues(entry: LogEntry): unknown[] {
  const files: ImportFileLog[] = entry.files.map((f) => ({
    file: storable(f.file),
    bytes: f.bytes,
    sha256: f.sha256,
    rows: f.rows,
    new: f.new,
    changed: f.changed,
    unchanged: f.unchanged,
  }));
  return [
    entry.startedAt.toISOString(),
    storable(entry.importedBy),
    entry.outcome,
    JSON.stringify(files),
    files.reduce((n, f) => n + f.rows, 0),
    entry.problems.count,
    JSON.stringify(entry.problems.messages.map(storable)),
    JSON.stringify(entry.warnings.map(storable)),
  ];
}

/** Writes the final state of attempt `id` (SPEC section 3, "Recorded"). */
export async function completeAttempt(sql: Sql, id: number, entry: LogEntry): Promise<void> {
  await sql.query(
    `UPDATE import_batches SET started_at = $1, finished_at = now(), imported_by = $2, outcome = $3::import_outcome, files = $4::jsonb,
       row_count = $5, error_count = $6, errors = $7::jsonb, warnings = $8::jsonb
     WHERE id = $9`,
    [...logValues(entry), id],
  );
}

/** The attempt whose turn it is: its log row (null for a dry run), and where its outcome is
 *  written once the transaction is over. */
export type Turn = { id: number | null };

/**
 * Runs `body` in one transaction when it is this import's turn (above). Unless `dryRun`, the
 * attempt's log row is written first (failed, INTERRUPTED) and `body` gets its id. `after`
 * runs once the transaction has ended, with the error that ended it (or null): it writes a
 * refusal or failure to the log, while the attempt is still known to be running.
 */
export async function inImportTurn<T>(
  db: Sql,
  attempt: { importedBy: string; startedAt: Date; dryRun: boolean } & TurnOptions,
  body: (tx: Sql, turn: Turn) => Promise<T>,
  after: (turn: Turn, error: unknown) => Promise<void>,
): Promise<T> {
  if (db.engine === "pglite") return inPgliteTurn(db, attempt, body, after);
  const turn: Turn = { id: null };
  let told = false;
  for (;;) {
    let mine = false;
    let outcome: { value: T } | { error: unknown } | null = null;
    try {
      const value = await db.transaction(async (tx) => {
        const [got] = await tx.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(${LOCK_CLASS}, 0) AS ok`);
        if (!got!.ok) return NOT_MY_TURN;
        mine = true;
        if (!attempt.dryRun) {
          turn.id = await nextAttemptId(tx);
          await tx.query(`SELECT pg_advisory_xact_lock(${ATTEMPT_CLASS}, $1::int)`, [turn.id]);
          // Committed at once by another connection of the pool, so that it outlives this
          // transaction whatever ends it.
          await startAttempt(db, turn.id, attempt);
        }
        return body(tx, turn);
      });
      if (value === NOT_MY_TURN) {
        if (!told) {
          told = true;
          attempt.onWait?.(await runningImport(db));
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        continue;
      }
      outcome = { value: value as T };
    } catch (error) {
      if (!mine) throw error;
      outcome = { error };
    }
    await after(turn, "error" in outcome ? outcome.error : null);
    if ("error" in outcome) throw outcome.error;
    return outcome.value;
  }
}

const NOT_MY_TURN = Symbol("another import has the turn");

// PGlite: one process, one session. The queue is a promise per database instance (wrappers of
// one instance, such as a test's, share its `pglite`), with the attempt that has the turn: the
// log cannot be asked while that attempt's transaction holds the one session.
const queues = new WeakMap<object, { done: Promise<unknown>; running: RunningImport }>();

async function inPgliteTurn<T>(
  db: Sql,
  attempt: { importedBy: string; startedAt: Date; dryRun: boolean } & TurnOptions,
  body: (tx: Sql, turn: Turn) => Promise<T>,
  after: (turn: Turn, error: unknown) => Promise<void>,
): Promise<T> {
  const instance = (db as { pglite?: object }).pglite ?? db;
  const before = queues.get(instance);
  if (before) attempt.onWait?.({ ...before.running });
  const entry = { done: Promise.resolve() as Promise<unknown>, running: { id: null, importedBy: attempt.importedBy, startedAt: attempt.startedAt.toISOString() } as RunningImport };
  const mine = (before?.done ?? Promise.resolve()).catch(() => {}).then(async () => {
    const turn: Turn = { id: null };
    if (!attempt.dryRun) {
      turn.id = await nextAttemptId(db);
      entry.running.id = turn.id;
      // A session lock: held until released below, or until the process (and so the database)
      // is gone.
      await db.query(`SELECT pg_advisory_lock(${ATTEMPT_CLASS}, $1::int)`, [turn.id]);
    }
    try {
      if (turn.id !== null) await startAttempt(db, turn.id, attempt);
      let value: T;
      try {
        value = await db.transaction((tx) => body(tx, turn));
      } catch (error) {
        await after(turn, error);
        throw error;
      }
      await after(turn, null);
      return value;
    } finally {
      if (turn.id !== null) await db.query(`SELECT pg_advisory_unlock(${ATTEMPT_CLASS}, $1::int)`, [turn.id]).catch(() => {});
    }
  });
  if (attempt.dryRun) entry.running = { id: null, importedBy: null, startedAt: null };
  entry.done = mine;
  queues.set(instance, entry);
  try {
    return await mine;
  } finally {
    if (queues.get(instance) === entry) queues.delete(instance);
  }
}

/** The next import number: one more than the last, taken while this import has the turn (so no
 *  other attempt takes it), and the table's sequence moved along for anything else that adds a
 *  row. Not nextval() alone: PostgreSQL logs a sequence 32 values ahead, so an embedded database
 *  killed mid-import would skip numbers on its next start. */
async function nextAttemptId(sql: Sql): Promise<number> {
  const [row] = await sql.query<{ id: number }>(
    `SELECT setval(pg_get_serial_sequence('import_batches', 'id'), coalesce(max(id), 0) + 1)::int AS id FROM import_batches`,
  );
  return row!.id;
}

/** The attempt's first row, committed: failed until it says otherwise (above). Rows an older
 *  version left `running` are failed by now: only one import runs at a time, and it is this one. */
async function startAttempt(db: Sql, id: number, attempt: { importedBy: string; startedAt: Date }): Promise<void> {
  await db.query(
    `INSERT INTO import_batches (id, started_at, finished_at, imported_by, source, outcome, files, row_count, error_count, errors, warnings)
     VALUES ($1, $2, NULL, $3, 'folder', 'failed', '[]'::jsonb, 0, 1, $4::jsonb, '[]'::jsonb)`,
    [id, attempt.startedAt.toISOString(), storable(attempt.importedBy), JSON.stringify([INTERRUPTED])],
  );
  await db.query(
    `UPDATE import_batches SET outcome = 'failed', errors = $1::jsonb, error_count = 1 WHERE outcome = 'running' AND id <> $2`,
    [JSON.stringify([INTERRUPTED]), id],
  );
}

async function runningImport(db: Sql): Promise<RunningImport> {
  const [row] = await db.query<{ id: number; importedBy: string; startedAt: string }>(
    `SELECT b.id, b.imported_by AS "importedBy", b.started_at AS "startedAt" FROM import_batches b
     WHERE ${importRunningSql("b")} ORDER BY b.id DESC LIMIT 1`,
  );
  return row ?? { id: null, importedBy: null, startedAt: null };
}
