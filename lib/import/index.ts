import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Sql } from "@/db/client";
import type { ImportFileLog } from "@/db/schema";
import { todayIso } from "../dates";
import { rebuildDerivedFacts, type SnapshotSummary } from "../derive";
import { FILE_NAMES, FILE_SPECS, type FileSpec } from "./files";
import { checkStagedRows, createStagingTables, upsertStaged } from "./load";
import { ProblemLog } from "./problems";
import { stageFile } from "./stage-file";

export type ImportOptions = {
  importedBy: string;
  now?: Date;
  /** Tests only: called after staging, inside the open transaction (to kill the process there). */
  onStaged?: () => Promise<void>;
};

export type ImportResult = {
  batchId: number;
  ok: boolean;
  files: ImportFileLog[];
  /** Formatted `file:line: column: value: reason`, the first 1,000. */
  problems: string[];
  problemCount: number;
  warnings: string[];
  snapshot: SnapshotSummary | null;
  /** Milliseconds spent in each phase, for the import report and the benchmark. */
  timings: ImportTimings;
};

export type ImportTimings = { parseAndStage: number; check: number; upsert: number; derive: number };

class ImportRejected extends Error {}

/** Imports a folder of CSV files (SPEC section 3) as one transaction: every row valid and
 *  loaded, derived facts rebuilt, import logged — or nothing written but the log of the
 *  rejection. */
export async function importFolder(db: Sql, folder: string, options: ImportOptions): Promise<ImportResult> {
  const startedAt = options.now ?? new Date();
  const problems = new ProblemLog();
  const { specs, paths } = listImportFiles(folder, problems);
  const files: ImportFileLog[] = [];
  const warnings: string[] = [];
  let snapshot: SnapshotSummary | null = null;
  const timings: ImportTimings = { parseAndStage: 0, check: 0, upsert: 0, derive: 0 };
  let phaseStart = performance.now();
  const endPhase = (phase: keyof ImportTimings) => {
    const now = performance.now();
    timings[phase] = now - phaseStart;
    phaseStart = now;
  };

  try {
    if (specs.length === 0) throw new ImportRejected();
    // Even when the folder holds a stray file, the known files are still read, so that one
    // attempt reports every problem.
    const batchId = await db.transaction(async (tx) => {
      await createStagingTables(tx, specs);
      for (const spec of specs) {
        const staged = await stageFile(tx, spec, paths.get(spec.file)!, { today: todayIso(startedAt) }, problems);
        warnings.push(...staged.warnings);
        files.push({ file: spec.file, bytes: staged.bytes, sha256: staged.sha256, rows: staged.rows, new: 0, changed: 0, unchanged: 0 });
      }
      endPhase("parseAndStage");
      await checkStagedRows(tx, specs, problems);
      endPhase("check");
      if (problems.count > 0) throw new ImportRejected();
      await options.onStaged?.();
      for (const [i, spec] of specs.entries()) Object.assign(files[i]!, await upsertStaged(tx, spec));
      const id = await logImport(tx, { options, startedAt, outcome: "succeeded", files, problems, warnings });
      endPhase("upsert");
      snapshot = await rebuildDerivedFacts(tx, id);
      endPhase("derive");
      return id;
    });
    return { batchId, ok: true, files, problems: [], problemCount: 0, warnings, snapshot, timings };
  } catch (error) {
    if (!(error instanceof ImportRejected)) {
      problems.addFile(folder, `import failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const outcome = error instanceof ImportRejected ? "rejected" : "failed";
    // Nothing was written: the counts of an upsert that was rolled back would mislead.
    for (const file of files) Object.assign(file, { new: 0, changed: 0, unchanged: 0 });
    const batchId = await logImport(db, { options, startedAt, outcome, files, problems, warnings });
    return { batchId, ok: false, files, problems: problems.messages, problemCount: problems.count, warnings, snapshot: null, timings };
  }
}

/** The import files of a folder, in load order. Hidden files (.DS_Store, …) are skipped; any
 *  other name is a problem, so a misspelt file is never silently left out. */
function listImportFiles(folder: string, problems: ProblemLog): { specs: FileSpec[]; paths: Map<string, string> } {
  const paths = new Map<string, string>();
  let entries: string[];
  try {
    entries = readdirSync(folder).filter((name) => !name.startsWith("."));
  } catch {
    problems.addFile(folder, "the import folder cannot be read (does it exist?)");
    return { specs: [], paths };
  }
  for (const name of entries.sort()) {
    const full = path.join(folder, name);
    if (!statSync(full).isFile()) continue;
    const canonical = name.toLowerCase();
    if (!FILE_NAMES.includes(canonical)) {
      problems.addFile(name, `unknown file name: an import holds ${FILE_NAMES.join(", ")}`);
    } else if (paths.has(canonical)) {
      problems.addFile(name, `two files are named ${canonical} (names are case-insensitive)`);
    } else {
      paths.set(canonical, full);
    }
  }
  if (paths.size === 0 && problems.count === 0) {
    problems.addFile(folder, `no import files: expected any of ${FILE_NAMES.join(", ")}`);
  }
  return { specs: FILE_SPECS.filter((s) => paths.has(s.file)), paths };
}

async function logImport(
  sql: Sql,
  entry: {
    options: ImportOptions;
    startedAt: Date;
    outcome: "succeeded" | "rejected" | "failed";
    files: ImportFileLog[];
    problems: ProblemLog;
    warnings: string[];
  },
): Promise<number> {
  const [row] = await sql.query<{ id: number }>(
    `INSERT INTO import_batches (started_at, finished_at, imported_by, source, outcome, files, row_count,
       error_count, errors, warnings)
     VALUES ($1, now(), $2, $3, $4, $5::jsonb, $6, $7, $8::jsonb, $9::jsonb) RETURNING id`,
    [
      entry.startedAt.toISOString(),
      entry.options.importedBy,
      "folder",
      entry.outcome,
      JSON.stringify(entry.files),
      entry.files.reduce((n, f) => n + f.rows, 0),
      entry.problems.count,
      JSON.stringify(entry.problems.messages),
      JSON.stringify(entry.warnings),
    ],
  );
  if (!row) throw new Error("import log insert returned no id");
  return row.id;
}
