/**
 * PostgreSQL's binary COPY stream (`COPY … FROM STDIN WITH (FORMAT binary)`): a header, tuples,
 * a trailer. Callers write tuples (lib/import/copy-binary.ts); the client frames them. See the
 * PostgreSQL manual, "COPY", section "Binary Format".
 */

/** "PGCOPY\n\377\r\n\0", then a flags field and a header-extension length, both 0. */
export const BINARY_COPY_HEADER = Uint8Array.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);

/** A tuple field count of -1 ends the stream. */
export const BINARY_COPY_TRAILER = Uint8Array.from([0xff, 0xff]);

/** One COPY into a table: tuples are written as they are produced, and `end` completes it. */
export interface CopyIn {
  /** How many bytes of tuples to gather per `write`: small for a server (the stream is sent
   *  as it comes, and small buffers are reused memory), large for PGlite (each write is a
   *  COPY statement of its own). */
  readonly chunkBytes: number;
  /** Sends binary COPY tuples (no header or trailer); resolves when they are on their way, so
   *  the caller produces the next ones while the server stores these. */
  write(tuples: Uint8Array<ArrayBuffer>): Promise<void>;
  /** Completes the COPY; rejects with the server's error (a duplicate key, a bad value). */
  end(): Promise<void>;
  /** Abandons the COPY (the caller failed); the transaction is then rolled back. */
  abort(reason: Error): Promise<void>;
}

export type CopyOptions = {
  /** Writes the rows already frozen and their pages all-visible (COPY's FREEZE): the table
   *  must have been created or truncated in the current subtransaction (lib/import/load.ts). */
  freeze?: boolean;
};

export function binaryCopyStatement(table: string, columns: readonly string[], from: string, { freeze = false }: CopyOptions = {}): string {
  const cols = columns.map((c) => `"${c}"`).join(", ");
  return `COPY ${table} (${cols}) FROM ${from} WITH (FORMAT binary${freeze ? ", FREEZE" : ""})`;
}
