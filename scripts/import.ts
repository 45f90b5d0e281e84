// npm run import -- <folder> [--by NAME] [--dry-run]: load a folder of CSV files (SPEC section 3)
// and FHIR R4 files (section 3b: bulk <ResourceType>.ndjson, Bundles *.json), alone or together.
// --dry-run: check everything and report what would change (new, changed, unchanged rows and a
// sample of the changes), writing nothing. Every run is audited as the server's operator
// (SPEC section 10).
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { configFromEnv, openDatabase, type Database } from "@/db/client";
import { DataDirBusyError } from "@/db/lock";
import { operator, recordAudit } from "@/lib/audit";
import { importFolder, type DryRunResult, type ImportResult } from "@/lib/import";
import { formatImportReport } from "@/lib/import/report";

const COMMAND = "npm run import";

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      by: { type: "string", default: process.env.USER ?? os.userInfo().username },
      "dry-run": { type: "boolean", default: false },
    },
  });
  const folder = positionals[0];
  if (!folder || positionals.length > 1) {
    console.error("usage: npm run import -- <folder> [--by NAME] [--dry-run]");
    return 2;
  }
  let db: Database;
  try {
    db = await openDatabase({ ...configFromEnv(), purpose: COMMAND });
  } catch (error) {
    if (error instanceof DataDirBusyError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  try {
    const started = performance.now();
    const dryRun = values["dry-run"]!;
    let result: ImportResult | DryRunResult;
    try {
      result = await importFolder(db, path.resolve(folder), {
        importedBy: `${values.by} (command line)`,
        dryRun,
        onWait: (running) =>
          console.error(
            running.id === null
              ? "Another import (a dry run) is running on this warehouse: this one waits for it to finish."
              : `Import #${running.id} by ${running.importedBy}, started ${running.startedAt}, is running on this warehouse: this one waits for it to finish.`,
          ),
      });
    } catch (error) {
      // The database went away (or a fault): audited when it can still be, then reported.
      const detail = `${dryRun ? "dry run " : ""}failed ${path.resolve(folder)}: ${error instanceof Error ? error.message : String(error)}`;
      await recordAudit(db, { ...operator(COMMAND), action: "import", route: COMMAND, rows: 0, detail }).catch(() => {});
      throw error;
    }
    const report = formatImportReport(result, folder, (performance.now() - started) / 1000);
    (result.ok ? console.log : console.error)(report);
    try {
      await recordAudit(db, { ...operator(COMMAND), action: "import", route: COMMAND, rows: writtenRows(result), detail: auditDetail(result, folder, dryRun) });
    } catch (error) {
      console.error(`The import's audit record could not be written: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
    return result.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

/** Rows written: those of an accepted import; none for a refusal or a dry run. */
function writtenRows(result: ImportResult | DryRunResult): number {
  return result.ok && !result.dryRun ? result.files.reduce((n, f) => n + f.rows, 0) : 0;
}

function auditDetail(result: ImportResult | DryRunResult, folder: string, dryRun: boolean): string {
  const what = dryRun ? (result.ok ? "dry run: would import" : "dry run: would refuse") : result.ok ? "imported" : "refused";
  const files = [...result.files.map((f) => f.file), ...result.unreadFiles].join(", ") || "no files";
  const batch = result.batchId === null ? "" : ` (import #${result.batchId})`;
  return `${what} ${path.resolve(folder)}: ${files}${batch}`;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`Import failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
