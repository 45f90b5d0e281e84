import { date, pgTable, text, index } from "drizzle-orm/pg-core";
import { orderIndication, orderStatus } from "./enums";
import { identifier } from "./identifier";
import { provenance } from "./provenance";

// The EHR order extract (orders.csv), as loaded. Derived orders live in derived.ts.
export const ehrOrders = pgTable(
  "ehr_orders",
  {
    orderId: identifier("order_id").primaryKey(),
    memberId: identifier("member_id").notNull(),
    orderDate: date("order_date", { mode: "string" }).notNull(),
    orderingNpi: text("ordering_npi"),
    indication: orderIndication("indication"),
    status: orderStatus("status").notNull().default("active"),
    ...provenance(),
  },
  // Derivation joins orders to a member's claim lines.
  (t) => [index("ehr_orders_member_date_idx").on(t.memberId, t.orderDate)],
);
