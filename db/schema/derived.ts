import { sql } from "drizzle-orm";
import { boolean, date, doublePrecision, index, integer, jsonb, pgTable, smallint, text, timestamp } from "drizzle-orm/pg-core";
import { lineStatus, orderIndication, orderSource, orderStatus, productLine } from "./enums";
import { identifier } from "./identifier";

// Derived facts of SPEC section 4, derived in SQL by lib/derive after every import.
// Every derived row belongs to a snapshot: the as-of date it was derived for (claim versions
// received after it and EHR orders dated after it are left out). The default snapshot (as-of
// = latest received_date) is derived by each import — in full, or for the members a claims
// refresh touched (lib/derive/incremental.ts); earlier ones are built on demand.
// Attribution (D7) is stored on each fact: plan_id is null and payer_key 'unknown' when no
// plan could be attributed.
//
// No index holds as_of. A claims refresh moves the data's as-of date, and with it the key of
// every row of its snapshot; the refresh re-keys a table by dropping as_of and adding it back
// with the new date as its default, which PostgreSQL records once in the catalogue instead of
// rewriting millions of rows — possible only for a column no index contains. Earlier snapshots
// (at most two, lib/measures/snapshot.ts) share the indexes, whose reads filter on as_of.
export const derivedSnapshots = pgTable("derived_snapshots", {
  asOf: date("as_of", { mode: "string" }).primaryKey(),
  builtAt: timestamp("built_at", { withTimezone: true }).notNull(),
  // The import batch the snapshot was derived after; an older snapshot is stale.
  importBatchId: integer("import_batch_id"),
});

// What the data's own snapshot was last derived from, for the next import to decide whether it
// may derive incrementally (lib/derive/incremental.ts): the import batch, the storage of each
// warehouse table (a table emptied or rewritten outside an import forces a full derivation) and
// the snapshot's fact counts. One row at most.
export const derivationBasis = pgTable("derivation_basis", {
  snapshotAsOf: date("snapshot_as_of", { mode: "string" }).notNull(),
  importBatchId: integer("import_batch_id"),
  storage: jsonb("storage").$type<Record<string, number>>().notNull(),
  // The snapshot's counts of effective lines, studies, orders and episodes (the import report's).
  facts: jsonb("facts").$type<{ effectiveLines: number; studies: number; orders: number; fractureEpisodes: number }>().notNull(),
});

// D1: the lines of each claim's winning version (voided claims have none) that DXA tracking
// reads: bone density, 3096F and 3095F codes, and lines with a fragility-fracture diagnosis.
export const effectiveLines = pgTable(
  "effective_lines",
  {
    asOf: date("as_of", { mode: "string" }).notNull(),
    claimId: identifier("claim_id").notNull(),
    lineNumber: integer("line_number").notNull(),
    receivedDate: date("received_date", { mode: "string" }).notNull(),
    memberId: identifier("member_id").notNull(),
    planId: identifier("plan_id").notNull(),
    serviceDate: date("service_date", { mode: "string" }).notNull(),
    procedureCode: identifier("procedure_code").notNull(),
    modifiers: text("modifiers").array().notNull(),
    // Modifier 8P ("not ordered" / "not done") on a 3096F or 3095F line.
    hasNotPerformed: boolean("has_not_performed").notNull(),
    lineStatus: lineStatus("line_status").notNull(),
    renderingNpi: text("rendering_npi"),
    diagnosisCodes: text("diagnosis_codes").array().notNull(),
  },
  // No primary key: the table is written in bulk from claim_lines' own key, and a unique index
  // would double the cost of every rebuild.
  (t) => [
    // Reconciliation lists other bone density codes of a period.
    index("effective_lines_code_date_idx").on(t.procedureCode, t.serviceDate),
    // … and the data page the first ten of them by date: in date order from here, where the
    // index above gives each code's in date order and all of them had to be sorted (110 ms at
    // 2,000,000 members, 0.6 ms this way). The codes are lib/derive/codes.ts's
    // OTHER_BONE_DENSITY_CODES, written as the query writes them, so that the planner can tell
    // that the query's rows are all in this index.
    index("effective_lines_other_codes_idx").on(t.serviceDate).where(sql.raw(`procedure_code IN ('77081', '77086', '77078', '76977', 'G0130')`)),
    // An incremental derivation replaces and re-reads the lines of the members it touches.
    index("effective_lines_member_idx").on(t.memberId),
  ],
);

