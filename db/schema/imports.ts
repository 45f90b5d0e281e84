import { bigint, date, integer, jsonb, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { importOutcome } from "./enums";

export type ImportFileLog = {
  file: string;
  bytes: number;
  sha256: string;
  rows: number;
  new: number;
  changed: number;
  unchanged: number;
};

// The import log (SPEC section 3, "Recorded"): one row per attempt, accepted or not.
export const importBatches = pgTable("import_batches", {
  id: serial("id").primaryKey(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
  finishedAt: timestamp("finished_at", { withTimezone: true }),
  importedBy: text("imported_by").notNull(),
  source: text("source").notNull(),
  outcome: importOutcome("outcome").notNull(),
  files: jsonb("files").$type<ImportFileLog[]>().notNull(),
  // The latest received_date of any claim line after this import: the data's as-of date
  // (SPEC section 5), read by every page without scanning the claims.
  dataAsOf: date("data_as_of", { mode: "string" }),
  rowCount: bigint("row_count", { mode: "number" }).notNull().default(0),
  errorCount: integer("error_count").notNull().default(0),
  // The first problems of a rejected import, as printed (`file:line: column: value: reason`).
  errors: jsonb("errors").$type<string[]>().notNull(),
  warnings: jsonb("warnings").$type<string[]>().notNull(),
});
