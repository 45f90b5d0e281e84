import type { Sql } from "@/db/client";
import { openCursor, type RowCursor } from "@/db/cursor";

// The audit log (SPEC section 10): one row per sign-in or failed sign-in, member-level page
// view, CSV export, refused request, import, and change to users, roles, assignments and
// tokens. The application only ever inserts (the table refuses anything else).

export const AUDIT_ACTIONS = [
  "sign_in",
  "sign_in_failed",
  "sign_out",
  "member_view",
  "export",
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
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who acted: a signed-in user (and the token they used), or the server's operator. */
export type AuditActor = {
  userId: string | null;
  /** The user's email, or a description such as `operator (npm run users)`. */
  actor: string;
  role: string | null;
  tokenName: string | null;
  address: string | null;
};

export type AuditEntry = AuditActor & {
  action: AuditAction;
  route: string;
  /** The query parameters as given. */
  filters?: Record<string, string | string[]>;
  rows?: number | null;
  detail?: string | null;
};

export type AuditEvent = AuditEntry & { id: number; at: string; filters: Record<string, string | string[]> };

/** The server operator at the command line: needs no sign-in (SPEC section 10), and is recorded
 *  as such. */
export function operator(command: string): AuditActor {
  return { userId: null, actor: `operator (${command})`, role: null, tokenName: null, address: null };
}

/** Text as the log can keep it: PostgreSQL's text and jsonb refuse NUL, which a hostile URL or
 *  form may hold; it is kept as U+FFFD, so the row is written and says something was there. */
function storable(value: string): string;
function storable(value: string | null | undefined): string | null;
function storable(value: string | null | undefined): string | null {
  return value == null ? null : value.replaceAll("\u0000", "\uFFFD");
}

function storableFilters(filters: Record<string, string | string[]>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(filters).map(([k, v]) => [storable(k), Array.isArray(v) ? v.map((x) => storable(String(x))) : storable(String(v))]));
}

export async function recordAudit(db: Sql, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_events (user_id, actor, role, token_name, action, route, filters, rows, address, detail)
     VALUES ($1, $2, $3, $4, $5::audit_action, $6, $7::jsonb, $8, $9, $10)`,
    [
      entry.userId,
      storable(entry.actor),
      entry.role,
      storable(entry.tokenName),
      entry.action,
      storable(entry.route),
      JSON.stringify(storableFilters(entry.filters ?? {})),
      entry.rows ?? null,
      storable(entry.address),
      storable(entry.detail),
    ],
  );
}

/** The query string of a URL as the log keeps it: every parameter as given, repeated ones as
 *  lists. */
export function filtersOf(query: URLSearchParams): Record<string, string | string[]> {
  const filters: Record<string, string | string[]> = {};
  for (const name of new Set(query.keys())) {
    const values = query.getAll(name);
    filters[name] = values.length === 1 ? values[0]! : values;
  }
  return filters;
}

/** Failed sign-ins since a moment, for one account (by email) and for one address. */
export async function countFailedSignIns(db: Sql, q: { email: string; address: string | null; since: Date }): Promise<{ account: number; address: number }> {
  const [row] = await db.query<{ account: number; address: number }>(
    `SELECT count(*) FILTER (WHERE actor = $1)::int AS account,
            count(*) FILTER (WHERE $2::text IS NOT NULL AND address = $2::text)::int AS address
     FROM audit_events
     WHERE action = 'sign_in_failed' AND at >= $3::timestamptz`,
    [q.email, q.address, q.since.toISOString()],
  );
  return row ?? { account: 0, address: 0 };
}

export type AuditQuery = {
  /** Calendar dates (UTC), inclusive. */
  from?: string | null;
  to?: string | null;
  /** Part of the actor (an email), case-insensitive. */
  actor?: string | null;
  actions?: readonly AuditAction[];
};

export const AUDIT_PAGE_SIZE = 100;

function auditWhere(q: AuditQuery): { text: string; params: unknown[] } {
  return {
    text: `WHERE ($1::date IS NULL OR at >= $1::date)
        AND ($2::date IS NULL OR at < $2::date + 1)
        AND ($3::text IS NULL OR position(lower($3::text) IN lower(actor)) > 0)
        AND ($4::text[] IS NULL OR action::text = ANY ($4::text[]))`,
    params: [q.from ?? null, q.to ?? null, q.actor ?? null, q.actions?.length ? [...q.actions] : null],
  };
}

const SELECT = `SELECT id, at::text AS at, user_id AS "userId", actor, role, token_name AS "tokenName", action::text AS action,
    route, filters, rows, address, detail FROM audit_events`;

/** A page of the log, newest first, and how many rows match. */
export async function listAudit(db: Sql, q: AuditQuery & { page: number; pageSize?: number }): Promise<{ events: AuditEvent[]; total: number }> {
  const where = auditWhere(q);
  const size = q.pageSize ?? AUDIT_PAGE_SIZE;
  const [events, [count]] = await Promise.all([
    db.query<AuditEvent>(`${SELECT} ${where.text} ORDER BY id DESC LIMIT ${size} OFFSET $5`, [...where.params, (q.page - 1) * size]),
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM audit_events ${where.text}`, where.params),
  ]);
  return { events, total: count?.total ?? 0 };
}

