// npm run bench -- [--members N[,N…]] [--seed S] [--engines postgres,pglite]
//   [--import-only | --refresh-only | --pages-only and/or --load-only] [--users 50] [--load-seconds 60]
//   [--load-think 5000,0] [--samples 20] [--duckdb-runs N] [--skip-duckdb] [--reuse-build] [--keep]
// The benchmark of SPEC section 9. PostgreSQL is DATABASE_URL's server, else the local one at
// 127.0.0.1:5432, in a fresh database of its own per run; PGlite runs in a temporary directory.
// Pages and users are measured over HTTP against `next start` of a production build made in a
// copy of this tree (lib/bench/server.ts), with users signed in through the product's sign-in.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { openDatabase, type Database } from "@/db/client";
import { checkDuckdbAgainstWarehouse } from "@/lib/bench/duckdb-check";
import { duckdbFollowUp } from "@/lib/bench/duckdb-follow-up";
import { DUCKDB_PAGES, runDuckdbPage, type PageFigures, type PageKey } from "@/lib/bench/duckdb-pages";
import { benchOrdersCsv } from "@/lib/bench/orders-csv";
import { BENCHMARK_VIEWER } from "@/lib/bench/viewer";
import { canMeasureCpu, cpuSecondsOf, cpuSpent } from "@/lib/bench/cpu";
import { benchmarkPages, loadMix, loadUsers, timePages, type LoadResult, type PageTiming } from "@/lib/bench/pages";
import { timePlainCopy } from "@/lib/bench/plain-copy";
import { benchRefresh } from "@/lib/bench/refresh";
import { buildApplication, freePort, startServer } from "@/lib/bench/server";
import { addBenchmarkUsers, signIn } from "@/lib/bench/users";
import { rebuildDerivedFacts } from "@/lib/derive";
import { generateDataset } from "@/lib/generate";
import { importFolder, type ImportResult } from "@/lib/import";
import { computeMeasure, loadMeasureScope, MEASURE_KEYS, resolveSnapshot, type GroupBy, type MeasureQuery } from "@/lib/measures";
import { getViewContext } from "@/lib/views/context";
import { addMonths, lastDayOfMonth, monthOf } from "@/lib/months";
import { getByPayer, getFunnel, getHeadlines, getScanTiming, getTrend } from "@/lib/views/overview";

const SERVER_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const RUNS = 7;

