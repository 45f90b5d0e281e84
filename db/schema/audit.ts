import { bigserial, index, integer, jsonb, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";

// The audit log (SPEC section 10): who did what to protected health information and to access
// itself. Append-only: the application only inserts, and a trigger (migration
// 0002_sign_in_audit) refuses UPDATE, DELETE and TRUNCATE on both engines.

export const auditAction = pgEnum("audit_action", [
  "sign_in",
  "sign_in_failed",
  "sign_out",
  /** A member-level page was shown (the worklist, fracture episodes, reconciliation rows). */
  "member_view",
  /** A CSV report was sent (aggregate or member-level). */
  "export",
  /** A request was refused for the viewer's role or payer assignment. */
  "access_denied",
  "import",
  "user_create",
  "user_role",
  "user_payers",
  "user_disable",
  "user_enable",
  "user_password",
  "token_create",
  "token_revoke",
]);

export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** Null for the server operator's commands and for a failed sign-in of no known user. */
    userId: text("user_id"),
    /** The user's email as it was then (users may be renamed; the log keeps what was true). */
    actor: text("actor").notNull(),
    role: text("role"),
    /** The API token the request came with, by name. */
    tokenName: text("token_name"),
    action: auditAction("action").notNull(),
    /** The page, report or command, e.g. `/orders`, `/api/reports/orders.csv`, `npm run users`. */
    route: text("route").notNull(),
    /** The query parameters as given (not as parsed: what was asked is the record). */
    filters: jsonb("filters").$type<Record<string, string | string[]>>().notNull().default({}),
    /** Rows returned (a page's rows, a file's data rows); null where nothing is counted. */
    rows: integer("rows"),
    address: text("address"),
    /** What changed or why, in words: `role quality_officer → admin`, `token "ci" created`. */
    detail: text("detail"),
  },
  (t) => [
    // /admin/audit lists the newest first, filtered by user or action.
    index("audit_events_at_idx").on(t.at),
    index("audit_events_user_id_at_idx").on(t.userId, t.at),
    // Failed sign-ins are counted per account and per address for the sign-in rate limit.
    index("audit_events_action_at_idx").on(t.action, t.at),
  ],
);
