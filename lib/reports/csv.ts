import { stringify } from "csv-stringify/sync";
import type { RowCursor } from "@/db/cursor";

// RFC 4180 text through csv-stringify: comma separated, CRLF line ends, a cell quoted when it
// holds a comma, a double quote (doubled) or a line break. Cells arrive as text already
// formatted by cells.ts, so the writer only quotes. (With a record delimiter set, csv-stringify
// quotes a lone LF or CR in a cell only when asked to.)
const OPTIONS = { record_delimiter: "windows", quote_record_delimiter: true, quoted_empty: false, escape_formulas: false } as const;
export const CSV_OPTIONS = OPTIONS;

const NEEDS_QUOTES = /[",\r\n]/;

/** The CSV text of records (each ended by CRLF). A record none of whose cells needs quoting is
 *  joined directly: csv-stringify would write it the same (a unit test holds the two equal),
 *  at a seventh of the cost, which orders.csv needs for its rows per second (SPEC section 9).
 *  Any record with a cell to quote goes through csv-stringify. */
export function csvText(records: readonly (readonly string[])[]): string {
  let text = "";
  for (const record of records) {
    text += record.some((cell) => NEEDS_QUOTES.test(cell)) ? stringify([record as string[]], OPTIONS) : `${record.join(",")}\r\n`;
  }
  return text;
}

/** A client that has read nothing for this long has gone; its cursor is closed. */
export const IDLE_TIMEOUT_MS = 5 * 60_000;

export type CsvStreamOptions = {
  /** Closes the source when the request is aborted (the client went away). */
  signal?: AbortSignal;
  /** Called with the number of data rows written so far, after each batch. */
  onRows?: (rows: number) => void;
  idleTimeoutMs?: number;
  /** A UTF-8 byte-order mark before the header: spreadsheet programs (Excel) then read the
   *  file as UTF-8 (`≥11`, accented names) instead of their legacy code page. */
  bom?: boolean;
};

/** The UTF-8 byte-order mark (U+FEFF). */
export const UTF8_BOM = "\uFEFF";

/**
 * A UTF-8 CSV byte stream: the header, then each batch of the cursor as one chunk. It pulls
 * the next batch only when the consumer has taken the last one (backpressure), so memory holds
 * one batch whatever the size. The cursor is closed at the end, when the consumer cancels,
 * when the request is aborted, and when nobody has read for `idleTimeoutMs`.
 */
export function csvStream<T>(
  header: readonly string[],
  cursor: RowCursor<T>,
  toRecord: (row: T) => string[],
  options: CsvStreamOptions = {},
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let rows = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;
  let stop: (reason: Error) => void = () => {};
  const onAbort = () => stop(new Error("the request was aborted"));
  const cleanUp = () => {
    clearTimeout(idle);
    options.signal?.removeEventListener("abort", onAbort);
  };
  const timeout = options.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  const armIdle = () => {
    idle = setTimeout(() => stop(new Error(`nothing was read for ${timeout / 1000} s`)), timeout);
    idle.unref?.();
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        stop = (reason) => {
          cleanUp();
          void cursor.close();
          try {
            controller.error(reason);
          } catch {
            // already closed or errored
          }
        };
        if (options.signal?.aborted) return stop(new Error("the request was aborted"));
        options.signal?.addEventListener("abort", onAbort, { once: true });
        controller.enqueue(encoder.encode((options.bom ? UTF8_BOM : "") + csvText([header])));
        armIdle();
      },
      async pull(controller) {
        clearTimeout(idle);
        let batch: T[];
        try {
          batch = await cursor.next();
        } catch (error) {
          cleanUp();
          // The client sees a broken download, never a file that looks complete.
          controller.error(error);
          return;
        }
        if (batch.length === 0) {
          cleanUp();
          controller.close();
          return;
        }
        rows += batch.length;
        controller.enqueue(encoder.encode(csvText(batch.map(toRecord))));
        options.onRows?.(rows);
        armIdle();
      },
      async cancel() {
        cleanUp();
        await cursor.close();
      },
    },
    // One batch waiting beyond the one being written: the next FETCH runs while the client reads.
    { highWaterMark: 1 },
  );
}

/** A CSV of a handful of rows already in memory (an aggregate report), as a stream. */
export function csvStreamOf(header: readonly string[], records: readonly (readonly string[])[], options: { bom?: boolean } = {}): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode((options.bom ? UTF8_BOM : "") + csvText([header, ...records]));
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}