type Row = [figure: string, value: string, note: string];
/** A table of the report: its title, rows, and its header when it is not figure | value | note. */
type Section = [title: string, rows: string[][], header?: string[]];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      // One size, or several (comma separated, e.g. 200000,2000000): the pages are then also
      // compared between the smallest and the largest (SPEC 9: the 100% size within 1.3× of 10%).
      members: { type: "string", default: "200000" },
      seed: { type: "string", default: "1" },
      engines: { type: "string", default: "postgres,pglite" },
      // Only the import and derivation figures (the measures take minutes at full size).
      "import-only": { type: "boolean", default: false },
      // Only the monthly claims refresh against a full rebuild (lib/bench/refresh.ts).
      "refresh-only": { type: "boolean", default: false },
      // Only the pages' p50/p95 over HTTP, or only the concurrent users: the data is imported
      // once (no COPY comparison, no measures), so a run at 200,000 members takes minutes.
      "pages-only": { type: "boolean", default: false },
      "load-only": { type: "boolean", default: false },
      users: { type: "string", default: "50" },
      "load-seconds": { type: "string", default: "60" },
      // Each user's mean pause between pages, ms, one run per value (comma separated); 0 = none.
      "load-think": { type: "string", default: "5000,0" },
      samples: { type: "string", default: "20" },
      // With the pages: each page's figures computed by DuckDB from the raw CSV files
      // (lib/bench/duckdb-pages.ts), this many times a page (the median is compared), checked
      // against the warehouse's, and set beside the page's times. Default: 3, and 1 over
      // 1,000,000 members (a run of the six pages takes minutes there, and a page's share of
      // DuckDB's time is a fraction of a percent, which one run more would not move).
      "duckdb-runs": { type: "string" },
      "skip-duckdb": { type: "boolean", default: false },
      // Keep an earlier `next build` of this tree (in the system's temporary directory).
      "reuse-build": { type: "boolean", default: false },
      // Keep each run's PostgreSQL database and PGlite directory (their names are printed).
      keep: { type: "boolean", default: false },
    },
  });
  // --pages-only and --load-only together: both HTTP parts, still without the import comparison.
  const only = (["import-only", "refresh-only", "pages-only", "load-only"] as const).filter((flag) => values[flag]);
  if ((values["import-only"] || values["refresh-only"]) && only.length > 1) throw new Error(`--${only.join(" and --")} exclude each other`);
  const plan: BenchPlan = {
    seed: Number(values.seed),
    importComparison: only.length === 0 || values["import-only"]!,
    refresh: only.length === 0 || values["refresh-only"]!,
    measures: only.length === 0,
    pages: only.length === 0 || values["pages-only"]!,
    load: only.length === 0 || values["load-only"]!,
    users: Number(values.users),
    loadSeconds: Number(values["load-seconds"]),
    loadThinkMs: values["load-think"]!.split(",").map(Number),
    samples: Number(values.samples),
    duckdbRuns: values["skip-duckdb"] ? 0 : values["duckdb-runs"] === undefined ? null : Number(values["duckdb-runs"]),
    duckdbFigures: null,
    keep: values.keep!,
    buildDir: null,
  };
  const sizes = values.members!.split(",").map(Number).sort((a, b) => a - b);
  const engines = values.engines!.split(",");
  for (const n of [...sizes, plan.users, plan.loadSeconds, plan.samples, plan.seed, plan.duckdbRuns ?? 0]) if (!Number.isInteger(n) || n < 0) throw new Error(`not a count: ${n}`);
  for (const think of plan.loadThinkMs) if (!(Number.isInteger(think) && think >= 0 && think <= 20_000)) throw new Error("--load-think: milliseconds, 0 to 20000 (a request times out after 30 s)");

  const sections: Section[] = [];
  if (plan.pages || plan.load) {
    const build = buildApplication({ reuse: values["reuse-build"], log: progress });
    plan.buildDir = build.dir;
    if (build.seconds) progress(`built in ${build.seconds.toFixed(0)} s`);
  }
  const pageTimes = new Map<string, Map<number, PageTiming[]>>();
  for (const members of sizes) {
    const folder = await dataset(members, plan.seed);
    const size = `${members.toLocaleString("en-US")} members`;
    // DuckDB first, alone with the machine (no server of ours running); its figures are checked
    // against each engine's warehouse after the import.
    const duckdbRuns = plan.duckdbRuns ?? (members > 1_000_000 ? 1 : 3);
    const duck = plan.pages && duckdbRuns > 0 ? await benchDuckdb(path.join(folder, "all-files"), duckdbRuns) : null;
    plan.duckdbFigures = duck?.figures ?? null;
    if (duck) sections.push([`DuckDB, ${size}: each page's figures from the raw CSV files (median of ${duckdbRuns}; a fresh in-memory database each run, from reading the files to the figures)`, duck.rows]);
    const served: EngineResult[] = [];
    if (engines.includes("postgres")) {
      const result = await benchPostgres(folder, plan);
      for (const [title, rows] of result.sections) sections.push([`PostgreSQL, ${size}: ${title}`, rows]);
      if (result.pages) record(pageTimes, "PostgreSQL", members, result.pages);
      served.push(result);
    }
    if (engines.includes("pglite")) {
      const result = await benchPglite(folder, plan);
      for (const [title, rows] of result.sections) sections.push([`PGlite, ${size}: ${title}`, rows]);
      if (result.pages) record(pageTimes, "PGlite", members, result.pages);
      served.push(result);
    }
    if (duck) sections.push(sideBySide(size, duck, served));
  }
  for (const [engine, bySize] of pageTimes) if (bySize.size > 1) sections.push([`${engine}: pages at the largest size against the smallest`, compareSizes(bySize)]);
  print(sizes, plan.seed, sections);
}

type BenchPlan = {
  seed: number;
  importComparison: boolean;
  /** The monthly refresh against a full rebuild, in a database of its own. */
  refresh: boolean;
  measures: boolean;
  pages: boolean;
  load: boolean;
  users: number;
  loadSeconds: number;
  loadThinkMs: number[];
  samples: number;
  /** DuckDB runs of each page's script (0: none; null: by size). */
  duckdbRuns: number | null;
  /** The size being measured: DuckDB's figures, to check against each engine's warehouse. */
  duckdbFigures: Partial<PageFigures> | null;
  keep: boolean;
  buildDir: string | null;
};

type EngineResult = { engine: string; sections: [string, Row[]][]; pages: PageTiming[] | null; pagesLoad: string | null };

function record(into: Map<string, Map<number, PageTiming[]>>, engine: string, members: number, pages: PageTiming[]): void {
  if (!into.has(engine)) into.set(engine, new Map());
  into.get(engine)!.set(members, pages);
}