// D2: one row per central DXA study (77080/77085 lines of a member within 7 days of its start).
export const dxaStudies = pgTable(
  "dxa_studies",
  {
    asOf: date("as_of", { mode: "string" }).notNull(),
    memberId: identifier("member_id").notNull(),
    studyDate: date("study_date", { mode: "string" }).notNull(),
    lineCount: integer("line_count").notNull(),
    deniedLineCount: integer("denied_line_count").notNull(),
    hasGlobal: boolean("has_global").notNull(),
    hasTc: boolean("has_tc").notNull(),
    hasProfessional: boolean("has_professional").notNull(),
    billingComplete: boolean("billing_complete").notNull(),
    // D5: first effective 3095F (without 8P) in [study date, study date + 30], if any.
    resultDate: date("result_date", { mode: "string" }),
    planId: identifier("plan_id"),
    payerKey: identifier("payer_key").notNull(),
  },
  (t) => [
    // Per member: an incremental derivation, orders' first study, reconciliation.
    index("dxa_studies_member_idx").on(t.memberId, t.studyDate),
    // Reconciliation and figures read a period's studies.
    index("dxa_studies_date_idx").on(t.studyDate),
  ],
);

// D3–D5: every order (EHR rows and claim-only 3096F clusters) with its outcome facts.
// Whether it is completed for a window W is `days_to_scan <= W`: the first study on or after
// the order date is the completing one for every W that it falls within.
export const orderFacts = pgTable(
  "order_facts",
  {
    asOf: date("as_of", { mode: "string" }).notNull(),
    orderId: identifier("order_id").notNull(),
    source: orderSource("source").notNull(),
    memberId: identifier("member_id").notNull(),
    orderDate: date("order_date", { mode: "string" }).notNull(),
    status: orderStatus("status").notNull(),
    orderingNpi: text("ordering_npi"),
    indication: orderIndication("indication"),
    captured: boolean("captured").notNull(),
    planId: identifier("plan_id"),
    payerKey: identifier("payer_key").notNull(),
    productLine: productLine("product_line"),
    studyDate: date("study_date", { mode: "string" }),
    daysToScan: integer("days_to_scan"),
    resultDocumented: boolean("result_documented").notNull(),
  },
  (t) => [
    // The worklist, orders.csv and reconciliation read a period's orders.
    index("order_facts_period_idx").on(t.orderDate, t.payerKey),
    // Per member: an incremental derivation, reconciliation's studies without an order.
    index("order_facts_member_idx").on(t.memberId, t.orderDate),
  ],
);

// D6: fragility fracture episodes (180-day clusters of qualifying lines, member 50+).
export const fractureEpisodes = pgTable(
  "fracture_episodes",
  {
    asOf: date("as_of", { mode: "string" }).notNull(),
    memberId: identifier("member_id").notNull(),
    episodeDate: date("episode_date", { mode: "string" }).notNull(),
    lineCount: integer("line_count").notNull(),
    planId: identifier("plan_id"),
    payerKey: identifier("payer_key").notNull(),
    productLine: productLine("product_line"),
    // First non-cancelled order or DXA study in [episode date, episode date + 180].
    followUpDate: date("follow_up_date", { mode: "string" }),
    followUpDays: smallint("follow_up_days"),
  },
  (t) => [
    // The fractures page lists a period's open episodes.
    index("fracture_episodes_period_idx").on(t.episodeDate),
    // An incremental derivation replaces the episodes of the members it touches.
    index("fracture_episodes_member_idx").on(t.memberId),
  ],
);

