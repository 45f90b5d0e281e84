// npm run bench -- [--members N] [--seed S]: the benchmark of SPEC section 9 on PostgreSQL
// (DATABASE_URL's server, else the local one at 127.0.0.1:5432, in a database of its own).
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { openDatabase, type Database } from "@/db/client";
import { timePlainCopy } from "@/lib/bench/plain-copy";
import { rebuildDerivedFacts } from "@/lib/derive";
import { generateDataset } from "@/lib/generate";
import { importFolder } from "@/lib/import";

const SERVER_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const BENCH_DB = "dxa_bench";

type Row = [figure: string, value: string, note: string];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { members: { type: "string", default: "200000" }, seed: { type: "string", default: "1" } } });
  const members = Number(values.members);
  const seed = Number(values.seed);
  const rows: Row[] = [];

  const folder = await dataset(members, seed);
  const claimsOnly = path.join(folder, "claims-only");
  const reference = path.join(folder, "reference");
  const databaseUrl = await freshBenchDatabase();
  const db = await openDatabase({ databaseUrl });
  try {
    const refResult = await timed(() => importFolder(db, reference, { importedBy: "bench" }));
    rows.push(["import of plans, members, coverage, orders", `${refResult.seconds.toFixed(1)} s`, `${sumRows(refResult.value)} rows`]);

    const claims = await timed(() => importFolder(db, claimsOnly, { importedBy: "bench" }));
    if (!claims.value.ok) throw new Error(claims.value.problems.join("\n"));
    const lines = claims.value.files[0]!.rows;
    const t = claims.value.timings;
    const importSeconds = (t.read + t.check + t.upsert) / 1000;
    const copySeconds = await timePlainCopy(databaseUrl, path.join(claimsOnly, "claim_lines.csv"));
    rows.push(["claim lines", String(lines), ""]);
    rows.push([
      "import of claim lines (read, validate, load, check, upsert)",
      `${rate(lines, importSeconds)} lines/s`,
      `${importSeconds.toFixed(1)} s = read ${(t.read / 1000).toFixed(1)} s, checks ${(t.check / 1000).toFixed(1)} s, upsert ${(t.upsert / 1000).toFixed(1)} s`,
    ]);
    rows.push(["plain COPY of the same file into a bare table", `${rate(lines, copySeconds)} lines/s`, `${copySeconds.toFixed(1)} s`]);
    rows.push(["import speed / plain COPY speed", `${Math.round((100 * copySeconds) / importSeconds)}%`, "target ≥ 50%"]);
    rows.push(["derived facts rebuilt within that import", `${(t.derive / 1000).toFixed(1)} s`, snapshotNote(claims.value.snapshot)]);

    const rebuild = await timed(() => db.transaction((tx) => rebuildDerivedFacts(tx)));
    rows.push(["derived facts rebuild on its own", `${rebuild.seconds.toFixed(1)} s`, "target ≤ 60 s at full size"]);
  } finally {
    await db.close();
  }
  print(members, seed, rows);
}

/** The generated data set, split into a reference import and a claims-only refresh; kept in
 *  bench-data/ between runs because the same seed gives the same files. */
async function dataset(members: number, seed: number): Promise<string> {
  const folder = path.join(process.cwd(), "bench-data", `m${members}-s${seed}`);
  if (!existsSync(path.join(folder, "claims-only", "claim_lines.csv"))) {
    rmSync(folder, { recursive: true, force: true });
    const all = path.join(folder, "all");
    const started = performance.now();
    await generateDataset({ members, seed, outDir: all });
    console.error(`generated ${members} members in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    mkdirSync(path.join(folder, "reference"), { recursive: true });
    mkdirSync(path.join(folder, "claims-only"), { recursive: true });
    for (const file of ["plans.csv", "members.csv", "coverage.csv", "orders.csv"]) {
      cpSync(path.join(all, file), path.join(folder, "reference", file));
    }
    cpSync(path.join(all, "claim_lines.csv"), path.join(folder, "claims-only", "claim_lines.csv"));
    rmSync(all, { recursive: true });
  }
  return folder;
}

async function freshBenchDatabase(): Promise<string> {
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${BENCH_DB}`);
  await admin.end();
  const url = new URL(SERVER_URL);
  url.pathname = `/${BENCH_DB}`;
  return url.toString();
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - started) / 1000 };
}

const rate = (n: number, seconds: number) => Math.round(n / seconds).toLocaleString("en-US");
const sumRows = (r: Awaited<ReturnType<typeof importFolder>>) => r.files.reduce((n, f) => n + f.rows, 0);
const snapshotNote = (s: { studies: number; orders: number; fractureEpisodes: number } | null) =>
  s ? `${s.studies} studies, ${s.orders} orders, ${s.fractureEpisodes} fracture episodes` : "";

function print(members: number, seed: number, rows: Row[]): void {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(`\nDXA Tracker benchmark — ${new Date().toISOString().slice(0, 10)}, ${members} members (seed ${seed}), PostgreSQL`);
  console.log(`machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);
  console.log("| figure | value | note |\n|---|---|---|");
  for (const [figure, value, note] of rows) console.log(`| ${figure} | ${value} | ${note} |`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
