import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { isConnectionError } from "@/db/availability";
import type { Sql } from "@/db/client";
import type { CopyOptions } from "@/db/copy";
import type { ImportFileLog } from "@/db/schema";
import { refreshCms249AfterImport } from "../cms249/results";
import { todayIso } from "../dates";
import { rebuildDerivedFacts, type SnapshotSummary } from "../derive";
import { timedStep } from "../derive/session";
import { defaultPeriod } from "../filters";
import { previousPeriod } from "../periods";
import { getCountedSnapshot, storeSnapshotCounts } from "../warehouse/stored-counts";
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
import { completeAttempt, inImportTurn, type LogEntry, type TurnOptions } from "./attempt";
import { copyColumns, FILE_NAMES, FILE_SPECS, stageTable, type FileSpec } from "./files";
import { checkLoadedRows, createStagingTables, prepareEmptyTableLoad, upsertStaged, type LoadPath, type RowChange } from "./load";
import { ProblemLog } from "./problems";
import { KnownIds } from "./known-ids";
import { readImportFile, type ChunkSink, type FileDigest, type ReadContext } from "./read-file";

export type ImportOptions = {
  importedBy: string;
  now?: Date;
  /** Do everything but keep nothing: read, check and upsert every file, count new, changed and
   *  unchanged rows, sample the changes, then roll back. The warehouse and the import log are
   *  left as they were (a dry run takes no import number); the derived facts are not rebuilt. */
  dryRun?: boolean;
  /** Called once when another import has the turn and this one waits for it (lib/import/attempt.ts). */
  onWait?: TurnOptions["onWait"];
  /** Tests only: called after every file is loaded, inside the open transaction. */
  onStaged?: () => Promise<void>;
  /** Tests only: check every reference to the warehouse's members and plans deferred (true) or
   *  against their ids loaded (false), instead of choosing by the file's size (KnownIds). */
  deferReferences?: boolean;
};

export type ImportTimings = { read: number; check: number; upsert: number; derive: number };

export type ImportFileResult = ImportFileLog & { path: LoadPath | null };

