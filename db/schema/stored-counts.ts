import { date, index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { productLine } from "./enums";
import { identifier } from "./identifier";

// The data page's counts (lib/warehouse/stored-counts.ts), computed by each successful import
// inside its own transaction, right after it derives the data's snapshot: the page reads them
// instead of counting millions of rows on its first view after the import, and a reader never
// sees the counts of another snapshot than the facts beside them (one transaction writes both).

// What the warehouse holds (the data page's cards), one row per snapshot: the data's own. Its
// build time is the snapshot's (derived_snapshots.built_at) when it was counted; the counts of
// this table's companions below are read only through a row whose build time is still the
// snapshot's, so that a snapshot derived again outside an import (a rebuild) is counted as before.
export const snapshotCounts = pgTable("snapshot_counts", {
  asOf: date("as_of", { mode: "string" }).primaryKey(),
  builtAt: timestamp("built_at", { withTimezone: true, mode: "string" }).notNull(),
  members: integer("members").notNull(),
  plans: integer("plans").notNull(),
  ehrOrders: integer("ehr_orders").notNull(),
  claimLines: integer("claim_lines").notNull(),
});

// Plans and members ever covered of each payer (Unknown payer left out), in the page's order.
export const snapshotPayerCounts = pgTable(
  "snapshot_payer_counts",
  {
    asOf: date("as_of", { mode: "string" }).notNull(),
    payerKey: identifier("payer_key").notNull(),
    payerName: text("payer_name").notNull(),
    position: integer("position").notNull(),
    plans: integer("plans").notNull(),
    members: integer("members").notNull(),
  },
  (t) => [primaryKey({ columns: [t.asOf, t.payerKey] })],
);

// Reconciliation findings (SPEC sections 6 and 7) per kind, day (study, order or service date)
// and plan: the data page's counts for any period, payers, plans and product lines, summed from
// a period's days and plans rather than counted from its studies, orders and lines. plan_id is
// null (payer_key 'unknown') for what no plan could be attributed to.
// No index may hold as_of: a claims refresh re-keys these rows to the new as-of date as it
// re-keys the snapshot's tables (db/schema/derived.ts), by dropping as_of and adding it back.
// The columns of a count of findings, by kind and plan, for a day or a month.
const findingCounts = () => ({
  asOf: date("as_of", { mode: "string" }).notNull(),
  finding: text("finding").notNull(),
  payerKey: identifier("payer_key").notNull(),
  planId: identifier("plan_id"),
  productLine: productLine("product_line"),
  findings: integer("findings").notNull(),
});

export const reconciliationDays = pgTable(
  "reconciliation_days",
  { ...findingCounts(), day: date("day", { mode: "string" }).notNull() },
  // The data page reads the days of a period's partial months.
  (t) => [index("reconciliation_days_day_idx").on(t.day)],
);

// The same per month (its first day): a period's whole months are read here, a dozen rows of each
// kind and plan a year instead of 365, and only its partial months at either end by day.
export const reconciliationMonths = pgTable(
  "reconciliation_months",
  { ...findingCounts(), month: date("month", { mode: "string" }).notNull() },
  (t) => [index("reconciliation_months_month_idx").on(t.month)],
);