async function benchPostgres(folder: string, plan: BenchPlan): Promise<EngineResult> {
  const refresh: [string, Row[]][] = plan.refresh ? [["monthly refresh", await refreshOnPostgres(folder, plan)]] : [];
  if (!plan.importComparison && !plan.pages && !plan.load) return { engine: "PostgreSQL", sections: refresh, pages: null, pagesLoad: null };
  const result = await importAndServeOnPostgres(folder, plan);
  return { ...result, sections: [...refresh, ...result.sections] };
}

async function refreshOnPostgres(folder: string, plan: BenchPlan): Promise<Row[]> {
  const { name, url: databaseUrl } = await freshBenchDatabase();
  progress(`postgres: database ${name} (refresh)`);
  try {
    const db = await openDatabase({ databaseUrl });
    try {
      return await benchRefresh(db, path.join(folder, "all-files"), progress);
    } finally {
      await db.close();
    }
  } finally {
    if (plan.keep) progress(`kept PostgreSQL database ${name}`);
    else await dropBenchDatabase(name);
  }
}

async function importAndServeOnPostgres(folder: string, plan: BenchPlan): Promise<EngineResult> {
  const { name, url: databaseUrl } = await freshBenchDatabase();
  progress(`postgres: database ${name}`);
  try {
    const sections: [string, Row[]][] = [];
    let site: Site | null = null;
    const db = await openDatabase({ databaseUrl });
    try {
      sections.push(...(await importAndMeasure(db, folder, databaseUrl, plan)));
      if (plan.duckdbFigures) sections.push(["DuckDB's page figures against this warehouse's (same as-of date and period)", await duckdbCheckRows(db, plan.duckdbFigures)]);
      if (plan.pages || plan.load) site = await prepareSite(db, plan);
    } finally {
      await db.close();
    }
    if (!site) return { engine: "PostgreSQL", sections, pages: null, pagesLoad: null };
    const http = await benchHttp(plan, { url: databaseUrl }, site, name);
    return { engine: "PostgreSQL", sections: [...sections, ...http.sections], pages: http.pages, pagesLoad: http.pagesLoad };
  } finally {
    if (plan.keep) progress(`kept PostgreSQL database ${name}`);
    else await dropBenchDatabase(name);
  }
}

async function benchPglite(folder: string, plan: BenchPlan): Promise<EngineResult> {
  const refresh: [string, Row[]][] = plan.refresh ? [["monthly refresh", await refreshOnPglite(folder, plan)]] : [];
  if (!plan.importComparison && !plan.pages && !plan.load) return { engine: "PGlite", sections: refresh, pages: null, pagesLoad: null };
  const result = await importAndServeOnPglite(folder, plan);
  return { ...result, sections: [...refresh, ...result.sections] };
}

