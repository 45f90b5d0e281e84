// Times one full rebuild of the derived facts in an existing PostgreSQL warehouse, step by step,
// and rolls it back, so that two versions of the derivation can be timed in turn on the same
// data (docs/benchmarks.md). With --hash, prints a row count and a sum of row hashes per
// snapshot table before rolling back: two versions that agree on every line derive the same rows.
// With --explain, the server logs each statement over 300 ms with its plan and time (auto_explain,
// in PostgreSQL's own log); with --analyze as well, each plan node's actual rows and time.
// npx tsx scripts/rebuild-once.ts <database url> [--hash] [--explain [--analyze]]
import { openDatabase } from "@/db/client";
import { derivationSteps, rebuildDerivedFacts, SNAPSHOT_TABLES } from "@/lib/derive";

class RolledBack extends Error {}

async function main(): Promise<void> {
  const [databaseUrl, ...flags] = process.argv.slice(2);
  if (!databaseUrl) throw new Error("usage: rebuild-once.ts <database url> [--hash] [--explain [--analyze]]");
  const db = await openDatabase({ databaseUrl });
  try {
    await db
      .transaction(async (tx) => {
        if (flags.includes("--explain")) {
          await tx.exec(`LOAD 'auto_explain'; SET LOCAL auto_explain.log_min_duration = '300ms'; SET LOCAL auto_explain.log_nested_statements = on; SET LOCAL auto_explain.log_analyze = ${flags.includes("--analyze") ? "on" : "off"}`);
        }
        const started = performance.now();
        await rebuildDerivedFacts(tx);
        console.log(`full rebuild ${((performance.now() - started) / 1000).toFixed(2)} s`);
        for (const s of derivationSteps) console.log(`  ${s.step}: ${(s.ms / 1000).toFixed(2)} s`);
        if (flags.includes("--hash")) {
          for (const table of SNAPSHOT_TABLES) {
            // as_of is left out: the same data derives the same date.
            const [row] = await tx.query<{ rows: number; hash: string }>(
              `SELECT count(*)::int AS rows, coalesce(sum(hashtext((to_jsonb(t) - 'as_of')::text)::bigint), 0)::text AS hash FROM ${table} t`,
            );
            console.log(`  ${table}: ${row!.rows} rows, hash sum ${row!.hash}`);
          }
        }
        throw new RolledBack();
      })
      .catch((e) => {
        if (!(e instanceof RolledBack)) throw e;
      });
  } finally {
    await db.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
