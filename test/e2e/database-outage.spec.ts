import { expect, test, type APIRequestContext } from "@playwright/test";
import postgres from "postgres";
import { canMakeCluster, makeCluster, type OwnCluster } from "../support/own-cluster";
import { importWith, startServer, until, userToken, type OwnServer } from "../support/own-server";

// SPEC section 11, "the database going away": the built server over a PostgreSQL cluster of the
// test's own, stopped and started under it. While the database is gone, pages and reports answer
// 503 with a plain message (never a 500, never a wait on a dead connection); an import under way
// is rolled back and nothing of it is kept; once the database is back the server serves again by
// itself, without a restart.

const HOST = "127.0.0.6";
const PORT = 3106;
const CLUSTER_PORT = 5499;

const unavailable = canMakeCluster();
test.skip(unavailable !== null && !process.env.CI, `cannot make a PostgreSQL cluster here: ${unavailable}`);

let cluster: OwnCluster;
let server: OwnServer;
let officer: APIRequestContext;
let officerToken: string;
let steward: APIRequestContext;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  cluster = makeCluster(CLUSTER_PORT);
  const env = { ...process.env, DATABASE_URL: cluster.url(), AUTH_SECRET: "outage-test-secret-of-thirty-two-characters" };
  importWith(env);
  officerToken = userToken(env, "quality_officer", "officer@example.org");
  const stewardToken = userToken(env, "data_steward", "steward@example.org");
  server = await startServer(HOST, PORT, env, "database-outage-server");
  officer = await server.as(officerToken);
  steward = await server.as(stewardToken);
  await until(async () => (await officer.get("/api/reports/measure-summary.csv")).status() === 200, 60);
});

test.afterAll(async () => {
  await officer?.dispose();
  await steward?.dispose();
  server?.stop();
  cluster?.destroy();
});

const PATHS = ["/", "/payers/aetna", "/orders", "/fractures", "/reports", "/api/reports/measure-summary.csv", "/api/reports/orders.csv"];

test("with the database stopped, pages and reports answer 503 with a plain message; when it is back, they serve again", async () => {
  test.setTimeout(120_000);
  cluster.stop();
  for (const p of PATHS) {
    const response = await officer.get(p, { timeout: 15_000 });
    expect(response.status(), p).toBe(503);
    expect(response.headers()["retry-after"], p).toBe("5");
    expect(await response.text(), p).toMatch(/not answering/);
  }
  cluster.start();
  await until(async () => (await officer.get("/api/reports/measure-summary.csv")).status() === 200, 30);
  for (const p of PATHS) expect((await officer.get(p)).status(), p).toBe(200);
});

