import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { parse } from "csv-parse/sync";
import postgres from "postgres";
import { canMakeCluster, makeCluster, makeStandby, type OwnCluster } from "../support/own-cluster";
import { importWith, startServer, until, userToken, type OwnServer } from "../support/own-server";

// Read replicas for real (SPEC section 9): a PostgreSQL primary and a hot standby streaming
// from it (pg_basebackup -R), both on loopback ports of this test's own; the built server with
// DATABASE_URL on the primary and DATABASE_READ_URL on the standby. Reports and pages are read
// from the standby; an import on the primary appears there; a page says how far the standby is
// behind when it is; a stopped standby's reads go to the primary, and back once it returns.

const HOST = "127.0.0.7";
const PORT = 3107;
const PRIMARY_PORT = 5510;
const STANDBY_PORT = 5511;
const PERIOD = "from=2025-01-01&to=2025-12-31";

const unavailable = canMakeCluster();
test.skip(unavailable !== null && !process.env.CI, `cannot make a PostgreSQL cluster here: ${unavailable}`);

let primary: OwnCluster;
let standby: OwnCluster;
let server: OwnServer;
let officer: APIRequestContext;
let env: NodeJS.ProcessEnv;

/** The deck's 2025 order follow-up as the report gives it, and where it was read. */
async function followUp(): Promise<{ readFrom: string; denominator: number; numerator: number }> {
  const response = await officer.get(`/api/reports/measure-summary.csv?${PERIOD}`);
  expect(response.status()).toBe(200);
  const rows = parse(await response.text()) as string[][];
  const total = rows.at(-1)!;
  return { readFrom: response.headers()["x-read-from"]!, denominator: Number(total[7]), numerator: Number(total[8]) };
}

test.beforeAll(async () => {
  test.setTimeout(240_000);
  primary = makeCluster(PRIMARY_PORT);
  env = { ...process.env, DATABASE_URL: primary.url(), AUTH_SECRET: "replica-test-secret-of-thirty-two-characters" };
  importWith(env);
  const token = userToken(env, "quality_officer", "officer@example.org");
  standby = makeStandby(primary, STANDBY_PORT);
  server = await startServer(HOST, PORT, { ...env, DATABASE_READ_URL: standby.url() }, "read-replica-server");
  officer = await server.as(token);
});

test.afterAll(async () => {
  await officer?.dispose();
  server?.stop();
  standby?.destroy();
  primary?.destroy();
});

test("reports and pages are read from the standby, and an import on the primary appears there", async () => {
  test.setTimeout(120_000);
  // expected.json: 104 orders of 2025 mature for 90 days, 58 completed.
  expect(await followUp()).toEqual({ readFrom: `standby 127.0.0.1:${STANDBY_PORT}, 0.0 s behind`, denominator: 104, numerator: 58 });
  // One more EHR order in 2025, never scanned: the denominator grows by one, on the primary.
  const folder = mkdtempSync(path.join(os.tmpdir(), "dxa-replica-"));
  writeFileSync(path.join(folder, "orders.csv"), "order_id,member_id,order_date\nREPLICA-1,M000001,2025-03-03\n");
  importWith(env, folder);
  await until(async () => (await followUp()).denominator === 105, 30);
  const after = await followUp();
  expect(after.readFrom).toMatch(/^standby 127\.0\.0\.1:5511/);
  expect(after.numerator).toBe(58);
  expect((await officer.get(`/?${PERIOD}`)).status()).toBe(200);
});

test("a page says how far its standby is behind when it is", async () => {
  test.setTimeout(120_000);
  const admin = postgres(standby.url(), { max: 1, onnotice: () => {} });
  await admin`SELECT pg_wal_replay_pause()`;
  try {
    // A change on the primary that the paused standby receives but does not apply.
    const folder = mkdtempSync(path.join(os.tmpdir(), "dxa-replica-"));
    writeFileSync(path.join(folder, "orders.csv"), "order_id,member_id,order_date\nREPLICA-2,M000001,2025-04-04\n");
    importWith(env, folder);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await until(async () => {
      const { readFrom } = await followUp();
      return readFrom.startsWith("standby") && !readFrom.endsWith(" 0.0 s behind");
    }, 30);
    const page = await (await officer.get(`/?${PERIOD}`)).text();
    expect(page).toMatch(/read from a standby \d+ s behind the primary/);
    // The data page reads the primary whole (its import log must show an upload at once), its
    // snapshot too: it never says it was read from the standby it did not read.
    const dataPage = await officer.get(`/data?${PERIOD}`);
    expect(dataPage.status()).toBe(200);
    expect(await dataPage.text()).not.toMatch(/read from a standby/);
    expect((await followUp()).denominator).toBe(105); // not yet the primary's 106
  } finally {
    await admin`SELECT pg_wal_replay_resume()`;
    await admin.end();
  }
  await until(async () => (await followUp()).denominator === 106, 30);
});

test("a stopped standby's reads go to the primary, and back to the standby once it returns", async () => {
  test.setTimeout(120_000);
  standby.stop();
  const failedOver = await followUp();
  expect(failedOver.readFrom).toBe("primary");
  expect(failedOver.denominator).toBe(106);
  expect((await officer.get(`/?${PERIOD}`)).status()).toBe(200);
  standby.start();
  // A standby left out is tried again after ten seconds.
  await until(async () => (await followUp()).readFrom.startsWith("standby"), 40);
});
