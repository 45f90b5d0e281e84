import { closeSync, copyFileSync, createReadStream, mkdirSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

// A data set as monthly claims refreshes arrive (SPEC section 9): one first import of plans,
// members, coverage, orders and the claim lines received up to a month, then one folder per later
// month holding only the claim lines received in it — new claims, and replacements (7) and voids
// (8) of older ones. Used by the benchmark and by the incremental derivation's test.

export type RefreshSlices = {
  /** The first import's folder. */
  initial: string;
  /** One claims-only folder per later month, in order. */
  refreshes: { month: string; folder: string; lines: number }[];
  initialLines: number;
};

const REFERENCE_FILES = ["plans.csv", "members.csv", "coverage.csv", "orders.csv"];

/**
 * Splits `allFiles` (a folder of the five CSV files, as the generator writes them) into
 * `outDir/initial` (claim lines received in `through` or before) and `outDir/refresh-YYYY-MM`
 * (each later month's). Lines keep their order; each file keeps the header.
 */
export async function splitByReceivedMonth(allFiles: string, outDir: string, through: string): Promise<RefreshSlices> {
  const initial = path.join(outDir, "initial");
  mkdirSync(initial, { recursive: true });
  for (const file of REFERENCE_FILES) copyFileSync(path.join(allFiles, file), path.join(initial, file));
  const lines = createInterface({ input: createReadStream(path.join(allFiles, "claim_lines.csv"), { encoding: "utf8" }), crlfDelay: Infinity });
  let header: string | null = null;
  let receivedAt = -1;
  const outputs = new Map<string, { fd: number; buffer: string; lines: number }>();
  const output = (month: string) => {
    const key = month <= through ? "initial" : month;
    let out = outputs.get(key);
    if (!out) {
      const folder = key === "initial" ? initial : path.join(outDir, `refresh-${key}`);
      mkdirSync(folder, { recursive: true });
      out = { fd: openSync(path.join(folder, "claim_lines.csv"), "w"), buffer: `${header}\n`, lines: 0 };
      outputs.set(key, out);
    }
    return out;
  };
  for await (const line of lines) {
    if (header === null) {
      header = line;
      receivedAt = line.split(",").indexOf("received_date");
      if (receivedAt < 0) throw new Error("claim_lines.csv has no received_date column");
      continue;
    }
    if (line === "") continue;
    // The columns before received_date (claim id, line number, frequency) are never quoted.
    const received = line.split(",", receivedAt + 1)[receivedAt]!;
    const out = output(received.slice(0, 7));
    out.buffer += `${line}\n`;
    out.lines++;
    if (out.buffer.length > 1 << 16) {
      writeSync(out.fd, out.buffer);
      out.buffer = "";
    }
  }
  output(through); // the first import has a claims file even when no line is that old
  for (const out of outputs.values()) {
    writeSync(out.fd, out.buffer);
    closeSync(out.fd);
  }
  const refreshes = [...outputs.entries()]
    .filter(([key]) => key !== "initial")
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([month, out]) => ({ month, folder: path.join(outDir, `refresh-${month}`), lines: out.lines }));
  return { initial, refreshes, initialLines: outputs.get("initial")!.lines };
}
