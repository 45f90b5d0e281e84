import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { Database } from "@/db/client";
import { importFolder, type ImportResult } from "@/lib/import";
import { convertCsvFolderToNdjson } from "./fhir-convert";

// The FHIR import (SPEC 3b) beside the CSV import (section 3) of the same facts: a CSV folder
// (a generated data set) is converted to a bulk NDJSON export once (lib/bench/fhir-convert.ts,
// kept beside it), then each is imported into an empty warehouse of its own and timed, the two
// alternately `runs` times and the medians compared (single runs on a shared 2-core machine
// vary by ±20 %, as scripts/bench.ts found for the CSV import).

export type ImportTiming = {
  /** Reading, checking and loading (what the import itself costs), seconds: the median. */
  importSeconds: number;
  /** Every run's, in order. */
  runs: number[];
  /** Of the median run: reading (and loading as it reads), checks, upserts, seconds. */
  phases: { read: number; check: number; upsert: number };
  /** The derived-facts rebuild within the import, seconds (the same work for both). */
  deriveSeconds: number;
  bytes: number;
};

export type FhirImportBench = {
  members: number;
  claimLines: number;
  resources: number;
  /** Seconds to write the NDJSON files; null when they were there already. */
  conversionSeconds: number | null;
  csv: ImportTiming & { linesPerSecond: number };
  fhir: ImportTiming & { resourcesPerSecond: number };
  /** FHIR import seconds ÷ CSV import seconds (derivation left out). */
  ratio: number;
  /** Whether both imports gave the same number of rows in every warehouse table and the same
   *  as-of date (the test suite proves the values equal: test/integration/fhir-equivalence). */
  sameFacts: boolean;
};

/**
 * Times the import of `csvFolder`'s CSV files and of the same facts as FHIR NDJSON files in
 * `fhirFolder` (written there when absent). `openEmpty` opens an empty, migrated warehouse; it
 * is called once for each import (2 × `runs`, default 3), and the database is closed after it.
 */
export async function benchFhirImport(options: {
  csvFolder: string;
  fhirFolder: string;
  openEmpty: () => Promise<Database>;
  runs?: number;
  progress?: (message: string) => void;
}): Promise<FhirImportBench> {
  const { csvFolder, fhirFolder, openEmpty, runs = 3, progress = () => {} } = options;
  let conversionSeconds: number | null = null;
  if (!existsSync(path.join(fhirFolder, "ExplanationOfBenefit.ndjson"))) {
    const started = performance.now();
    await convertCsvFolderToNdjson(csvFolder, fhirFolder);
    conversionSeconds = (performance.now() - started) / 1000;
  }
  const csvRuns: Timed[] = [];
  const fhirRuns: Timed[] = [];
  for (let run = 1; run <= runs; run++) {
    progress(`CSV import (${run}/${runs})`);
    csvRuns.push(await timedImport(openEmpty, csvFolder));
    progress(`FHIR import (${run}/${runs})`);
    fhirRuns.push(await timedImport(openEmpty, fhirFolder));
  }
  const csv = medianRun(csvRuns);
  const fhir = medianRun(fhirRuns);
  const claimLines = csv.result.files.find((f) => f.file === "claim_lines.csv")?.rows ?? 0;
  const resources = fhir.result.files.reduce((n, f) => n + f.rows, 0);
  return {
    members: csv.result.files.find((f) => f.file === "members.csv")?.rows ?? 0,
    claimLines,
    resources,
    conversionSeconds,
    csv: { ...csv.timing, linesPerSecond: claimLines / csv.timing.importSeconds },
    fhir: { ...fhir.timing, resourcesPerSecond: resources / fhir.timing.importSeconds },
    ratio: fhir.timing.importSeconds / csv.timing.importSeconds,
    sameFacts: JSON.stringify(csv.counts) === JSON.stringify(fhir.counts),
  };
}

type Timed = Awaited<ReturnType<typeof timedImport>>;

function medianRun(runs: Timed[]): Timed {
  const sorted = [...runs].sort((a, b) => a.timing.importSeconds - b.timing.importSeconds);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return { ...median, timing: { ...median.timing, runs: runs.map((r) => r.timing.importSeconds) } };
}

async function timedImport(openEmpty: () => Promise<Database>, folder: string) {
  const db = await openEmpty();
  try {
    const result: ImportResult = await importFolder(db, folder, { importedBy: "bench" });
    if (!result.ok) throw new Error(`${folder}: import rejected:\n${result.problems.slice(0, 20).join("\n")}`);
    const t = result.timings;
    const [counts] = await db.query(
      `SELECT (SELECT count(*) FROM plans)::int AS plans, (SELECT count(*) FROM members)::int AS members,
              (SELECT count(*) FROM coverage)::int AS coverage, (SELECT count(*) FROM ehr_orders)::int AS orders,
              (SELECT count(*) FROM claim_lines)::int AS claim_lines, (SELECT max(as_of)::text FROM derived_snapshots) AS as_of`,
    );
    const bytes = readdirSync(folder).reduce((n, f) => n + statSync(path.join(folder, f)).size, 0);
    const importSeconds = (t.read + t.check + t.upsert) / 1000;
    const phases = { read: t.read / 1000, check: t.check / 1000, upsert: t.upsert / 1000 };
    const timing: ImportTiming = { importSeconds, runs: [importSeconds], phases, deriveSeconds: t.derive / 1000, bytes };
    return { result, timing, counts };
  } finally {
    await db.close();
  }
}