export type ImportResult = {
  dryRun: false;
  /** The attempt's number in the import log, accepted or not. */
  batchId: number;
  ok: boolean;
  files: ImportFileResult[];
  /** Files of the folder that were not read (an unknown name, a second file of one name);
   *  each is also a problem. */
  unreadFiles: string[];
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

/** The result of a dry run (`dryRun: true`): what the import would do, nothing of it kept. */
export type DryRunResult = Omit<ImportResult, "dryRun" | "batchId" | "files" | "mapped" | "snapshot"> & {
  dryRun: true;
  /** A dry run is not logged. */
  batchId: null;
  /** `ok`: the import would be accepted; else `problems` are why it would be refused, exactly
   *  as the import itself would name them. */
  ok: boolean;
  /** Per file, the counts the import would report, and up to DRY_RUN_SAMPLE of its changed rows
   *  (empty when it would be refused). */
  files: DryRunFileResult[];
  mapped: DryRunMapped[];
  snapshot: null;
};

export type DryRunFileResult = ImportFileResult & { changes: RowChange[] };
export type DryRunMapped = MappedCounts & { changes: RowChange[] };

/** Changed rows a dry run shows per file (and per table of FHIR rows). */
export const DRY_RUN_SAMPLE = 20;

/** The overview's default period of the data's as-of date and the period its headline change
 *  reads (none without claims: there is no as-of date to default from). */
function cms249DefaultPeriods(asOf: string | null): { start: string; end: string }[] {
  if (!asOf) return [];
  const current = defaultPeriod(asOf);
  const previous = previousPeriod(current.from, current.to);
  return [current, previous].map((p) => ({ start: p.from, end: p.to }));
}

class ImportRejected extends Error {}
class DryRunDone extends Error {}

/**
 * Imports a folder of CSV files (SPEC section 3) and FHIR files (section 3b, lib/fhir) as one
 * transaction: every row and resource valid and loaded, derived facts rebuilt, import logged —
 * or nothing written but the log of the rejection. One import at a time: a second one waits for
 * its turn (lib/import/attempt.ts, which also keeps the log row of every attempt).
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
export function importFolder(db: Sql, folder: string, options: ImportOptions & { dryRun: true }): Promise<DryRunResult>;
export function importFolder(db: Sql, folder: string, options: ImportOptions & { dryRun: boolean }): Promise<ImportResult | DryRunResult>;
export function importFolder(db: Sql, folder: string, options: ImportOptions & { dryRun?: false }): Promise<ImportResult>;
export async function importFolder(db: Sql, folder: string, options: ImportOptions): Promise<ImportResult | DryRunResult> {
  const startedAt = options.now ?? new Date();
  const dryRun = options.dryRun ?? false;
  const ctx = { today: todayIso(startedAt) };
  const problems = new ProblemLog();
  const { specs, paths, fhir, unread } = listImportFiles(folder, problems);
  const files: ImportFileResult[] = [];
  const changes = new Map<string, RowChange[]>();
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
  const entry = (outcome: LogEntry["outcome"]): LogEntry => ({ importedBy: options.importedBy, startedAt, outcome, files, problems, warnings });
  const refused = (batchId: number | null) => {
    // Nothing was written: the counts of a load that was rolled back would mislead.
    for (const file of files) Object.assign(file, { new: 0, changed: 0, unchanged: 0, path: null });
    const common = { ok: false, unreadFiles: unread, problems: problems.messages, problemCount: problems.count, warnings, timings };
    return batchId === null
      ? ({ ...common, dryRun: true, batchId: null, files: files.map((f) => ({ ...f, changes: [] })), mapped: [], snapshot: null } satisfies DryRunResult)
      : ({ ...common, dryRun: false, batchId, files, mapped: [], snapshot: null } satisfies ImportResult);
  };

  let attemptId: number | null = null;
  let failureLogged = false;
  try {
    // Even when the folder holds a stray file, the known files are still read, so that one
    // attempt reports every problem.
    await inImportTurn(
      db,
      { importedBy: options.importedBy, startedAt, dryRun, onWait: options.onWait },
      async (tx, turn) => {
        attemptId = turn.id;
        phaseStart = performance.now(); // time spent waiting for the turn is no phase of this import
        if (specs.length === 0 && fhir.length === 0) throw new ImportRejected();
        const id = turn.id ?? DRY_RUN_BATCH;
        await createStagingTables(tx, specs);
        const loaded = new Map<FileSpec, LoadPath>();
        const read: ReadContext = { batchId: id, ctx, known: new KnownIds(), problems };
        const fhirFiles = await stageFhirFiles(tx, fhir, specs, read, warnings);
        for (const spec of specs) {
          const file = paths.get(spec.file)!;
          await read.known.prepare(tx, spec.references.map((r) => r.kind), statSync(file).size, options.deferReferences);
          const { digest, path: loadPath } = await loadFile(tx, spec, file, read);
          await read.known.checkDeferred(tx, spec.file, spec.references, problems);
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
        const sample = dryRun ? DRY_RUN_SAMPLE : 0;
        for (const [i, spec] of specs.entries()) {
          if (loaded.get(spec) !== "staged") continue;
          const upserted = await upsertStaged(tx, spec, stageTable(spec), { sample });
          Object.assign(files[i]!, upserted.counts);
          changes.set(spec.file, upserted.changes);
        }
        if (fhir.length > 0) {
          const written = await upsertFhir(tx, id, { sample });
          for (const file of fhirFiles) {
            const counts = written.resources.get(file.file) ?? { new: 0, changed: 0 };
            Object.assign(file, counts, { unchanged: file.rows - counts.new - counts.changed });
          }
          mapped = written.mapped;
          for (const [table, sample] of written.changes) changes.set(`→ ${table}`, sample);
        }
        endPhase("upsert");
        if (turn.id === null) throw new DryRunDone();
        await completeAttempt(tx, turn.id, entry("succeeded"));
        // Fresh statistics for the derivation, or the planner guesses a freshly loaded table holds
        // one row and picks nested loops that take minutes (autovacuum would analyse it only after
        // the commit). Timed with the derivation, which is what needs them. A file's table that
        // this import changed by under a tenth of its counted rows keeps its statistics (see
        // keepsStatistics).
        const rowsWritten = new Map<string, number>();
        for (const [i, spec] of specs.entries()) rowsWritten.set(spec.table, (rowsWritten.get(spec.table) ?? 0) + files[i]!.new + files[i]!.changed);
        const written = new Set([...specs.map((s) => s.table), ...mapped.map((m) => m.table), ...(fhir.length > 0 ? ["fhir_resources"] : [])]);
        for (const table of written) if (!(await keepsStatistics(tx, table, rowsWritten.get(table)))) await tx.exec(`ANALYZE ${table}`);
        // Whether the data page's stored counts are the snapshot's as built now, before the
        // derivation builds it again: only then may a refresh carry them forward.
        const countedBefore = await getCountedSnapshot(tx);
        snapshot = await rebuildDerivedFacts(tx, turn.id);
        // The data page's counts of the new snapshot, stored with it in this transaction
        // (lib/warehouse/stored-counts.ts): its first view after the import reads them.
        const newClaimLines = files.find((f) => f.file === "claim_lines.csv")?.new ?? 0;
        const importBatchId = turn.id;
        await timedStep("data page counts", () => storeSnapshotCounts(tx, { snapshot, newClaimLines, countedBefore, importBatchId }));
        // CMS249 (SPEC 5b) from the FHIR resources this import wrote: the periods kept brought up
        // to date (only the patients whose resources changed), and the overview's default period
        // and the one before it evaluated, so that the first view after the import is read, not
        // computed. In the import's transaction: a failure or a kill leaves the results as before.
        if (fhir.length > 0) await refreshCms249AfterImport(tx, cms249DefaultPeriods(snapshot?.asOf ?? null));
        endPhase("derive");
      },
      // After the transaction, while the attempt still holds its turn: its refusal or failure
      // goes to its log row.
      async (turn, error) => {
        if (turn.id === null || error === null || error instanceof DryRunDone) return;
        if (!(error instanceof ImportRejected)) problems.addFile(folder, `import failed: ${errorMessage(error)}`);
        for (const file of files) Object.assign(file, { new: 0, changed: 0, unchanged: 0, path: null });
        // When the database is gone this write fails too, and the row stays as it was first
        // written: failed (lib/import/attempt.ts). Any other failure to write it is a fault,
        // and surfaces as one.
        try {
          await completeAttempt(db, turn.id, entry(error instanceof ImportRejected ? "rejected" : "failed"));
          failureLogged = true;
        } catch (logError) {
          if (!isConnectionError(logError)) throw logError;
        }
      },
    );
    return { dryRun: false, batchId: attemptId!, ok: true, files, unreadFiles: unread, problems: [], problemCount: 0, warnings, snapshot, mapped, timings };
  } catch (error) {
    if (error instanceof DryRunDone) {
      return {
        dryRun: true,
        batchId: null,
        ok: true,
        files: files.map((f) => ({ ...f, changes: changes.get(f.file) ?? [] })),
        unreadFiles: unread,
        problems: [],
        problemCount: 0,
        warnings,
        snapshot: null,
        mapped: mapped.map((m) => ({ ...m, changes: changes.get(`→ ${m.table}`) ?? [] })),
        timings,
      };
    }
    if (error instanceof ImportRejected) return refused(attemptId);
    // Any other error: the database went away, or a fault. The caller hears of it as a failed
    // import when it is logged; otherwise (the database is gone) as the error itself.
    if (isConnectionError(error) || (!dryRun && !failureLogged)) throw error;
    if (dryRun) problems.addFile(folder, `import failed: ${errorMessage(error)}`);
    return refused(attemptId);
  }
}

/** Whether a table changed by `rowsWritten` rows may keep the statistics it has: when they
 *  count rows (it was analysed) and the import wrote under a tenth of that many, autovacuum's
 *  own threshold (autovacuum_analyze_scale_factor 0.1), which analyses it after the commit once
 *  enough has changed. A monthly refresh adds about 3 % to claim_lines; analysing its 5.9
 *  million rows cost 1.0-1.6 s of the refresh at 2,000,000 members, and the incremental
 *  derivation reads them by their indexes. Unknown counts (FHIR's mapped tables) are analysed. */
async function keepsStatistics(tx: Sql, table: string, rowsWritten: number | undefined): Promise<boolean> {
  if (rowsWritten === undefined) return false;
  const [row] = await tx.query<{ rows: number }>(`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = $1::regclass`, [table]);
  const counted = row?.rows ?? -1;
  return counted > 0 && rowsWritten < counted / 10;
}

/** The batch id a dry run's rows carry inside its transaction: no import is ever numbered 0. */
const DRY_RUN_BATCH = 0;

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Reads one file into the warehouse: directly when it can, else into staging (see above). */
async function loadFile(tx: Sql, spec: FileSpec, file: string, read: ReadContext): Promise<{ digest: FileDigest; path: LoadPath }> {
  const { problems } = read;
  const columns = copyColumns(spec);
  if (!spec.tableColumns) {
    const mark = problems.checkpoint();
    await tx.exec(`SAVEPOINT direct_load`);
    try {
      const empty = await prepareEmptyTableLoad(tx, spec.table);
      const digest = await copyFile(tx, spec.table, columns, (sink) => readImportFile(spec, file, read, sink), { freeze: empty?.freeze });
      await empty?.rebuildIndexes();
      await tx.exec(`RELEASE SAVEPOINT direct_load`);
      return { digest, path: "direct" };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await tx.exec(`ROLLBACK TO SAVEPOINT direct_load`);
      problems.restore(mark);
      read.known.restart();
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
async function copyFile<T>(
  tx: Sql,
  table: string,
  columns: readonly string[],
  read: (sink: ChunkSink) => Promise<T>,
  options?: CopyOptions,
): Promise<T> {
  const copy = await tx.copyIn(table, columns, options);
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
function listImportFiles(folder: string, problems: ProblemLog): { specs: FileSpec[]; paths: Map<string, string>; fhir: FhirFile[]; unread: string[] } {
  const paths = new Map<string, string>();
  const fhir: FhirFile[] = [];
  const unread: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(folder).filter((name) => !name.startsWith("."));
  } catch {
    problems.addFile(folder, "the import folder cannot be read (does it exist?)");
    return { specs: [], paths, fhir, unread };
  }
  for (const name of entries.sort()) {
    const full = path.join(folder, name);
    if (!statSync(full).isFile()) continue;
    const canonical = name.toLowerCase();
    const fhirFile = FILE_NAMES.includes(canonical) ? null : fhirFileOf(name, full);
    if (typeof fhirFile === "string") {
      problems.addFile(name, `unknown file name: ${fhirFile}`);
      unread.push(name);
    } else if (fhirFile) {
      fhir.push(fhirFile);
    } else if (!FILE_NAMES.includes(canonical)) {
      problems.addFile(name, `unknown file name: an import holds ${KNOWN_NAMES}`);
      unread.push(name);
    } else if (paths.has(canonical)) {
      problems.addFile(name, `two files are named ${canonical} (names are case-insensitive)`);
      unread.push(name);
    } else {
      paths.set(canonical, full);
    }
  }
  if (paths.size === 0 && fhir.length === 0 && problems.count === 0) {
    problems.addFile(folder, `no import files: expected any of ${KNOWN_NAMES}`);
  }
  return { specs: FILE_SPECS.filter((s) => paths.has(s.file)), paths, fhir, unread };
}
