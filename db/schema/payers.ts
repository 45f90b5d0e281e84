import { boolean, index, integer, pgTable, text } from "drizzle-orm/pg-core";
import { productLine } from "./enums";
import { identifier } from "./identifier";
import { provenance } from "./provenance";

// One row per payer. The five listed payers (SPEC section 2) and "Unknown payer" are seeded by
// the first migration; any other payer name met in plans.csv adds a row (key = slug of name).
export const payers = pgTable("payers", {
  key: identifier("key").primaryKey(),
  displayName: text("display_name").notNull(),
  // Listed payers first in SPEC order, then others by name, Unknown payer last.
  sortOrder: integer("sort_order").notNull(),
  listed: boolean("listed").notNull().default(false),
});

export const plans = pgTable(
  "plans",
  {
    planId: identifier("plan_id").primaryKey(),
    payerKey: identifier("payer_key")
      .notNull()
      .references(() => payers.key),
    planName: text("plan_name").notNull(),
    productLine: productLine("product_line").notNull(),
    ...provenance(),
  },
  // Payer pages list a payer's plans.
  (t) => [index("plans_payer_key_idx").on(t.payerKey)],
);
