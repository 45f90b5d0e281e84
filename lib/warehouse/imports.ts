import type { Sql } from "@/db/client";
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

/** The import log, newest first (SPEC section 3, "Recorded"). */
export async function listImports(db: Sql, limit = 50): Promise<ImportLogEntry[]> {
  return db.query<ImportLogEntry>(
    `SELECT id, started_at AS "startedAt", finished_at AS "finishedAt", imported_by AS "importedBy", outcome::text AS outcome,
       files, row_count AS "rowCount", error_count AS "errorCount", errors, warnings, data_as_of AS "dataAsOf"
     FROM import_batches WHERE outcome <> 'running' ORDER BY id DESC LIMIT $1`,
    [limit],
  );
}