// Under a restart with requests in flight, each request is answered 200 or 503 within 20 s.
// One exception is allowed: orders.csv streams its rows, so once its 200 is sent, a restart can
// only cut the stream, which the client sees as an error (never as a shorter file that looks
// whole). Before the fixes of 2026-11-29, about one run in four saw a request wait 20 s (a
// reconnect pause of postgres.js grown to 20 s during the restart) or a valid token refused 401
// (the sign-in library answering "invalid key" to a lost connection); this test, repeated 12
// times in a row, now passes every time.
test("a restart under a stream of requests: each answers 200 or 503, none 500, and service resumes", async () => {
  test.setTimeout(120_000);
  type Answer = { path: string; status: number; ms: number; cut?: true; body?: string };
  const answers: Answer[] = [];
  let going = true;
  // Node's own fetch, to tell a stream cut after its 200 from a request that failed before it.
  // Redirects are followed by hand: a page that met the lost database is asked for again at the
  // same address (then answered 503), while a redirect elsewhere — to /sign-in, a valid token
  // refused — is a wrong answer. An answer other than 200 or 503 keeps the start of its body.
  const ask = async (p: string): Promise<Answer> => {
    const started = Date.now();
    const signal = AbortSignal.timeout(20_000);
    const get = (url: URL) => fetch(url, { headers: { authorization: `Bearer ${officerToken}` }, redirect: "manual", signal });
    let status = -1;
    try {
      let url = new URL(p, server.url);
      let response = await get(url);
      for (let hop = 0; hop < 5 && response.status >= 300 && response.status < 400; hop++) {
        const next = new URL(response.headers.get("location") ?? "/", url);
        if (next.pathname !== url.pathname) return { path: p, status: response.status, ms: Date.now() - started, body: `redirected to ${next.pathname}${next.search}` };
        url = next;
        response = await get(url);
      }
      status = response.status;
      const body = await response.text();
      const ms = Date.now() - started;
      return [200, 503].includes(status) ? { path: p, status, ms } : { path: p, status, ms, body: body.slice(0, 300) };
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      const body = `${String(error)} ${cause ? String(cause) : ""}`.slice(0, 300);
      return { path: p, status, ms: Date.now() - started, ...(status === 200 ? { cut: true as const } : {}), body };
    }
  };
  const load = (async () => {
    while (going) answers.push(...(await Promise.all(PATHS.map(ask))));
  })();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  cluster.restart();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  going = false;
  await load;
  expect(answers.length).toBeGreaterThan(PATHS.length);
  // How the restart showed, for the log: e.g. {"200":60,"503":25,"200 cut":1}.
  const tally: Record<string, number> = {};
  for (const a of answers) {
    const kind = `${a.status}${a.cut ? " cut" : ""}`;
    tally[kind] = (tally[kind] ?? 0) + 1;
  }
  const slowest = [...answers].sort((a, b) => b.ms - a.ms).slice(0, 3).map((a) => `${a.path} ${a.status} ${a.ms} ms`);
  console.log(`answers during the restart: ${JSON.stringify(tally)}; slowest: ${slowest.join(", ")}`);
  const streamCut = (a: Answer) => a.path === "/api/reports/orders.csv" && a.cut === true;
  expect(answers.filter((a) => !((a.status === 200 && !a.cut) || a.status === 503 || streamCut(a)))).toEqual([]);
  await until(async () => (await officer.get("/")).status() === 200, 30);
});

test("an import cut off by the database stopping leaves the warehouse as it was", async () => {
  test.setTimeout(120_000);
  const db = postgres(cluster.url(), { max: 1, onnotice: () => {} });
  const count = async () => (await db`SELECT count(*)::int AS n FROM claim_lines`)[0]!.n as number;
  const before = await count();
  const [{ last: lastImport }] = (await db`SELECT coalesce(max(id), 0)::int AS last FROM import_batches`) as unknown as [{ last: number }];
  // A claims file large enough to be under way when the database stops.
  const lines = ["claim_id,line_number,frequency_code,received_date,member_id,plan_id,claim_type,service_date,procedure_code,line_status"];
  for (let i = 0; i < 200_000; i++) lines.push(`OUT-${i},1,1,2026-06-20,M000001,AET-PPO,professional,2026-06-01,77080,paid`);
  const upload = steward.post("/api/imports", {
    multipart: { files: { name: "claim_lines.csv", mimeType: "text/csv", buffer: Buffer.from(lines.join("\n")) } },
    timeout: 60_000,
  });
  await new Promise((resolve) => setTimeout(resolve, 700));
  cluster.stop();
  const response = await upload;
  expect([503, 422]).toContain(response.status());
  expect(response.status()).not.toBe(200);
  cluster.start();
  await until(async () => (await officer.get("/")).status() === 200, 30);
  await db.end();
  const after = postgres(cluster.url(), { max: 1, onnotice: () => {} });
  expect((await after`SELECT count(*)::int AS n FROM claim_lines`)[0]!.n).toBe(before);
  // The attempt is logged as failed (when it got as far as its log row), never as succeeded.
  const attempts = await after`SELECT outcome::text AS outcome FROM import_batches WHERE id > ${lastImport}`;
  expect(attempts.map((a) => a.outcome).filter((o) => o !== "failed")).toEqual([]);
  await after.end();
});
