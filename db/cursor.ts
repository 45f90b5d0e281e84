import type { Sql } from "./client";

/** One SQL statement with its $1… parameters. */
export type SqlStatement = { text: string; params: unknown[] };

/** Rows of a query read a batch at a time, so that memory holds one batch whatever the size. */
export interface RowCursor<T> {
  /** The next batch of rows; an empty array once every row has been read (the cursor has then
   *  closed itself). */
  next(): Promise<T[]>;
  /** Ends the read early (the client went away); safe to call more than once. */
  close(): Promise<void>;
}

export const FETCH_ROWS = 5000;
/** Batches fetched ahead of the one being written. */
export const READ_AHEAD = 2;

/**
 * Opens a server-side cursor (`DECLARE … CURSOR` in a transaction of its own, then `FETCH n`
 * per batch) over the statement. The same on PGlite and PostgreSQL through the `Sql` surface.
 * The transaction stays open until the last row has been read or `close` is called, so the
 * caller must do one or the other: on PostgreSQL it holds a pooled connection, and on PGlite
 * (one connection) every other query waits for it.
 *
 * Resolves once the cursor is declared, so that a statement the database refuses fails here,
 * before anything has been sent to a client.
 */
export async function openCursor<R, T = R>(
  db: Sql,
  statement: SqlStatement,
  mapRow: (row: R) => T,
  fetchRows: number = FETCH_ROWS,
): Promise<RowCursor<T>> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let failure: unknown = null;
  let declared!: (tx: Sql) => void;
  const ready = new Promise<Sql>((resolve) => (declared = resolve));

  const transaction = db.transaction(async (tx) => {
    await tx.query(`DECLARE report_rows NO SCROLL CURSOR FOR ${statement.text}`, statement.params);
    declared(tx);
    await released;
    // A read-only transaction: nothing to undo, but a failed FETCH leaves it aborted, and
    // throwing makes both engines roll back rather than attempt a commit.
    if (failure !== null) throw failure;
  });
  // Its outcome reaches the caller through open and next; this keeps it from being unhandled.
  const ended = transaction.then(
    () => undefined,
    () => undefined,
  );

  const tx = await Promise.race([
    ready,
    transaction.then(() => {
      throw new Error("the cursor's transaction ended before the cursor was declared");
    }),
  ]);

  let closed = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  // Batches are asked for ahead of the one handed out, so that the database keeps producing
  // while this process decodes and writes: FETCH statements queue up on the connection, and
  // the server starts the next as soon as it has sent one. Memory holds at most
  // READ_AHEAD + 1 batches.
  const ahead: Promise<R[]>[] = [];
  const fetchBatch = () => {
    const fetch = tx.query<R>(`FETCH ${fetchRows} FROM report_rows`);
    fetch.catch(() => {}); // its failure is met when it is awaited, or moot after close
    inFlight = fetch.catch(() => undefined);
    return fetch;
  };
  // FETCHes run in order on the one connection: once the last one asked for has answered,
  // none is under way and the transaction can end.
  let finishing: Promise<void> | null = null;
  const finish = () => {
    closed = true;
    ahead.length = 0;
    finishing ??= inFlight.then(() => {
      release();
      return ended;
    });
    return finishing;
  };

  return {
    async next() {
      if (closed) return [];
      const fetch = ahead.shift() ?? fetchBatch();
      let rows: R[];
      try {
        rows = await fetch;
      } catch (error) {
        failure = error;
        await finish();
        throw error;
      }
      // A short batch is the last one (FETCHes asked for past the end answer no rows): end the
      // transaction now rather than on one more round trip.
      if (rows.length < fetchRows) await finish();
      else while (!closed && ahead.length < READ_AHEAD) ahead.push(fetchBatch());
      return rows.map(mapRow);
    },
    close: finish,
  };
}