// Claims lag by payer (received date − service date of original submissions received in the 12
// months up to the as-of date), for data completeness and provisional months (SPEC section 5).
// The row whose payer_key is null holds the figures over every payer: no payer's key (a payer
// may well be called "All") can be taken for it.
export const claimsLag = pgTable(
  "claims_lag",
  {
    asOf: date("as_of", { mode: "string" }).notNull(),
    payerKey: identifier("payer_key"),
    lines: integer("lines").notNull(),
    medianDays: doublePrecision("median_days").notNull(),
    p90Days: doublePrecision("p90_days").notNull(),
  },
  // One row per payer and one all-payer row per snapshot (a handful of rows: no index).
);

// The claims lag's histogram: original lines received in the 365 days up to the as-of date, per
// received date, payer and lag in days. A claims refresh adds its lines and drops the days that
// left the window, and the percentiles of claims_lag are read from it exactly (SPEC section 5).
export const claimsLagDays = pgTable("claims_lag_days", {
  asOf: date("as_of", { mode: "string" }).notNull(),
  receivedDate: date("received_date", { mode: "string" }).notNull(),
  payerKey: identifier("payer_key").notNull(),
  lagDays: integer("lag_days").notNull(),
  lines: integer("lines").notNull(),
});

// Daily cubes: the measures' counts per anchor day and plan, so that a dashboard's cost depends
// on the number of days and plans, not on the number of orders or claim lines. Exact: maturity
// (anchor + W ≤ as-of) is decided per day, and completion per window is counted per W.
// plan_id is null (payer_key 'unknown') for what no plan could be attributed to.
export const orderDays = pgTable(
  "order_days",
  {
    asOf: date("as_of", { mode: "string" }).notNull(),
    orderDate: date("order_date", { mode: "string" }).notNull(),
    payerKey: identifier("payer_key").notNull(),
    planId: identifier("plan_id"),
    productLine: productLine("product_line"),
    // Every order, cancelled ones included: a row whose count falls to 0 in an incremental
    // derivation goes, as a full one would never have made it.
    orders: integer("orders").notNull(),
    // Live (not cancelled) orders, and of them those completed within W days …
    live: integer("live").notNull(),
    done30: integer("done_30").notNull(),
    done60: integer("done_60").notNull(),
    done90: integer("done_90").notNull(),
    done180: integer("done_180").notNull(),
    // … and completed within W with the result documented (D5).
    documented30: integer("documented_30").notNull(),
    documented60: integer("documented_60").notNull(),
    documented90: integer("documented_90").notNull(),
    documented180: integer("documented_180").notNull(),
    // Live EHR orders, and those captured by a 3096F line (D3).
    liveEhr: integer("live_ehr").notNull(),
    captured: integer("captured").notNull(),
  },
  // Every measure query reads one snapshot's days in a period.
  (t) => [index("order_days_period_idx").on(t.orderDate)],
);

export const episodeDays = pgTable(
  "episode_days",
  {
    asOf: date("as_of", { mode: "string" }).notNull(),
    episodeDate: date("episode_date", { mode: "string" }).notNull(),
    payerKey: identifier("payer_key").notNull(),
    planId: identifier("plan_id"),
    productLine: productLine("product_line"),
    episodes: integer("episodes").notNull(),
    followedUp: integer("followed_up").notNull(),
  },
  // post_fracture reads one snapshot's days in a period.
  (t) => [index("episode_days_period_idx").on(t.episodeDate)],
);

