import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Sql } from "@/db/client";
import type { ImportFileLog } from "@/db/schema";
import { todayIso } from "../dates";
import { rebuildDerivedFacts, type SnapshotSummary } from "../derive";
import {
  createFhirStaging,
  fhirFileOf,
  readFhirFile,
  resolveFhir,
  STAGE_COLUMNS,
  upsertFhir,
  type FhirFile,
  type FhirReadContext,
  type MappedCounts,
} from "../fhir";
import { copyColumns, FILE_NAMES, FILE_SPECS, stageTable, type FileSpec } from "./files";
import { checkLoadedRows, createStagingTables, suspendIndexesForImport, upsertStaged, type LoadPath } from "./load";
import { ProblemLog } from "./problems";
import { KnownIds } from "./known-ids";
import { readImportFile, type ChunkSink, type FileDigest, type ReadContext } from "./read-file";

export type ImportOptions = {
  importedBy: string;
  now?: Date;
  /** Tests only: called after every file is loaded, inside the open transaction. */
  onStaged?: () => Promise<void>;
};

export type ImportTimings = { read: number; check: number; upsert: number; derive: number };

export type ImportFileResult = ImportFileLog & { path: LoadPath | null };

export type ImportResult = {
  batchId: number;
  ok: boolean;
  files: ImportFileResult[];
  /** Formatted `file:line: column: value: reason`, the first 1,000. */
  problems: string[];
  problemCount: number;
  warnings: string[];
  snapshot: SnapshotSummary | null;
  /** The warehouse rows that FHIR resources became (SPEC 3b), per table; empty without FHIR. */
  mapped: MappedCounts[];
  /** Milliseconds spent in each phase, for the import report and the benchmark. */
  timings: ImportTimings;
};

class ImportRejected extends Error {}

/**
 * Imports a folder of CSV files (SPEC section 3) and FHIR files (section 3b, lib/fhir) as one
 * transaction: every row and resource valid and loaded, derived facts rebuilt, import logged —
 * or nothing written but the log of the rejection.
 *
 * Each file is read once, straight into its table by COPY, when all its keys are new (a first
 * load, a monthly refresh): the table's primary key then proves there is no duplicate. Should
 * a key exist already, that load is rolled back to a savepoint and the file is read again into
 * a staging table, from which it is upserted with new/changed/unchanged counts.
 *
 * FHIR files are read first, into a staging table of their own, so that their Patients and
 * Coverages are members and plans the CSV files of the same import may name; what they become
 * is resolved and checked once the CSV files are loaded too, and written after those.
 */