async function refreshOnPglite(folder: string, plan: BenchPlan): Promise<Row[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dxa-bench-pglite-refresh-"));
  try {
    const db = await openDatabase({ dataDir: path.join(dir, "pglite") });
    try {
      return await benchRefresh(db, path.join(folder, "all-files"), progress);
    } finally {
      await db.close();
    }
  } finally {
    if (plan.keep) progress(`kept PGlite directory ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function importAndServeOnPglite(folder: string, plan: BenchPlan): Promise<EngineResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dxa-bench-pglite-"));
  const dataDir = path.join(dir, "pglite");
  const sections: [string, Row[]][] = [];
  let site: Site | null = null;
  try {
    const db = await openDatabase({ dataDir });
    try {
      sections.push(...(await importAndMeasure(db, folder, null, plan)));
      if (plan.duckdbFigures) sections.push(["DuckDB's page figures against this warehouse's (same as-of date and period)", await duckdbCheckRows(db, plan.duckdbFigures)]);
      if (plan.pages || plan.load) site = await prepareSite(db, plan);
    } finally {
      // Closed before the server opens it: one process per embedded database.
      await db.close();
    }
    let pages: PageTiming[] | null = null;
    let pagesLoad: string | null = null;
    if (site) {
      const http = await benchHttp(plan, { dataDir }, site, null);
      sections.push(...http.sections);
      pages = http.pages;
      pagesLoad = http.pagesLoad;
    }
    return { engine: "PGlite", sections, pages, pagesLoad };
  } finally {
    if (plan.keep) progress(`kept PGlite directory ${dataDir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** The import and derivation figures (the import against plain COPY, run several times), and
 *  the measures; or, for the pages and users alone, one import of all five files. */
async function importAndMeasure(db: Database, folder: string, databaseUrl: string | null, plan: BenchPlan): Promise<[string, Row[]][]> {
  if (!plan.importComparison) {
    progress(`${db.engine}: importing all five files`);
    const load = loadAverage();
    const all = await timed(() => importFolder(db, path.join(folder, "all-files"), { importedBy: "bench" }));
    if (!all.value.ok) throw new Error(all.value.problems.join("\n"));
    return [
      [
        "import",
        [
          ["import of all five files, derivation included", `${all.seconds.toFixed(1)} s`, `${sumRows(all.value)} rows; derivation ${(all.value.timings.derive / 1000).toFixed(1)} s; ${load()}`],
        ],
      ],
    ];
  }
  const sections: [string, Row[]][] = [["import and derivation", await benchImport(db, folder, databaseUrl)]];
  if (plan.measures) sections.push(["measures (p50 of 7 runs after the first, 12 months, all payers)", await benchMeasures(db, folder)]);
  return sections;
}

/** What the HTTP part needs from the warehouse, read before the server starts: its users, a
 *  payer and members to open. */
type Site = { emails: string[]; payerKeys: string[]; memberIds: string[] };

async function prepareSite(db: Database, plan: BenchPlan): Promise<Site> {
  // The page timings need one user; the load, each of its users.
  const users = plan.load ? Math.max(plan.users, 1) : 1;
  progress(`${db.engine}: adding ${users} users`);
  const emails = await addBenchmarkUsers(db, users);
  const payers = await db.query<{ key: string }>(`SELECT key FROM payers WHERE listed ORDER BY sort_order`);
  // Members with the latest orders: each record has orders, studies and coverage to show.
  const members = await db.query<{ member_id: string }>(
    `SELECT member_id FROM (SELECT member_id, max(order_date) AS last FROM (SELECT member_id, order_date FROM order_facts ORDER BY order_date DESC LIMIT 50) o GROUP BY member_id) m ORDER BY last DESC, member_id LIMIT 5`,
  );
  if (payers.length === 0 || members.length === 0) throw new Error("the benchmark warehouse has no payer or no order");
  return { emails, payerKeys: payers.map((p) => p.key), memberIds: members.map((m) => m.member_id) };
}

/** `next start` over the warehouse: every page's p50/p95 for one signed-in user, then the
 *  concurrent users. */
async function benchHttp(
  plan: BenchPlan,
  database: { url: string } | { dataDir: string },
  site: Site,
  databaseName: string | null,
): Promise<{ sections: [string, Row[]][]; pages: PageTiming[] | null; pagesLoad: string | null }> {
  const engine = "url" in database ? "postgres" : "pglite";
  const port = await freePort();
  progress(`${engine}: next start on port ${port}`);
  const started = await timed(() => startServer(plan.buildDir!, database, port));
  const server = started.value;
  progress(`${engine}: server pid ${server.pid} answered after ${started.seconds.toFixed(1)} s`);
  const sections: [string, Row[]][] = [];
  let pages: PageTiming[] | null = null;
  let pagesLoad: string | null = null;
  const cpu = cpuMeter(server.pid, databaseName);
  try {
    const signIns = await signIn(server.url, site.emails);
    const signInNote = `${signIns.users.length} users signed in over HTTP in ${signIns.seconds.toFixed(1)} s${signIns.rateLimited ? ` (${signIns.rateLimited} sign-ins refused 429 by the per-address limit of 30 a minute and retried after Retry-After)` : ""}`;
    if (plan.pages) {
      progress(`${engine}: page timings`);
      const load = loadAverage();
      pages = [];
      const cpuPerPage: (CpuUse | null)[] = [];
      for (const page of benchmarkPages(site.payerKeys[0]!, site.memberIds[0]!)) {
        const before = await cpu.read();
        pages.push(...(await timePages(server.url, signIns.users[0]!, [page], plan.samples)));
        cpuPerPage.push(await cpu.since(before, plan.samples + 1));
      }
      sections.push([
        `pages over HTTP, one signed-in user (first request after the import and the server's start, then p50 / p95 of ${plan.samples}; CPU per request of the server process and of its database)`,
        pageRows(pages, cpuPerPage, (pagesLoad = load())),
      ]);
    }
    if (plan.load) {
      const rows: Row[] = [["users", signInNote, `each with a session cookie of its own; pages: ${loadMix(site.payerKeys, site.memberIds).map((p) => p.path).join(" ")}`]];
      for (const think of plan.loadThinkMs) {
        progress(`${engine}: ${signIns.users.length} users, ${think ? `pausing ${think} ms on average` : "no pause"}, ${plan.loadSeconds} s`);
        const load = loadAverage();
        const before = await cpu.read();
        const result = await loadUsers(server.url, signIns.users, loadMix(site.payerKeys, site.memberIds), plan.loadSeconds, think);
        rows.push(...loadRows(result, await cpu.since(before, result.requests), load()));
      }
      sections.push([`${signIns.users.length} concurrent signed-in users (autocannon, one connection per user, ${plan.loadSeconds} s a run)`, rows]);
    }
  } finally {
    await server.stop();
  }
  return { sections, pages, pagesLoad };
}

const PAGE_P50_MS = 150;
const PAGE_P95_MS = 400;

function pageRows(pages: PageTiming[], cpuPerPage: (CpuUse | null)[], load: string): Row[] {
  const rows: Row[] = pages.map((p, i) => {
    const ok = p.p50 <= PAGE_P50_MS && p.p95 <= PAGE_P95_MS;
    return [`${p.page} \`${p.path}\``, `${ms(p.p50)} / ${ms(p.p95)} ${ok ? "✔" : "✘"}`, `first ${ms(p.first)}, max ${ms(p.max)}${cpuNote(cpuPerPage[i] ?? null)}`];
  });
  rows.push(["target", `p50 ≤ ${PAGE_P50_MS} ms, p95 ≤ ${PAGE_P95_MS} ms`, load]);
  return rows;
}

function loadRows(r: LoadResult, cpuPerPage: CpuUse | null, load: string): Row[] {
  const mode = r.thinkMs ? `pausing ${r.thinkMs / 1000} s on average between pages` : "no pause (the next page as soon as one is answered)";
  const ok = r.errors === 0 && r.non2xx === 0 && r.p95 <= 1000;
  const codes = Object.entries(r.statusCodes).map(([code, n]) => `${code}: ${n}`).join(", ");
  const causes = Object.entries(r.connectionErrors).map(([code, n]) => `${code} ${n}`).join(", ");
  return [
    [
      `${r.users} users, ${mode}: p50 / p95 / p99`,
      `${ms(r.p50)} / ${ms(r.p95)} / ${ms(r.p99)} ${ok ? "✔" : "✘"}`,
      `${r.requests} pages in ${r.seconds} s (${r.throughput.toFixed(1)}/s), max ${ms(r.max)}; errors ${r.errors} (timeouts ${r.timeouts}${causes ? `, failed connections: ${causes}` : ""}), non-2xx ${r.non2xx} (${codes})${cpuNote(cpuPerPage)}; target no error, p95 ≤ 1 s; ${load}`,
    ],
    ...Object.entries(r.byPage)
      .filter(([, l]) => l.requests > 0)
      .map(([page, l]): Row => [`… ${page}`, `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.p99)}`, `${l.requests} pages, max ${ms(l.max)}`]),
  ];
}

type DuckdbPages = { figures: Partial<PageFigures>; seconds: Map<PageKey, number>; loads: Map<PageKey, string>; rows: Row[] };

/** Each page's DuckDB script `runs` times, one page after another; the median of each. */
async function benchDuckdb(folder: string, runs: number): Promise<DuckdbPages> {
  const figures: Partial<PageFigures> = {};
  const seconds = new Map<PageKey, number>();
  const loads = new Map<PageKey, string>();
  const rows: Row[] = [];
  const params = { window: 90, asOf: null, payerKey: "aetna" };
  for (const page of DUCKDB_PAGES) {
    progress(`DuckDB: the ${page} page's figures from the raw files (${runs} runs)`);
    const load = loadAverage();
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const result = await runDuckdbPage(page, folder, params);
      times.push(result.seconds);
      (figures as Record<PageKey, unknown>)[page] = result.figures;
    }
    seconds.set(page, median(times));
    loads.set(page, load());
    rows.push([page, `${ms(median(times) * 1000)}`, `runs ${listSeconds(times)}; ${loads.get(page)}`]);
  }
  return { figures, seconds, loads, rows };
}

async function duckdbCheckRows(db: Database, figures: Partial<PageFigures>): Promise<Row[]> {
  progress(`${db.engine}: DuckDB's figures against the warehouse's`);
  const checks = await checkDuckdbAgainstWarehouse(db, figures);
  return checks.map((c): Row => [c.page, c.same ? "same ✔" : "DIFFERS ✘", c.same ? c.compared : `${c.compared}; ${c.differences.join("; ")}`]);
}

const DUCKDB_SHARE = 0.1;

/** Each page's p50 / p95 on each engine beside DuckDB's time for the page's figures (SPEC 9:
 *  the page's own time ≤ 10 % of DuckDB's), with the load average of each measurement. */
function sideBySide(size: string, duck: DuckdbPages, served: EngineResult[]): Section {
  const engines = served.filter((e) => e.pages);
  const header = ["page", ...engines.map((e) => `${e.engine} p50 / p95`), "DuckDB", ...engines.map((e) => `${e.engine} p50 ÷ DuckDB`)];
  const rows = DUCKDB_PAGES.map((page) => {
    const d = duck.seconds.get(page)! * 1000;
    const timings = engines.map((e) => e.pages!.find((p) => p.page === page));
    return [
      page,
      ...timings.map((t) => (t ? `${ms(t.p50)} / ${ms(t.p95)}` : "—")),
      `${ms(d)} (${duck.loads.get(page)!.replace(/^load average /, "load ").replace(/ on \d+ cores$/, "")})`,
      ...timings.map((t) => (t ? `${((100 * t.p50) / d).toFixed(1)} % ${t.p50 <= DUCKDB_SHARE * d ? "✔" : "✘"}` : "—")),
    ];
  });
  rows.push(["load average", ...engines.map((e) => e.pagesLoad ?? ""), "each page's beside its time", ...engines.map(() => `target ≤ ${100 * DUCKDB_SHARE} %`)]);
  return [`${size}: pages over HTTP beside DuckDB over the raw CSV files`, rows, header];
}

function compareSizes(bySize: Map<number, PageTiming[]>): Row[] {
  const sizes = [...bySize.keys()].sort((a, b) => a - b);
  const small = bySize.get(sizes[0]!)!;
  const large = bySize.get(sizes.at(-1)!)!;
  return large.map((p): Row => {
    const q = small.find((s) => s.page === p.page)!;
    const ratio = p.p50 / q.p50;
    return [`${p.page} p50`, `${ratio.toFixed(2)}×`, `${ms(p.p50)} at ${sizes.at(-1)!.toLocaleString("en-US")} against ${ms(q.p50)} at ${sizes[0]!.toLocaleString("en-US")}; target ≤ 1.3× ${ratio <= 1.3 ? "✔" : "✘"}`];
  });
}

/** CPU seconds per request: of the server process (Node.js, and the embedded database on
 *  PGlite) and of the PostgreSQL backends serving the benchmark's database. */
type CpuUse = { server: number; database: number | null };

function cpuMeter(serverPid: number, databaseName: string | null) {
  const backends = async (): Promise<number[]> => {
    if (!databaseName) return [];
    const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
    try {
      const rows = await admin<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = ${databaseName} AND backend_type = 'client backend'`;
      return rows.map((r) => r.pid);
    } finally {
      await admin.end();
    }
  };
  const read = async () => ({ server: cpuSecondsOf([serverPid]), database: cpuSecondsOf(await backends()) });
  return {
    read,
    async since(before: Awaited<ReturnType<typeof read>>, requests: number): Promise<CpuUse | null> {
      if (!canMeasureCpu() || requests === 0) return null;
      const after = await read();
      return {
        server: cpuSpent(before.server, after.server) / requests,
        database: databaseName ? cpuSpent(before.database, after.database) / requests : null,
      };
    },
  };
}

const cpuNote = (c: CpuUse | null) =>
  c ? `; CPU per page: server ${ms(c.server * 1000)}${c.database === null ? " (database inside it)" : `, PostgreSQL ${ms(c.database * 1000)}`}` : "";

const ms = (value: number) => `${Math.round(value).toLocaleString("en-US")} ms`;

/** The machine's 1-minute load average now and when the returned function is called: the
 *  benchmark shares two cores with other work, and says how busy they were. */
function loadAverage(): () => string {
  const before = os.loadavg()[0]!;
  return () => `load average ${before.toFixed(1)} → ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`;
}

// The claim-line import and the plain COPY are each measured this many times, alternately, and
// the medians compared: on a shared 2-core machine single runs of either vary by ±20 %.
const IMPORT_RUNS = 5;

async function benchImport(db: Database, folder: string, databaseUrl: string | null): Promise<Row[]> {
  const rows: Row[] = [];
  progress(`${db.engine}: importing plans, members, coverage, orders`);
  const reference = await timed(() => importFolder(db, path.join(folder, "reference"), { importedBy: "bench" }));
  rows.push(["import of plans, members, coverage, orders", `${reference.seconds.toFixed(1)} s`, `${sumRows(reference.value)} rows`]);

  const claimsFile = path.join(folder, "claims-only", "claim_lines.csv");
  const runs = databaseUrl ? IMPORT_RUNS : 1;
  const importSeconds: number[] = [];
  const copySeconds: number[] = [];
  let last: ImportResult | null = null;
  for (let run = 1; run <= runs; run++) {
    if (databaseUrl) {
      progress(`${db.engine}: plain COPY of claim_lines.csv (${run}/${runs})`);
      copySeconds.push(await timePlainCopy(databaseUrl, claimsFile));
      // Each run loads the same lines into an empty claims table, as the first does.
      if (run > 1) await db.exec(`TRUNCATE claim_lines`);
    }
    progress(`${db.engine}: importing claim lines (${run}/${runs})`);
    const claims = await importFolder(db, path.join(folder, "claims-only"), { importedBy: "bench" });
    if (!claims.ok) throw new Error(claims.problems.join("\n"));
    const t = claims.timings;
    importSeconds.push((t.read + t.check + t.upsert) / 1000);
    last = claims;
    // What autovacuum would otherwise do during the next measurement, done now, untimed.
    if (databaseUrl) await db.exec(`VACUUM ANALYZE`);
  }
  const lines = last!.files[0]!.rows;
  const t = last!.timings;
  const importMedian = median(importSeconds);
  rows.push(["claim lines", String(lines), ""]);
  rows.push([
    "import of claim lines (read, validate, load, check)",
    `${rate(lines, importMedian)} lines/s`,
    `median of ${runs}: ${importMedian.toFixed(2)} s (${listSeconds(importSeconds)}); last: read and load ${(t.read / 1000).toFixed(2)} s, checks ${(t.check / 1000).toFixed(2)} s, upsert ${(t.upsert / 1000).toFixed(2)} s`,
  ]);
  if (databaseUrl) {
    const copyMedian = median(copySeconds);
    rows.push(["plain COPY of the same file into a bare table", `${rate(lines, copyMedian)} lines/s`, `median of ${runs}: ${copyMedian.toFixed(2)} s (${listSeconds(copySeconds)})`]);
    rows.push(["import speed / plain COPY speed", `${Math.round((100 * copyMedian) / importMedian)}%`, "target ≥ 60%"]);
  }
  rows.push(["derived facts rebuilt within that import (statistics included)", `${(t.derive / 1000).toFixed(1)} s`, snapshotNote(last!.snapshot)]);
  const rebuild = await timed(() => db.transaction((tx) => rebuildDerivedFacts(tx)));
  rows.push(["derived facts rebuild on its own", `${rebuild.seconds.toFixed(1)} s`, "target ≤ 45 s at full size"]);
  return rows;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const listSeconds = (values: number[]) => values.map((v) => `${v.toFixed(2)} s`).join(", ");

/** Each measure by payer and by month over the last 12 complete months, as the overview asks
 *  for them; and the follow-up rate beside DuckDB computing it from the raw files. */
async function benchMeasures(db: Database, folder: string): Promise<Row[]> {
  const rows: Row[] = [];
  const asOf = (await resolveSnapshot(db))!;
  const scope = await loadMeasureScope(db, BENCHMARK_VIEWER, asOf);
  // Each call as a request of its own would make it: nothing remembered from the last one
  // but what is kept per snapshot build.
  const compute = (query: MeasureQuery) => computeMeasure({ ...scope, results: new Map() }, query);
  const to = lastDayOfMonth(addMonths(monthOf(asOf), -1));
  const from = `${addMonths(monthOf(to), -11)}-01`;
  for (const groupBy of ["payer", "month"] as GroupBy[]) {
    for (const measure of MEASURE_KEYS) {
      const query = { measure, from, to, window: 90 as const, asOf, groupBy };
      progress(`${db.engine}: ${measure} by ${groupBy}`);
      const first = await timed(() => compute(query));
      const p50 = await medianSeconds(() => compute(query));
      rows.push([`${measure} by ${groupBy}`, `${(p50 * 1000).toFixed(0)} ms`, `first ${(first.seconds * 1000).toFixed(0)} ms`]);
    }
  }
  rows.push(...(await benchOverview(db, asOf)));
  const ours = await compute({ measure: "order_follow_up", from, to, window: 90, asOf, groupBy: "payer" });
  progress(`${db.engine}: orders.csv`);
  const csv = await benchOrdersCsv(db);
  rows.push([
    "orders.csv, every order of the snapshot, streamed to a null sink",
    `${Math.round(csv.rowsPerSecond).toLocaleString("en-US")} rows/s`,
    `${csv.rows} rows in ${csv.seconds.toFixed(1)} s; peak RSS ${csv.peakRssMb.toFixed(0)} MB (from ${csv.startRssMb.toFixed(0)} MB); target ≥ 200,000 rows/s under 300 MB`,
  ]);
  progress("DuckDB: follow-up rate from the raw files");
  const duck = await timed(() => duckdbFollowUp(path.join(folder, "all-files"), from, to, 90));
  const same = duck.value.denominator === ours.total.denominator && duck.value.numerator === ours.total.numerator && duck.value.pending === ours.total.pending;
  rows.push([
    "DuckDB: follow-up rate from the raw CSV files",
    `${(duck.seconds * 1000).toFixed(0)} ms`,
    `${duck.value.numerator}/${duck.value.denominator}, pending ${duck.value.pending}: ${same ? "same counts as the warehouse" : `DIFFERS from the warehouse (${ours.total.numerator}/${ours.total.denominator}, pending ${ours.total.pending})`}`,
  ]);
  return rows;
}

/** The overview page's server-side work (every query its sections make, default filters):
 *  the first render after an import, then p50 and p95 of 20 more. */
async function benchOverview(db: Database, asOf: string): Promise<Row[]> {
  progress(`${db.engine}: overview page`);
  const render = async () => {
    const ctx = (await getViewContext(db, BENCHMARK_VIEWER, {}))!;
    const payers = ctx.dims.payers.filter((p) => p.key !== "unknown");
    await Promise.all([getHeadlines(ctx), getByPayer(ctx), getFunnel(ctx), getTrend(ctx, payers), getScanTiming(ctx)]);
  };
  const first = await timed(render);
  const samples: number[] = [];
  for (let i = 0; i < 20; i++) samples.push((await timed(render)).seconds);
  samples.sort((a, b) => a - b);
  const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`;
  return [
    ["overview page, server side: first render after an import", ms(first.seconds), "screening computed once per snapshot build"],
    ["overview page, server side: p50 / p95 of 20", `${ms(samples[10]!)} / ${ms(samples[18]!)}`, "target p50 ≤ 150 ms, p95 ≤ 400 ms"],
  ];
}

/** The generated data set, split into a reference import and a claims-only refresh, with a
 *  folder of links to all five files for DuckDB; kept in bench-data/ between runs because the
 *  same seed gives the same files. */
async function dataset(members: number, seed: number): Promise<string> {
  const folder = path.join(process.cwd(), "bench-data", `m${members}-s${seed}`);
  if (!existsSync(path.join(folder, "claims-only", "claim_lines.csv")) || !existsSync(path.join(folder, "all-files", "claim_lines.csv"))) {
    rmSync(folder, { recursive: true, force: true });
    const started = performance.now();
    await generateDataset({ members, seed, outDir: path.join(folder, "all-files") });
    console.error(`generated ${members} members in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    mkdirSync(path.join(folder, "reference"), { recursive: true });
    mkdirSync(path.join(folder, "claims-only"), { recursive: true });
    for (const file of ["plans.csv", "members.csv", "coverage.csv", "orders.csv"]) {
      cpSync(path.join(folder, "all-files", file), path.join(folder, "reference", file));
    }
    cpSync(path.join(folder, "all-files", "claim_lines.csv"), path.join(folder, "claims-only", "claim_lines.csv"));
  }
  return folder;
}

/** A new database for this run on the server (named for the run, so that runs of other
 *  engineers on the same server never share or drop it). */
async function freshBenchDatabase(): Promise<{ name: string; url: string }> {
  const name = `dxa_bench_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

async function dropBenchDatabase(name: string): Promise<void> {
  const admin = postgres(SERVER_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

const progress = (message: string) => console.error(`… ${message}`);

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - started) / 1000 };
}

async function medianSeconds(fn: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push((await timed(fn)).seconds);
  return samples.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

const rate = (n: number, seconds: number) => Math.round(n / seconds).toLocaleString("en-US");
const sumRows = (r: Awaited<ReturnType<typeof importFolder>>) => r.files.reduce((n, f) => n + f.rows, 0);
const snapshotNote = (s: { studies: number; orders: number; fractureEpisodes: number } | null) =>
  s ? `${s.studies} studies, ${s.orders} orders, ${s.fractureEpisodes} fracture episodes` : "";

function print(sizes: number[], seed: number, sections: Section[]): void {
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(`\nDXA Tracker benchmark — ${new Date().toISOString().slice(0, 10)}, ${sizes.map((n) => n.toLocaleString("en-US")).join(" and ")} members (seed ${seed})`);
  console.log(`machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  for (const [title, rows, header = ["figure", "value", "note"]] of sections) {
    console.log(`\n### ${title}\n\n| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
    for (const row of rows) console.log(`| ${row.join(" | ")} |`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
