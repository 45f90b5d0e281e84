import { date, index, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { sex } from "./enums";
import { provenance } from "./provenance";

export const members = pgTable("members", {
  memberId: text("member_id").primaryKey(),
  birthDate: date("birth_date", { mode: "string" }).notNull(),
  sex: sex("sex").notNull(),
    ...provenance(),
});

// Enrollment spans. No foreign keys on member/plan: the importer checks them with a message
// that names file and line, and set-based loading is faster without per-row FK checks.
export const coverage = pgTable(
  "coverage",
  {
    memberId: text("member_id").notNull(),
    planId: text("plan_id").notNull(),
    startDate: date("start_date", { mode: "string" }).notNull(),
    endDate: date("end_date", { mode: "string" }),
    ...provenance(),
  },
  (t) => [
    primaryKey({ columns: [t.memberId, t.planId, t.startDate] }),
    // Attribution (D7) looks up the spans active for a member on a date.
    index("coverage_member_start_idx").on(t.memberId, t.startDate),
  ],
);
