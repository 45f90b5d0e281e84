import { integer } from "drizzle-orm/pg-core";

/** Where the current values of an imported row came from: the import batch and the line of
 *  its file. A data steward can trace any figure back to a file line. */
export const provenance = () => ({
  importBatchId: integer("import_batch_id").notNull(),
  sourceLine: integer("source_line").notNull(),
});