// Days from order to scan of live orders completed within 180 days (the longest window), per
// order day, plan and number of days: the overview's days-to-scan distribution and its median
// and 90th percentile (exact, from the counts) for any window and period, at a cost that
// follows days, plans and the 181 possible values rather than orders.
export const scanDays = pgTable(
  "scan_days",
  {
    asOf: date("as_of", { mode: "string" }).notNull(),
    orderDate: date("order_date", { mode: "string" }).notNull(),
    payerKey: identifier("payer_key").notNull(),
    planId: identifier("plan_id"),
    productLine: productLine("product_line"),
    daysToScan: smallint("days_to_scan").notNull(),
    orders: integer("orders").notNull(),
  },
  // The partial months at the ends of a period are read by day.
  (t) => [index("scan_days_date_idx").on(t.orderDate)],
);

// The same per order month (first day): a period's whole months are read here, 12 rows of each
// (plan, days) a year instead of 365.
export const scanMonths = pgTable(
  "scan_months",
  {
    asOf: date("as_of", { mode: "string" }).notNull(),
    orderMonth: date("order_month", { mode: "string" }).notNull(),
    payerKey: identifier("payer_key").notNull(),
    planId: identifier("plan_id"),
    productLine: productLine("product_line"),
    daysToScan: smallint("days_to_scan").notNull(),
    orders: integer("orders").notNull(),
  },
  (t) => [index("scan_months_month_idx").on(t.orderMonth)],
);

// Effective central DXA lines (77080, 77085) per service day and billed plan, and those denied:
// the payer page's denial share (SPEC section 5), by the payer of the plan billed.
export const dxaLineDays = pgTable(
  "dxa_line_days",
  {
    asOf: date("as_of", { mode: "string" }).notNull(),
    serviceDate: date("service_date", { mode: "string" }).notNull(),
    payerKey: identifier("payer_key").notNull(),
    planId: identifier("plan_id").notNull(),
    productLine: productLine("product_line").notNull(),
    lines: integer("lines").notNull(),
    denied: integer("denied").notNull(),
  },
  (t) => [index("dxa_line_days_date_idx").on(t.serviceDate)],
);

// screening_ordering (SPEC section 5) per plan for every period of whole months [period_start,
// period_end] a page can ask about: women 65–85 on the period end with coverage active then
// (attributed to its plan, D7), without a DXA study in the 730 days before the period start
// (denominator), and of them those with a live order in the period (numerator). Cells whose
// counts are both 0 are left out. A period starting before the earliest stored start of its end
// month reads that start: no study or order is older, so nothing differs (lib/measures/units.ts).
// Built from screening_corners (lib/derive/screening.ts).
export const screeningMonths = pgTable(
  "screening_months",
  {
    asOf: date("as_of", { mode: "string" }).notNull(),
    periodStart: date("period_start", { mode: "string" }).notNull(),
    periodEnd: date("period_end", { mode: "string" }).notNull(),
    payerKey: identifier("payer_key").notNull(),
    planId: identifier("plan_id").notNull(),
    productLine: productLine("product_line").notNull(),
    denominator: integer("denominator").notNull(),
    numerator: integer("numerator").notNull(),
  },
  // screening_ordering reads one period (or the rolling 12 months of each month of one).
  (t) => [index("screening_months_period_idx").on(t.periodEnd, t.periodStart)],
);

// The same counts as a two-dimensional difference table over month numbers (year × 12 + month −
// 1) of the period start (month_from) and end (month_to): a cell of screening_months is the sum
// of the weights of every corner at or before it in both. Each woman adds the corners of the
// rectangles of periods in which she counts; sums of members, so a refresh adds the difference
// of the members it touches and rebuilds screening_months from here.
export const screeningCorners = pgTable(
  "screening_corners",
  {
    asOf: date("as_of", { mode: "string" }).notNull(),
    planId: identifier("plan_id").notNull(),
    monthFrom: integer("month_from").notNull(),
    monthTo: integer("month_to").notNull(),
    denominator: integer("denominator").notNull(),
    numerator: integer("numerator").notNull(),
  },
  // An incremental derivation merges its difference into the corners it touches.
  (t) => [index("screening_corners_cell_idx").on(t.planId, t.monthFrom, t.monthTo)],
);
