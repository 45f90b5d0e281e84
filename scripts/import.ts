// npm run import -- <folder> [--by NAME]: load a folder of CSV files (SPEC section 3) and FHIR R4
// files (section 3b: bulk <ResourceType>.ndjson, Bundles *.json), alone or together.
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { configFromEnv, openDatabase } from "@/db/client";
import { DataDirBusyError } from "@/db/lock";
import { importFolder } from "@/lib/import";
import { formatImportReport } from "@/lib/import/report";

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { by: { type: "string", default: process.env.USER ?? os.userInfo().username } },
  });
  const folder = positionals[0];
  if (!folder || positionals.length > 1) {
    console.error("usage: npm run import -- <folder> [--by NAME]");
    return 2;
  }
  let db;
  try {
    db = await openDatabase({ ...configFromEnv(), purpose: "npm run import" });
  } catch (error) {
    if (error instanceof DataDirBusyError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  try {
    const started = performance.now();
    const result = await importFolder(db, path.resolve(folder), { importedBy: `${values.by} (command line)` });
    const report = formatImportReport(result, folder, (performance.now() - started) / 1000);
    (result.ok ? console.log : console.error)(report);
    return result.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`Import failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
