// Times one import into an existing PostgreSQL warehouse, step by step: the monthly refresh
// reproduced on a copy of a kept warehouse (CREATE DATABASE … TEMPLATE), or that warehouse's
// first import. npx tsx scripts/refresh-once.ts <database url> <folder>
import { openDatabase } from "@/db/client";
import { derivationSteps } from "@/lib/derive";
import { importFolder } from "@/lib/import";

async function main(): Promise<void> {
  const [databaseUrl, folder] = process.argv.slice(2);
  if (!databaseUrl || !folder) throw new Error("usage: refresh-once.ts <database url> <folder>");
  const db = await openDatabase({ databaseUrl });
  try {
    const started = performance.now();
    const result = await importFolder(db, folder, { importedBy: "bench" });
    const seconds = (performance.now() - started) / 1000;
    if (!result.ok) throw new Error(result.problems.slice(0, 5).join("\n"));
    const d = result.snapshot?.derivation;
    console.log(`import + derivation ${seconds.toFixed(2)} s; ${d?.kind} derivation${d?.members !== undefined ? ` of ${d.members} members` : ""}`);
    console.log(`timings: ${Object.entries(result.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`).join(", ")}`);
    for (const s of derivationSteps) console.log(`  ${s.step}: ${(s.ms / 1000).toFixed(2)} s`);
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
