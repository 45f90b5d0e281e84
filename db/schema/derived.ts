import {
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import { lineStatus, orderIndication, orderSource, orderStatus, productLine } from "./enums";
import { identifier } from "./identifier";

// Derived facts of SPEC section 4, rebuilt in SQL by lib/derive after every import.
// Every derived row belongs to a snapshot: the as-of date it was derived for (claim versions
// received after it and EHR orders dated after it are left out). The default snapshot (as-of
// = latest received_date) is rebuilt by each import; earlier ones are built on demand.
// Attribution (D7) is stored on each fact: plan_id is null and payer_key 'unknown' when no
// plan could be attributed.
export const derivedSnapshots = pgTable("derived_snapshots", {
  asOf: date("as_of", { mode: "string" }).primaryKey(),
  builtAt: timestamp("built_at", { withTimezone: true }).notNull(),
  // The import batch the snapshot was derived after; an older snapshot is stale.
  importBatchId: integer("import_batch_id"),
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
  // would double the cost of every rebuild. Derivation picks a member's lines by code.
  (t) => [index("effective_lines_code_member_idx").on(t.asOf, t.procedureCode, t.memberId, t.serviceDate)],
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
  (t) => [primaryKey({ columns: [t.asOf, t.memberId, t.studyDate] })],
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
    primaryKey({ columns: [t.asOf, t.orderId] }),
    // Measures filter a snapshot by order-date period and group by payer/plan/month.
    index("order_facts_period_idx").on(t.asOf, t.orderDate, t.payerKey),
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
    primaryKey({ columns: [t.asOf, t.memberId, t.episodeDate] }),
    // post_fracture filters a snapshot by episode-date period.
    index("fracture_episodes_period_idx").on(t.asOf, t.episodeDate),
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
  // One row per payer and one all-payer row per snapshot; every page reads them by as-of.
  (t) => [unique("claims_lag_as_of_payer_key").on(t.asOf, t.payerKey).nullsNotDistinct()],
);

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
  (t) => [index("order_days_period_idx").on(t.asOf, t.orderDate)],
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
  (t) => [index("episode_days_period_idx").on(t.asOf, t.episodeDate)],
);
