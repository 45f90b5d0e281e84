import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { getDatabase, getReadDatabase, noteDatabaseError } from "@/db";
import type { Sql } from "@/db/client";
import { AccessDeniedError, type Viewer } from "@/lib/access";
import { recordAudit, type AuditAction } from "@/lib/audit";
import { resolveViewer, type ViewerResolution } from "@/lib/auth/viewer";
import { getAuth } from "@/lib/auth/web";
import type { SearchParams } from "@/lib/filters";
import { signInPath } from "@/lib/http/policy";
import { auditActor } from "@/lib/reports/serve";
import { getViewContext, type ViewContext } from "@/lib/views/context";

// The request context of pages and route handlers (SPEC section 10): who asks, resolved once
// per request (React's cache() shares it between the layout and the page), and the page's
// view of the warehouse built from it. Nothing else in app/ reads cookies or tokens.

/** When the database stops answering in the middle of a page, the page is asked for again:
 *  proxy.ts then answers it with 503 and a plain message until the database is back. */
export async function reloadIfDatabaseLost(error: unknown): Promise<void> {
  if (noteDatabaseError(error)) redirect((await headers()).get("x-dxa-url") ?? "/");
}

/** Who sends this page request: the session cookie or a bearer token, checked once. */
export const resolveRequestViewer = cache(async (): Promise<ViewerResolution> => {
  try {
    const [auth, db, requestHeaders] = await Promise.all([getAuth(), getDatabase(), headers()]);
    return await resolveViewer(auth, db, requestHeaders);
  } catch (error) {
    await reloadIfDatabaseLost(error);
    throw error;
  }
});

/** The signed-in viewer of a page, or a redirect to /sign-in?next=<this page>. */
export async function requireViewer(): Promise<Viewer> {
  const who = await resolveRequestViewer();
  if (!who.ok) redirect(signInPath((await headers()).get("x-dxa-url") ?? "/"));
  return who.viewer;
}

/** The query of a page as the audit log keeps it: its string values only. (Next.js builds
 *  searchParams on a plain object: `?constructor=x` arrives as [Object, "x"].) */
function queryOf(params: SearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of Object.entries(params)) {
    const strings = [value].flat().filter((v): v is string => typeof v === "string");
    if (strings.length > 0) query[name] = Array.isArray(value) ? strings : strings[0]!;
  }
  return query;
}

/** Records what a viewer did or was refused on a page (SPEC section 10's audit). */
export async function auditPage(viewer: Viewer, action: AuditAction, route: string, params: SearchParams, rows: number | null, detail: string | null = null): Promise<void> {
  // Through the page connection: a restart between the page's reads and its audit record sends
  // the page to be asked for again (then 503), never a 500, and nothing is shown unaudited.
  await recordAudit(pageDatabase(await getDatabase()), { ...auditActor(viewer), action, route, filters: queryOf(params), rows, detail });
}

/** Answers a page with 403 ("not in your assignment", app/forbidden.tsx), audited. */
export async function denyPage(viewer: Viewer, route: string, params: SearchParams, error: AccessDeniedError): Promise<never> {
  await auditPage(viewer, "access_denied", route, params, null, error.message);
  forbidden();
}

/** A page's view: the viewer (or a redirect to sign in), its filters, snapshot, payers and
 *  plans. Null when no claims are loaded yet. A payer or plan outside the viewer's assignment
 *  is a 403 page. Read from a standby when DATABASE_READ_URL names one, unless `readFrom` is
 *  "primary": for a page whose other reads must go to the primary, so that its snapshot, its
 *  figures and what it says about where they were read all come from one server. */
export async function pageContext(route: string, params: SearchParams, readFrom: "standby" | "primary" = "standby"): Promise<ViewContext | null> {
  const viewer = await requireViewer();
  try {
    const primary = await getDatabase();
    if (readFrom === "primary") return await getViewContext(pageDatabase(primary), viewer, params);
    const read = await getReadDatabase();
    return await getViewContext(pageDatabase(read.db), viewer, params, { primary: pageDatabase(primary), readSource: read.source });
  } catch (error) {
    if (error instanceof AccessDeniedError) return denyPage(viewer, route, params, error);
    await reloadIfDatabaseLost(error);
    throw error;
  }
}

/** A page's connection: the same one, but a statement that fails because the database went
 *  away mid-render sends the page to be asked for again (reloadIfDatabaseLost), which proxy.ts
 *  then answers 503 — where the error would otherwise end the render as a 500. The more a page
 *  asks after its context is built, the likelier a restart falls between its statements. One
 *  wrapper per connection, so that what is remembered per connection (lib/measures/memo.ts)
 *  still is. */
const pageDatabases = new WeakMap<Sql, Sql>();

export function pageDatabase(db: Sql): Sql {
  let page = pageDatabases.get(db);
  if (!page) {
    const guard = async <T>(run: () => Promise<T>): Promise<T> => {
      try {
        return await run();
      } catch (error) {
        await reloadIfDatabaseLost(error);
        throw error;
      }
    };
    page = {
      engine: db.engine,
      query: <T>(text: string, params?: unknown[]) => guard(() => db.query<T>(text, params)),
      exec: (text) => guard(() => db.exec(text)),
      copyIn: (table, columns, options) => guard(() => db.copyIn(table, columns, options)),
      transaction: (fn) => guard(() => db.transaction(fn)),
    };
    pageDatabases.set(db, page);
  }
  return page;
}

/** Who sends an API request (route handlers): the same resolution as pages. */
export async function authenticate(request: Request): Promise<ViewerResolution> {
  try {
    const [auth, db] = await Promise.all([getAuth(), getDatabase()]);
    return await resolveViewer(auth, db, request.headers);
  } catch (error) {
    noteDatabaseError(error);
    throw error;
  }
}
