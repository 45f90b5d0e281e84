import { pgEnum } from "drizzle-orm/pg-core";

// Fixed vocabularies of SPEC sections 2 and 3. Values are stored exactly as users write them.
export const productLine = pgEnum("product_line", [
  "commercial",
  "medicare_advantage",
  "medicare_ffs",
  "medicaid",
  "other",
]);
export const sex = pgEnum("sex", ["F", "M", "U"]);
export const orderIndication = pgEnum("order_indication", [
  "screening",
  "fracture",
  "glucocorticoid",
  "monitoring",
  "other",
]);
export const orderStatus = pgEnum("order_status", ["active", "cancelled"]);
export const claimType = pgEnum("claim_type", ["professional", "institutional"]);
export const lineStatus = pgEnum("line_status", ["paid", "denied", "pending"]);
export const orderSource = pgEnum("order_source", ["ehr", "claim"]);
export const importOutcome = pgEnum("import_outcome", ["running", "succeeded", "rejected", "failed"]);
