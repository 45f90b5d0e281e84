import type { Sql } from "@/db/client";
import { resolveSnapshot, type FollowUpWindow } from "../measures";
import { openReport } from "../reports/open";
import { getViewContext } from "../views/context";
import { BENCHMARK_VIEWER } from "./viewer";

// orders.csv throughput (SPEC section 9: 1 million rows at ≥ 200,000 rows/s with the server's
// memory under 300 MB). The file is built exactly as GET /api/reports/orders.csv builds it and
// read to a null sink as fast as it comes.

export type OrdersCsvBenchOptions = {
  /** Snapshot; default the data's as-of date. */
  asOf?: string;
  /** Order-date period; default every order of the snapshot (SPEC section 9 asks for the file
   *  of a million rows, more than a year of the generated data holds). */
  from?: string;
  to?: string;
  window?: FollowUpWindow;
};

export type OrdersCsvBench = {
  asOf: string;
  from: string;
  to: string;
  rows: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  /** Resident set size of this process before the download, and its peak during it (sampled
   *  every 10 ms and after each chunk). On PGlite the database lives in this process too. */
  startRssMb: number;
  peakRssMb: number;
  /** The process's peak resident set size since it started (resourceUsage maxRSS), which
   *  includes whatever ran before the download (an import, say). */
  lifetimeMaxRssMb: number;
};

const MB = 1024 * 1024;

/** Streams orders.csv of a snapshot to a null sink; rows/s and memory. */
export async function benchOrdersCsv(db: Sql, options: OrdersCsvBenchOptions = {}): Promise<OrdersCsvBench> {
  const asOf = await resolveSnapshot(db, options.asOf);
  if (!asOf) throw new Error("orders.csv benchmark: the warehouse holds no claims");
  // Every order: the longest period the filters accept (under ten years, from 1990 on) ending
  // on the as-of date, which holds every order of the generated data (three years).
  const from = options.from ?? `${Math.max(1990, Number(asOf.slice(0, 4)) - 9)}-01-01`;
  const ctx = await getViewContext(db, BENCHMARK_VIEWER, { asOf, from, to: options.to ?? asOf, window: String(options.window ?? 90) });
  if (!ctx) throw new Error("orders.csv benchmark: the warehouse holds no claims");
  if (ctx.invalid.length > 0) throw new Error(`orders.csv benchmark: ${ctx.invalid.map((p) => `${p.name}=${p.value}`).join(", ")} not valid`);
  const { filters } = ctx;

  const startRss = process.memoryUsage.rss();
  let peakRss = startRss;
  const sample = () => {
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
  };
  const sampler = setInterval(sample, 10);
  let rows = 0;
  let bytes = 0;
  const started = performance.now();
  try {
    const file = await openReport(ctx, { report: "orders", filters, statuses: [], asOf }, { onRows: (n) => (rows = n) });
    const reader = file.body.getReader();
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      bytes += chunk.value.byteLength;
      sample();
    }
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    asOf,
    from: filters.from,
    to: filters.to,
    rows,
    bytes,
    seconds,
    rowsPerSecond: rows / seconds,
    startRssMb: startRss / MB,
    peakRssMb: peakRss / MB,
    lifetimeMaxRssMb: (process.resourceUsage().maxRSS * 1024) / MB,
  };
}
