import { date, index, integer, numeric, pgTable, primaryKey, smallint, text } from "drizzle-orm/pg-core";
import { claimType, lineStatus } from "./enums";
import { identifier } from "./identifier";
import { provenance } from "./provenance";

// claim_lines.csv as loaded: every version of every claim is kept, so that an earlier as-of
// date can be replayed (SPEC section 5). Codes are stored normalised: upper case, diagnosis
// codes without dots, modifiers as an array.
export const claimLines = pgTable(
  "claim_lines",
  {
    claimId: identifier("claim_id").notNull(),
    receivedDate: date("received_date", { mode: "string" }).notNull(),
    frequencyCode: smallint("frequency_code").notNull(),
    lineNumber: integer("line_number").notNull(),
    memberId: identifier("member_id").notNull(),
    planId: identifier("plan_id").notNull(),
    claimType: claimType("claim_type").notNull(),
    serviceDate: date("service_date", { mode: "string" }).notNull(),
    procedureCode: identifier("procedure_code").notNull(),
    modifiers: text("modifiers").array().notNull(),
    placeOfService: text("place_of_service"),
    lineStatus: lineStatus("line_status").notNull(),
    units: integer("units").notNull().default(1),
    billedAmount: numeric("billed_amount", { precision: 14, scale: 2 }),
    paidAmount: numeric("paid_amount", { precision: 14, scale: 2 }),
    renderingNpi: text("rendering_npi"),
    diagnosisCodes: text("diagnosis_codes").array().notNull(),
    ...provenance(),
  },
  // The key, and the member: a full derivation reads the whole table, and each index slows the
  // load of millions of lines (lib/import/load.ts says how each engine keeps that small). The
  // member index serves the member record, which shows every line of one member: without it
  // each record scanned all the lines (0.5–1.7 s at 2,000,000 members). The data's as-of date
  // is kept on the import log instead. The import batch's block range index (a few pages, next
  // to nothing to keep while loading) finds a monthly refresh's lines: most are in the pages
  // the table grew by, but once the table has been vacuumed some land in older pages' free
  // space, which without it only a scan of every line finds (lib/derive/incremental.ts).
  (t) => [
    primaryKey({ columns: [t.claimId, t.receivedDate, t.frequencyCode, t.lineNumber] }),
    index("claim_lines_member_idx").on(t.memberId),
    index("claim_lines_import_batch_brin").using("brin", t.importBatchId),
  ],
);
