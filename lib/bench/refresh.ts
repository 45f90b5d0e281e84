import path from "node:path";
import type { Database } from "@/db/client";
import { derivationSteps, rebuildDerivedFacts } from "@/lib/derive";
import { importFolder, type ImportResult } from "@/lib/import";
import { splitByReceivedMonth } from "./refresh-slices";

// The monthly claims refresh against a full rebuild (SPEC section 9: import plus derivation of
// one month's claim lines ≤ 15% of rebuilding every derived fact). The data set is imported as
// it would have arrived: everything with the claim lines received up to two months before the
// data's end, then each later month's lines as a claims-only import of its own, each timed
// whole (read, checks, load, derivation: what the steward waits for). The full rebuild is then
// timed on the same warehouse, so both derive the same facts.

type Row = [figure: string, value: string, note: string];

/** The month before the last two of the generated data (three years ending 2026-06-30). */
const INITIAL_THROUGH = "2026-04";

export async function benchRefresh(db: Database, allFiles: string, progress: (line: string) => void): Promise<Row[]> {
  const slicesDir = path.join(allFiles, "..", `refresh-slices-${INITIAL_THROUGH}`);
  // Split anew each run (seconds next to an import), so the line counts are this data set's.
  const slices = await splitByReceivedMonth(allFiles, slicesDir, INITIAL_THROUGH);
  progress(`${db.engine}: first import, claim lines received up to ${INITIAL_THROUGH} (${slices.initialLines} lines)`);
  const first = await timedImport(db, slices.initial);
  const rows: Row[] = [[`first import (claims received to ${INITIAL_THROUGH})`, `${first.seconds.toFixed(1)} s`, `${slices.initialLines} claim lines; derivation ${derive(first.result)}`]];
  const refreshes: { month: string; seconds: number }[] = [];
  for (const refresh of slices.refreshes) {
    progress(`${db.engine}: refresh of ${refresh.month} (${refresh.lines} lines)`);
    const r = await timedImport(db, refresh.folder);
    const d = r.result.snapshot?.derivation;
    rows.push([
      `monthly refresh ${refresh.month}: import + derivation`,
      `${r.seconds.toFixed(2)} s`,
      `${refresh.lines} lines; ${d?.kind ?? "?"} derivation${d?.members !== undefined ? ` of ${d.members} members` : ""}, ${derive(r.result)}: ${stepTimes()}`,
    ]);
    refreshes.push({ month: refresh.month, seconds: r.seconds });
  }
  progress(`${db.engine}: full rebuild`);
  const started = performance.now();
  await db.transaction((tx) => rebuildDerivedFacts(tx));
  const rebuild = (performance.now() - started) / 1000;
  rows.push(["full rebuild of the same warehouse", `${rebuild.toFixed(1)} s`, `every derived fact, as an import that changes orders does: ${stepTimes()}`]);
  for (const r of refreshes) rows.push([`refresh ${r.month} ÷ full rebuild`, `${Math.round((100 * r.seconds) / rebuild)}%`, "target ≤ 15%"]);
  return rows;
}

async function timedImport(db: Database, folder: string): Promise<{ result: ImportResult; seconds: number }> {
  const started = performance.now();
  const result = await importFolder(db, folder, { importedBy: "bench" });
  if (!result.ok) throw new Error(`${folder}: ${result.problems.slice(0, 5).join("\n")}`);
  return { result, seconds: (performance.now() - started) / 1000 };
}

/** Where the last derivation's time went, step by step (lib/derive/session.ts). */
const stepTimes = () => derivationSteps.map((s) => `${s.step} ${(s.ms / 1000).toFixed(1)} s`).join(", ");

const derive = (result: ImportResult) => `${(result.timings.derive / 1000).toFixed(2)} s`;
