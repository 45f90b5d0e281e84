// npm run generate -- --members N --seed S --out <folder> [--end YYYY-MM-DD] [--years Y]
// Writes a synthetic data set in the import format (SPEC section 3); the same seed and options
// give byte-identical files.
import { parseArgs } from "node:util";
import { DEFAULT_END_DATE, DEFAULT_YEARS, generateDataset } from "../lib/generate";

const USAGE =
  "usage: npm run generate -- --members N --seed S --out <folder> [--end YYYY-MM-DD] [--years Y]";

function wholeNumber(name: string, raw: string | undefined): number {
  if (raw === undefined || !/^-?\d+$/.test(raw)) throw new Error(`--${name} must be a whole number (got ${raw ?? "nothing"})`);
  return Number(raw);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      members: { type: "string" },
      seed: { type: "string", default: "1" },
      out: { type: "string" },
      end: { type: "string", default: DEFAULT_END_DATE },
      years: { type: "string", default: String(DEFAULT_YEARS) },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (values.out === undefined) throw new Error("--out <folder> is required");

  const started = performance.now();
  const summary = await generateDataset({
    members: wholeNumber("members", values.members),
    seed: wholeNumber("seed", values.seed),
    years: wholeNumber("years", values.years),
    outDir: values.out,
    endDate: values.end,
  });
  const seconds = (performance.now() - started) / 1000;

  console.log(`Wrote ${values.out} (data from ${summary.startDate} to ${summary.endDate}) in ${seconds.toFixed(1)} s`);
  for (const file of summary.files) {
    const size = `${(file.bytes / 1_048_576).toFixed(1)} MB`;
    console.log(`  ${file.name.padEnd(16)} ${String(file.rows).padStart(12)} rows ${size.padStart(10)}`);
  }
  const claimLines = summary.files.find((f) => f.name === "claim_lines.csv")?.rows ?? 0;
  console.log(`  ${Math.round(claimLines / seconds).toLocaleString("en-US")} claim lines/s`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  console.error(USAGE);
  process.exit(1);
});
