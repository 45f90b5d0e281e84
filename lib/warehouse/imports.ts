import type { Sql } from "@/db/client";
import { importOutcomeSql, importRunningSql } from "@/lib/import/attempt";
import type { ImportFileLog } from "@/db/schema";

export type ImportLogEntry = {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  importedBy: string;
  outcome: string;
  files: ImportFileLog[];
  rowCount: number;
  errorCount: number;
  errors: string[];
  warnings: string[];
  dataAsOf: string | null;
};

/** The import log, newest first (SPEC section 3, "Recorded"), without the import running now.
 *  An attempt that was interrupted (its process killed, the database gone) reads as failed
 *  (lib/import/attempt.ts); it has no finish time. */
export async function listImports(db: Sql, limit = 50): Promise<ImportLogEntry[]> {
  return db.query<ImportLogEntry>(
    `SELECT b.id, b.started_at AS "startedAt", b.finished_at AS "finishedAt", b.imported_by AS "importedBy", ${importOutcomeSql("b")} AS outcome,
       b.files, b.row_count AS "rowCount", b.error_count AS "errorCount", b.errors, b.warnings, b.data_as_of AS "dataAsOf"
     FROM import_batches b WHERE NOT ${importRunningSql("b")} ORDER BY b.id DESC LIMIT $1`,
    [limit],
  );
}
