import { date, index, pgTable, primaryKey } from "drizzle-orm/pg-core";
import { sex } from "./enums";
import { identifier } from "./identifier";
import { provenance } from "./provenance";

export const members = pgTable("members", {
  memberId: identifier("member_id").primaryKey(),
  birthDate: date("birth_date", { mode: "string" }).notNull(),
  sex: sex("sex").notNull(),
    ...provenance(),
});

// Enrollment spans. No foreign keys on member/plan: the importer checks them with a message
// that names file and line, and set-based loading is faster without per-row FK checks.
export const coverage = pgTable(
  "coverage",
  {
    memberId: identifier("member_id").notNull(),
    planId: identifier("plan_id").notNull(),
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