/** Every matching row, oldest first, for audit.csv. */
export function openAuditCursor(db: Sql, q: AuditQuery): Promise<RowCursor<AuditEvent>> {
  const where = auditWhere(q);
  return openCursor<AuditEvent>(db, { text: `${SELECT} ${where.text} ORDER BY id`, params: where.params }, (row) => row);
}

export type ParsedAuditQuery = { query: AuditQuery & { page: number }; invalid: { name: string; value: string; allowed: string }[] };

const AUDIT_PARAMETERS = ["from", "to", "actor", "action", "page"] as const;

/** The audit page's and audit.csv's parameters; an invalid one is named (the page shows it,
 *  the report answers 400). */
export function parseAuditQuery(params: Record<string, string | string[] | undefined>): ParsedAuditQuery {
  const invalid: ParsedAuditQuery["invalid"] = [];
  const one = (name: string) => {
    const v = params[name];
    return (Array.isArray(v) ? v[0] : v)?.trim() || null;
  };
  const date = (name: "from" | "to") => {
    const v = one(name);
    if (v && !/^\d{4}-\d{2}-\d{2}$/.test(v)) {
      invalid.push({ name, value: v, allowed: "a date YYYY-MM-DD" });
      return null;
    }
    return v;
  };
  const actions = (one("action") ?? "").split(",").map((a) => a.trim()).filter(Boolean);
  const unknown = actions.filter((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a));
  if (unknown.length) invalid.push({ name: "action", value: unknown.join(","), allowed: AUDIT_ACTIONS.join(", ") });
  const pageText = one("page") ?? "1";
  const page = /^\d{1,6}$/.test(pageText) && Number(pageText) >= 1 ? Number(pageText) : (invalid.push({ name: "page", value: pageText, allowed: "a page number from 1" }), 1);
  for (const name of Object.keys(params)) {
    if (!(AUDIT_PARAMETERS as readonly string[]).includes(name)) invalid.push({ name, value: String(params[name]), allowed: `no such parameter; the audit log takes ${AUDIT_PARAMETERS.join(", ")}` });
  }
  const actor = one("actor");
  if (actor && /[\u0000-\u001f]/.test(actor)) {
    invalid.push({ name: "actor", value: actor.replace(/[\u0000-\u001f]/g, "?").slice(0, 80), allowed: "text without control characters" });
  }
  return {
    query: { from: date("from"), to: date("to"), actor: actor && !/[\u0000-\u001f]/.test(actor) ? actor.slice(0, 320) : null, actions: actions.filter((a) => !unknown.includes(a)) as AuditAction[], page },
    invalid,
  };
}
