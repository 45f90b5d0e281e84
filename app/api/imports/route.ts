import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { getDatabase } from "@/db";
import { importFolder } from "@/lib/import";
import { getViewer } from "@/lib/viewer";

export const dynamic = "force-dynamic";

/** An upload from the /data page: the files of one import, through the same pipeline, rules
 *  and messages as `npm run import`. The web server holds the embedded database, so this is
 *  also how files are loaded while it runs. */
export async function POST(request: Request): Promise<Response> {
  const viewer = await getViewer(request);
  if (viewer.role !== "quality_officer" && viewer.role !== "data_steward" && viewer.role !== "admin") {
    return new Response("Imports are for data stewards.", { status: 403 });
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
    const result = await importFolder(await getDatabase(), folder, { importedBy: `${viewer.role} (web upload)` });
    return Response.json(result, { status: result.ok ? 200 : 422 });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
