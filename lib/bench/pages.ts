import autocannon from "autocannon";
import type { SignedInUser } from "./users";

// Server-side page times as a signed-in user meets them: each page requested over HTTP from
// `next start`, the whole response read (a page streams its sections; the last one ends it).

export type BenchPage = { page: string; path: string };
export type PageTiming = BenchPage & { first: number; p50: number; p95: number; max: number; samples: number };

/** The pages of SPEC section 6 a quality officer opens, default filters (all payers, the last
 *  12 complete months): one payer's page and one member's record stand for all of theirs. */
export function benchmarkPages(payerKey: string, memberId: string): BenchPage[] {
  return [
    { page: "overview", path: "/" },
    { page: "payer", path: `/payers/${encodeURIComponent(payerKey)}` },
    { page: "fractures", path: "/fractures" },
    { page: "worklist", path: "/orders" },
    { page: "data", path: "/data" },
    { page: "reports", path: "/reports" },
    { page: "member", path: `/members/${encodeURIComponent(memberId)}` },
  ];
}

/** What the concurrent users go round: every page above, with every listed payer's page and
 *  several members' records, and the overview by month as well as by payer. */
export function loadMix(payerKeys: string[], memberIds: string[]): BenchPage[] {
  return [
    { page: "overview", path: "/" },
    ...payerKeys.map((key) => ({ page: "payer", path: `/payers/${encodeURIComponent(key)}` })),
    { page: "fractures", path: "/fractures" },
    { page: "worklist", path: "/orders" },
    { page: "overview", path: "/?groupBy=month" },
    { page: "data", path: "/data" },
    { page: "reports", path: "/reports" },
    ...memberIds.map((id) => ({ page: "member", path: `/members/${encodeURIComponent(id)}` })),
  ];
}

async function timedGet(url: string, cookie: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { headers: { cookie }, redirect: "manual" });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return performance.now() - started;
}

/** Nearest-rank percentile of sorted values. */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

/** Each page: its first request (the first after the import and the server's start), then
 *  `samples` more one after another; milliseconds. */
export async function timePages(base: string, user: SignedInUser, pages: BenchPage[], samples = 20): Promise<PageTiming[]> {
  const timings: PageTiming[] = [];
  for (const { page, path } of pages) {
    const first = await timedGet(`${base}${path}`, user.cookie);
    const times: number[] = [];
    for (let i = 0; i < samples; i++) times.push(await timedGet(`${base}${path}`, user.cookie));
    times.sort((a, b) => a - b);
    timings.push({ page, path, first, p50: percentile(times, 50), p95: percentile(times, 95), max: times.at(-1)!, samples });
  }
  return timings;
}

export type Latencies = { requests: number; p50: number; p95: number; p99: number; max: number };

export type LoadResult = Latencies & {
  users: number;
  seconds: number;
  /** Each user's mean pause between an answer and their next page, ms (0: none). */
  thinkMs: number;
  /** Answers a second, all users together. */
  throughput: number;
  /** Failed connections and timeouts (no answer). */
  errors: number;
  /** The failed connections by error code (ECONNRESET: the server closed a connection the
   *  user was about to reuse). */
  connectionErrors: Record<string, number>;
  timeouts: number;
  /** Answers other than 2xx (a redirect to sign-in would be one). */
  non2xx: number;
  statusCodes: Record<string, number>;
  byPage: Record<string, Latencies>;
};

function latencies(values: number[]): Latencies {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return { requests: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN };
  return { requests: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1)! };
}

/**
 * autocannon with one connection per signed-in user, each with that user's session cookie,
 * going round `pages` (each user starting at a different one, so that they do not march in
 * step) for `seconds`. With `thinkMs`, each user pauses between an answer and their next page
 * (and before their first) for 40–160 % of it, at random, as people reading a page do;
 * autocannon's own pacing (whole requests per second per connection, all connections on the
 * same second) would instead send every user's page in one burst each second. Without, each
 * user asks for the next page as soon as one is answered. Latency is autocannon's: from
 * writing the request to the response's last byte (the pause is not in it).
 */
export async function loadUsers(base: string, users: SignedInUser[], pages: BenchPage[], seconds: number, thinkMs: number): Promise<LoadResult> {
  const all: number[] = [];
  const byPage = new Map<string, number[]>(pages.map(({ page }) => [page, []]));
  const pageOf = new Map(pages.map(({ page, path }) => [path, page]));
  const connectionErrors: Record<string, number> = {};
  let next = 0;
  const instance = autocannon({
    url: base,
    connections: users.length,
    duration: seconds,
    timeout: 30,
    setupClient: (client) => {
      if (thinkMs > 0) {
        // Called by autocannon after each answer (and once on connecting): deferred by the pause.
        const send = client._doRequest.bind(client);
        client._doRequest = () => {
          setTimeout(() => client.destroyed || send(), thinkMs * (0.4 + 1.2 * Math.random()));
        };
      }
      const i = next++;
      const { cookie } = users[i % users.length]!;
      const start = i % pages.length;
      const own = [...pages.slice(start), ...pages.slice(0, start)];
      client.setRequests(own.map(({ path }) => ({ method: "GET", path, headers: { cookie } })));
      client.on("connError", (error: NodeJS.ErrnoException) => {
        const code = error.code ?? error.message;
        connectionErrors[code] = (connectionErrors[code] ?? 0) + 1;
      });
      client.on("response", (_status: number, _bytes: number, ms: number) => {
        all.push(ms);
        byPage.get(pageOf.get(client.requestIterator.currentRequest.path) ?? "?")?.push(ms);
      });
    },
  });
  const result = await instance;
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count]));
  return {
    users: users.length,
    seconds,
    thinkMs,
    throughput: all.length / seconds,
    ...latencies(all),
    errors: result.errors,
    connectionErrors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    byPage: Object.fromEntries([...byPage].map(([page, values]) => [page, latencies(values)])),
  };
}
