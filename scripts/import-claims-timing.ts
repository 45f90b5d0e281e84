// npx tsx scripts/import-claims-timing.ts --db <name> --folder <data folder> [--runs N] [--copy]
// The claim-line import alone, for profiling (node --cpu-prof) and A/B timing: in a database of
// the local server whose plans and members are loaded (created from the data folder's
// `reference` import on first use), each run empties claim_lines, imports `claims-only`, and
// prints the import proper's seconds (a dry run: the same reading, checks and load, rolled
// back instead of derived); with --copy, PostgreSQL's plain COPY of the same file too
// (lib/bench/plain-copy.ts), alternating, as the benchmark does.
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { openDatabase } from "@/db/client";
import { cpuSecondsOf, cpuSpent } from "@/lib/bench/cpu";
import { timePlainCopy } from "@/lib/bench/plain-copy";
import { importFolder } from "@/lib/import";

const SERVER = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { db: { type: "string" }, folder: { type: "string" }, runs: { type: "string", default: "1" }, copy: { type: "boolean", default: false }, derive: { type: "boolean", default: false } },
  });
  const name = values.db!;
  const folder = path.resolve(values.folder!);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  const admin = postgres(SERVER, { max: 1, onnotice: () => {} });
  const [exists] = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
  if (!exists) await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const db = await openDatabase({ databaseUrl: url.toString() });
  try {
    const [members] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM members`);
    if (!members!.n) {
      const ref = await importFolder(db, path.join(folder, "reference"), { importedBy: "timing" });
      if (!ref.ok) throw new Error(ref.problems.join("\n"));
    }
    for (let run = 1; run <= Number(values.runs); run++) {
      if (values.copy) {
        const load = os.loadavg()[0]!.toFixed(2);
        const s = await timePlainCopy(url.toString(), path.join(folder, "claims-only", "claim_lines.csv"));
        console.log(`copy ${s.toFixed(3)} s load ${load}`);
      }
      await db.exec(`TRUNCATE claim_lines`);
      await db.exec(`VACUUM ANALYZE claim_lines`);
      const load = os.loadavg()[0]!.toFixed(2);
      const backends = async () => cpuSecondsOf((await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`)).map((r) => r.pid));
      const serverBefore = await backends();
      const started = process.cpuUsage();
      // A dry run reads, checks and loads exactly as the import does, then rolls back instead of
      // deriving (minutes at full size); --derive runs the whole import.
      const result = await importFolder(db, path.join(folder, "claims-only"), { importedBy: "timing", dryRun: !values.derive });
      if (!result.ok) throw new Error(result.problems.slice(0, 20).join("\n"));
      const cpu = process.cpuUsage(started);
      const server = cpuSpent(serverBefore, await backends());
      const t = result.timings;
      console.log(
        `import ${((t.read + t.check + t.upsert) / 1000).toFixed(3)} s (read ${(t.read / 1000).toFixed(3)}, check ${(t.check / 1000).toFixed(3)}, upsert ${(t.upsert / 1000).toFixed(3)}; derive ${(t.derive / 1000).toFixed(1)}) rows ${result.files[0]!.rows} node cpu ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s server cpu ${server.toFixed(2)} s load ${load}`,
      );
    }
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