export async function importFolder(db: Sql, folder: string, options: ImportOptions): Promise<ImportResult> {
  const startedAt = options.now ?? new Date();
  const ctx = { today: todayIso(startedAt) };
  const problems = new ProblemLog();
  const { specs, paths, fhir } = listImportFiles(folder, problems);
  const files: ImportFileResult[] = [];
  const warnings: string[] = [];
  let snapshot: SnapshotSummary | null = null;
  let mapped: MappedCounts[] = [];
  const timings: ImportTimings = { read: 0, check: 0, upsert: 0, derive: 0 };
  let phaseStart = performance.now();
  const endPhase = (phase: keyof ImportTimings) => {
    const now = performance.now();
    timings[phase] = now - phaseStart;
    phaseStart = now;
  };

  try {
    if (specs.length === 0 && fhir.length === 0) throw new ImportRejected();
    // Even when the folder holds a stray file, the known files are still read, so that one
    // attempt reports every problem.
    const batchId = await db.transaction(async (tx) => {
      const id = await logImport(tx, { options, startedAt, outcome: "running", files, problems, warnings });
      await createStagingTables(tx, specs);
      const loaded = new Map<FileSpec, LoadPath>();
      const read: ReadContext = { batchId: id, ctx, known: new KnownIds(), problems };
      const fhirFiles = await stageFhirFiles(tx, fhir, specs, read, warnings);
      for (const spec of specs) {
        const file = paths.get(spec.file)!;
        await read.known.load(tx, spec.references.map((r) => r.kind));
        const { digest, path: loadPath } = await loadFile(tx, spec, file, read);
        loaded.set(spec, loadPath);
        warnings.push(...digest.warnings);
        const counts = loadPath === "direct" ? { new: digest.validRows, changed: 0, unchanged: 0 } : { new: 0, changed: 0, unchanged: 0 };
        files.push({ file: spec.file, bytes: digest.bytes, sha256: digest.sha256, rows: digest.rows, ...counts, path: loadPath });
      }
      files.push(...fhirFiles);
      endPhase("read");
      await checkLoadedRows(tx, loaded, problems);
      if (fhir.length > 0) await resolveFhir(tx, id, loaded, problems);
      endPhase("check");
      if (problems.count > 0) throw new ImportRejected();
      await options.onStaged?.();
      for (const [i, spec] of specs.entries()) {
        if (loaded.get(spec) === "staged") Object.assign(files[i]!, await upsertStaged(tx, spec));
      }
      if (fhir.length > 0) {
        const written = await upsertFhir(tx, id);
        for (const file of fhirFiles) {
          const counts = written.resources.get(file.file) ?? { new: 0, changed: 0 };
          Object.assign(file, counts, { unchanged: file.rows - counts.new - counts.changed });
        }
        mapped = written.mapped;
      }
      await logImport(tx, { options, startedAt, outcome: "succeeded", files, problems, warnings }, id);
      endPhase("upsert");
      // Fresh statistics for the derivation, or the planner guesses a freshly loaded table holds
      // one row and picks nested loops that take minutes (autovacuum would analyse it only after
      // the commit). Timed with the derivation, which is what needs them.
      const written = new Set([...specs.map((s) => s.table), ...mapped.map((m) => m.table), ...(fhir.length > 0 ? ["fhir_resources"] : [])]);
      for (const table of written) await tx.exec(`ANALYZE ${table}`);
      snapshot = await rebuildDerivedFacts(tx, id);
      endPhase("derive");
      return id;
    });
    return { batchId, ok: true, files, problems: [], problemCount: 0, warnings, snapshot, mapped, timings };
  } catch (error) {
    if (!(error instanceof ImportRejected)) {
      problems.addFile(folder, `import failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    const outcome = error instanceof ImportRejected ? "rejected" : "failed";
    // Nothing was written: the counts of a load that was rolled back would mislead.
    for (const file of files) Object.assign(file, { new: 0, changed: 0, unchanged: 0, path: null });
    const batchId = await logImport(db, { options, startedAt, outcome, files, problems, warnings });
    return { batchId, ok: false, files, problems: problems.messages, problemCount: problems.count, warnings, snapshot: null, mapped: [], timings };
  }
}

/** Reads one file into the warehouse: directly when it can, else into staging (see above). */
async function loadFile(tx: Sql, spec: FileSpec, file: string, read: ReadContext): Promise<{ digest: FileDigest; path: LoadPath }> {
  const { problems } = read;
  const columns = copyColumns(spec);
  if (!spec.tableColumns) {
    const mark = problems.checkpoint();
    await tx.exec(`SAVEPOINT direct_load`);
    try {
      const rebuildIndexes = await suspendIndexesForImport(tx, spec.table);
      const digest = await copyFile(tx, spec.table, columns, (sink) => readImportFile(spec, file, read, sink));
      await rebuildIndexes?.();
      await tx.exec(`RELEASE SAVEPOINT direct_load`);
      return { digest, path: "direct" };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await tx.exec(`ROLLBACK TO SAVEPOINT direct_load`);
      problems.restore(mark);
    }
  }
  const digest = await copyFile(tx, stageTable(spec), columns, (sink) => readImportFile(spec, file, read, sink));
  return { digest, path: "staged" };
}

/** Reads the FHIR files into the FHIR staging table (lib/fhir/read.ts). When the import's CSV
 *  files name members or plans, the Patients and Coverages read are made known to them. */
async function stageFhirFiles(
  tx: Sql,
  fhir: readonly FhirFile[],
  specs: readonly FileSpec[],
  read: ReadContext,
  warnings: string[],
): Promise<ImportFileResult[]> {
  if (fhir.length === 0) return [];
  await createFhirStaging(tx, read.batchId);
  const refers = specs.some((s) => s.references.length > 0);
  const context: FhirReadContext = { today: read.ctx.today, problems: read.problems, warnings, known: refers ? read.known : null, sequence: { next: 1 } };
  const files: ImportFileResult[] = [];
  for (const file of fhir) {
    const digest = await copyFile(tx, "stage_fhir", STAGE_COLUMNS, (sink) => readFhirFile(file, context, sink));
    files.push({ file: file.name, bytes: digest.bytes, sha256: digest.sha256, rows: digest.rows, new: 0, changed: 0, unchanged: 0, path: "staged" });
  }
  return files;
}

/** Runs `read` with a sink that COPYs into `table`, and completes the COPY after it. */
async function copyFile<T>(tx: Sql, table: string, columns: readonly string[], read: (sink: ChunkSink) => Promise<T>): Promise<T> {
  const copy = await tx.copyIn(table, columns);
  let result: T;
  try {
    result = await read(copy);
  } catch (error) {
    await copy.abort(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
  await copy.end();
  return result;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "23505";
}

const KNOWN_NAMES = `${FILE_NAMES.join(", ")}, FHIR bulk files <ResourceType>.ndjson and FHIR Bundles *.json`;

/** The import files of a folder, in load order. Hidden files (.DS_Store, …) are skipped; any
 *  other name is a problem, so a misspelt file is never silently left out. */
function listImportFiles(folder: string, problems: ProblemLog): { specs: FileSpec[]; paths: Map<string, string>; fhir: FhirFile[] } {
  const paths = new Map<string, string>();
  const fhir: FhirFile[] = [];
  let entries: string[];
  try {
    entries = readdirSync(folder).filter((name) => !name.startsWith("."));
  } catch {
    problems.addFile(folder, "the import folder cannot be read (does it exist?)");
    return { specs: [], paths, fhir };
  }
  for (const name of entries.sort()) {
    const full = path.join(folder, name);
    if (!statSync(full).isFile()) continue;
    const canonical = name.toLowerCase();
    const fhirFile = FILE_NAMES.includes(canonical) ? null : fhirFileOf(name, full);
    if (typeof fhirFile === "string") {
      problems.addFile(name, `unknown file name: ${fhirFile}`);
    } else if (fhirFile) {
      fhir.push(fhirFile);
    } else if (!FILE_NAMES.includes(canonical)) {
      problems.addFile(name, `unknown file name: an import holds ${KNOWN_NAMES}`);
    } else if (paths.has(canonical)) {
      problems.addFile(name, `two files are named ${canonical} (names are case-insensitive)`);
    } else {
      paths.set(canonical, full);
    }
  }
  if (paths.size === 0 && fhir.length === 0 && problems.count === 0) {
    problems.addFile(folder, `no import files: expected any of ${KNOWN_NAMES}`);
  }
  return { specs: FILE_SPECS.filter((s) => paths.has(s.file)), paths, fhir };
}

type LogEntry = {
  options: ImportOptions;
  startedAt: Date;
  outcome: "running" | "succeeded" | "rejected" | "failed";
  files: readonly (ImportFileLog & { path?: LoadPath | null })[];
  problems: ProblemLog;
  warnings: string[];
};

/** Writes the import log row (SPEC section 3, "Recorded"); with `id`, completes that row. */
async function logImport(sql: Sql, entry: LogEntry, id?: number): Promise<number> {
  const files: ImportFileLog[] = entry.files.map(({ path: _loadPath, ...log }) => log);
  const values = [
    entry.startedAt.toISOString(),
    entry.options.importedBy,
    "folder",
    entry.outcome,
    JSON.stringify(files),
    entry.files.reduce((n, f) => n + f.rows, 0),
    entry.problems.count,
    JSON.stringify(entry.problems.messages),
    JSON.stringify(entry.warnings),
  ];
  const [row] =
    id === undefined
      ? await sql.query<{ id: number }>(
          `INSERT INTO import_batches (started_at, finished_at, imported_by, source, outcome, files, row_count,
             error_count, errors, warnings)
           VALUES ($1, CASE WHEN $4::text = 'running' THEN NULL ELSE now() END, $2, $3, $4::import_outcome, $5::jsonb, $6, $7, $8::jsonb, $9::jsonb)
           RETURNING id`,
          values,
        )
      : await sql.query<{ id: number }>(
          `UPDATE import_batches SET started_at = $1, finished_at = now(), imported_by = $2, source = $3,
             outcome = $4::import_outcome, files = $5::jsonb, row_count = $6, error_count = $7, errors = $8::jsonb, warnings = $9::jsonb
           WHERE id = $10 RETURNING id`,
          [...values, id],
        );
  if (!row) throw new Error("import log write returned no id");
  return row.id;
}
