import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getDatabase, noteDatabaseError } from "@/db";
import { UNREACHABLE_MESSAGE, warehouseUnreachableSince } from "@/db/availability";
import { can } from "@/lib/access";
import { recordAudit } from "@/lib/audit";
import { isAllowedWrite, ownOrigin, securityHeaders } from "@/lib/http/policy";
import { unauthorized } from "@/lib/http/responses";
import { maxUploadBytes, receiveUpload, UploadError } from "@/lib/http/upload";
import { importFolder } from "@/lib/import";
import { auditActor } from "@/lib/reports/serve";
import { authenticate } from "../../_lib/request";

// POST /api/imports: an upload from the /data page (or a script with a data steward's token):
// the files of one import, through the same pipeline, rules and messages as `npm run import`.
// With `?dryRun=1` nothing is kept: the answer says what the import would do (new, changed,
// unchanged rows per file and a sample of the changes), so that the page can ask before an
// upload changes rows already loaded.
// The web server holds the embedded database, so this is also how files are loaded while it
// runs. This route is left out of proxy.ts (which would hold the whole body in memory to pass
// it on): it checks credentials, origin and the database itself, and streams the body to disk.
export const dynamic = "force-dynamic";

const APP_URL = process.env.APP_URL ? new URL(process.env.APP_URL).origin : null;

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const response = Response.json(body, { status, headers: { "Cache-Control": "no-store", ...headers } });
  return withSafetyHeaders(response);
}

function withSafetyHeaders(response: Response): Response {
  response.headers.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  for (const [name, value] of Object.entries(securityHeaders(APP_URL?.startsWith("https:") ?? false))) response.headers.set(name, value);
  return response;
}

const refused = (status: number, problem: string, headers: Record<string, string> = {}) => answer(status, { ok: false, problems: [problem], problemCount: 1 }, headers);

export async function POST(request: Request): Promise<Response> {
  if (warehouseUnreachableSince() !== null) return refused(503, UNREACHABLE_MESSAGE, { "Retry-After": "5" });
  try {
    return await upload(request);
  } catch (error) {
    // The database went away during the upload: the import's transaction is rolled back by the
    // server, nothing of it is kept, and the client is told so in plain words.
    if (!noteDatabaseError(error)) throw error;
    return refused(503, `${UNREACHABLE_MESSAGE} The import was not applied: upload it again.`, { "Retry-After": "5" });
  }
}

async function upload(request: Request): Promise<Response> {
  const who = await authenticate(request);
  if (!who.ok) return withSafetyHeaders(unauthorized(who.reason));
  const { viewer } = who;
  if (!isAllowedWrite(request.method, request.headers, ownOrigin(request.url, request.headers, APP_URL))) {
    return refused(403, "Refused: this upload did not come from DXA Tracker's own pages.");
  }
  const db = await getDatabase();
  const route = new URL(request.url).pathname;
  if (!can(viewer, { imports: ["run"] })) {
    await recordAudit(db, { ...auditActor(viewer), action: "access_denied", route, detail: "imports are for data stewards and administrators" });
    return refused(403, "Imports are for data stewards and administrators.");
  }
  const folder = await mkdtemp(path.join(os.tmpdir(), "dxa-upload-"));
  try {
    let files: string[];
    try {
      files = await receiveUpload(request, folder, maxUploadBytes());
    } catch (error) {
      if (error instanceof UploadError) return refused(error.status, error.message);
      throw error;
    }
    const importedBy = `${viewer.email} (${viewer.tokenName ? `token "${viewer.tokenName}"` : "web upload"})`;
    // `?dryRun=1`: check everything and say what would change (new, changed and unchanged rows
    // per file, and a sample of the changes), keeping nothing: the data page shows it and asks
    // for confirmation before an upload changes rows already loaded.
    const dryRun = new URL(request.url).searchParams.get("dryRun") === "1";
    const result = await importFolder(db, folder, { importedBy, dryRun });
    const named = [...result.files.map((f) => f.file), ...result.unreadFiles];
    const what = dryRun ? (result.ok ? "dry run: would import" : "dry run: would refuse") : result.ok ? "imported" : "refused";
    await recordAudit(db, {
      ...auditActor(viewer),
      action: "import",
      route,
      rows: result.ok && !result.dryRun ? result.files.reduce((n, f) => n + f.rows, 0) : 0,
      detail: `${what}: ${(named.length ? named : files).join(", ")}${result.batchId === null ? "" : ` (import #${result.batchId})`}`,
    });
    return answer(result.ok ? 200 : 422, result);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
