// The synthetic data set generator: members one by one, each with coverage, EHR orders and
// claims, streamed to the five import files. Memory stays flat whatever the member count.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { tellCareStory, type CareContext } from "./care";
import { PLANS } from "./catalog";
import { addYears, dayNumber, isoDate, type DataWindow } from "./calendar";
import { writeClaims, type ClaimContext } from "./claims";
import { makeCoverage } from "./coverage";
import { CsvFileWriter } from "./csv";
import { coverageRow, DATASET_FILES, memberRow, orderRow, planRow, type DatasetFile } from "./files";
import { makeMember } from "./people";
import { Random, streamSeed } from "./prng";
import { makeProviderPool } from "./providers";

export { isValidNpi, makeNpi } from "./npi";
export { DATASET_FILES } from "./files";

/** A fixed default, never today's date: the same command must give the same files any day. */
export const DEFAULT_END_DATE = "2026-06-30";
export const DEFAULT_YEARS = 3;

export interface GenerateOptions {
  members: number;
  seed: number;
  outDir: string;
  /** Last day of the data (`YYYY-MM-DD`), also "today" for birth dates. Default 2026-06-30. */
  endDate?: string;
  /** Years of data before the end date. Default 3. */
  years?: number;
}

export interface GeneratedFile {
  name: string;
  path: string;
  /** Data rows, not counting the header. */
  rows: number;
  bytes: number;
}

export interface GenerateSummary {
  startDate: string;
  endDate: string;
  files: GeneratedFile[];
}

const MEMBER_STREAM = 2;
/** Let other work on the event loop run now and then during a long generation. */
const MEMBERS_PER_YIELD = 25_000;

function checkOptions(options: GenerateOptions): void {
  if (!Number.isSafeInteger(options.members) || options.members < 0) {
    throw new Error(`members must be a whole number ≥ 0 (got ${options.members})`);
  }
  if (!Number.isSafeInteger(options.seed)) throw new Error(`seed must be a whole number (got ${options.seed})`);
  const years = options.years ?? DEFAULT_YEARS;
  if (!Number.isInteger(years) || years < 1 || years > 20) throw new Error(`years must be 1–20 (got ${years})`);
}

export async function generateDataset(options: GenerateOptions): Promise<GenerateSummary> {
  checkOptions(options);
  const end = dayNumber(options.endDate ?? DEFAULT_END_DATE);
  const window: DataWindow = { start: addYears(end, -(options.years ?? DEFAULT_YEARS)) + 1, end };
  mkdirSync(options.outDir, { recursive: true });

  const writers = {} as Record<DatasetFile, CsvFileWriter>;
  try {
    for (const key of Object.keys(DATASET_FILES) as DatasetFile[]) {
      const file = DATASET_FILES[key];
      writers[key] = new CsvFileWriter(join(options.outDir, file.name), file.columns);
    }
    for (const plan of PLANS) writers.plans.writeRow(planRow(plan));

    const providers = makeProviderPool(options.seed);
    const rng = new Random(0);
    for (let n = 1; n <= options.members; n++) {
      // Each member draws from its own stream (see streamSeed).
      rng.reseed(streamSeed(options.seed, MEMBER_STREAM, n));
      const member = makeMember(rng, n, end);
      const coverage = makeCoverage(rng, member, window);
      writers.members.writeRow(memberRow(member));
      for (const span of coverage.spans) writers.coverage.writeRow(coverageRow(member, span));

      const care: CareContext = {
        rng, member, coverage, providers, window,
        primaryClinician: rng.pick(providers.clinicians),
        orders: [],
        claims: [],
      };
      tellCareStory(care);
      for (const order of care.orders) writers.orders.writeRow(orderRow(member, order));
      const claims: ClaimContext = { rng, member, coverage, window, sink: writers.claimLines };
      writeClaims(claims, care.claims);

      if (n % MEMBERS_PER_YIELD === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } finally {
    for (const writer of Object.values(writers)) writer.close();
  }

  return {
    startDate: isoDate(window.start),
    endDate: isoDate(window.end),
    files: (Object.keys(DATASET_FILES) as DatasetFile[]).map((key) => ({
      name: DATASET_FILES[key].name,
      path: writers[key].path,
      rows: writers[key].rows,
      bytes: writers[key].bytes,
    })),
  };
}
