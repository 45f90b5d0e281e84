import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getDatabase } from "@/db";
import { can } from "@/lib/access";
import { recordAudit } from "@/lib/audit";
import { plain, unauthorized } from "@/lib/http/responses";
import { importFolder } from "@/lib/import";
import { auditActor } from "@/lib/reports/serve";
import { authenticate } from "../../_lib/request";

export const dynamic = "force-dynamic";

/** An upload from the /data page (or a script with a data steward's token): the files of one
 *  import, through the same pipeline, rules and messages as `npm run import`. The web server
 *  holds the embedded database, so this is also how files are loaded while it runs. */
export async function POST(request: Request): Promise<Response> {
  const who = await authenticate(request);
  if (!who.ok) return unauthorized(who.reason);
  const { viewer } = who;
  const db = await getDatabase();
  const route = new URL(request.url).pathname;
  if (!can(viewer, { imports: ["run"] })) {
    await recordAudit(db, { ...auditActor(viewer), action: "access_denied", route, detail: "imports are for data stewards and administrators" });
    return plain(403, "Imports are for data stewards and administrators.");
  }
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return Response.json({ ok: false, problems: ["The upload is not a form with files."], problemCount: 1 }, { status: 400 });
  }
  const files = form.getAll("files").filter((f): f is File => typeof f !== "string");
  if (files.length === 0) return Response.json({ ok: false, problems: ["No files were uploaded."], problemCount: 1 }, { status: 400 });
  const folder = await mkdtemp(path.join(os.tmpdir(), "dxa-upload-"));
  try {
    for (const file of files) {
      // The file's own name decides which import file it is; a path in it is not ours to follow.
      await writeFile(path.join(folder, path.basename(file.name)), Buffer.from(await file.arrayBuffer()));
    }
    const importedBy = `${viewer.email} (${viewer.tokenName ? `token "${viewer.tokenName}"` : "web upload"})`;
    const result = await importFolder(db, folder, { importedBy });
    await recordAudit(db, {
      ...auditActor(viewer),
      action: "import",
      route,
      rows: result.ok ? result.files.reduce((n, f) => n + f.rows, 0) : 0,
      detail: `${result.ok ? "imported" : "refused"}: ${files.map((f) => path.basename(f.name)).join(", ")}`,
    });
    return Response.json(result, { status: result.ok ? 200 : 422 });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
