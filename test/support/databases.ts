import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { migrateDatabase, openPglite, openPostgres, type Database } from "@/db/client";

export type EngineName = "pglite" | "postgres";

/** PGlite always; PostgreSQL too when DATABASE_URL names a server (CI sets it). */
export const ENGINES: EngineName[] = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

export type TestDatabase = Database & { dispose(): Promise<void> };

// One migrated PGlite per test worker, cloned for each test: a fresh instance costs seconds.
let pgliteTemplate: Promise<Blob> | null = null;

async function migratedPgliteDump(): Promise<Blob> {
  const db = await openPglite(undefined);
  await migrateDatabase(db);
  const dump = await (db as unknown as { pglite: PGlite }).pglite.dumpDataDir("none");
  await db.close();
  return dump;
}

/** An empty, migrated warehouse of its own on the given engine. */
export async function freshDatabase(engine: EngineName): Promise<TestDatabase> {
  if (engine === "pglite") {
    pgliteTemplate ??= migratedPgliteDump();
    const db = await openPglite(undefined, await pgliteTemplate);
    return { ...db, dispose: () => db.close() };
  }
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error("DATABASE_URL is not set");
  const name = `dxa_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${testTemplateName(serverUrl)}`);
  await admin.end();
  const db = await openPostgres(databaseUrl(serverUrl, name));
  return {
    ...db,
    async dispose() {
      await db.close();
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/** The migrated template this run's test databases copy: global-setup's, named for its process
 *  (DXA_TEST_TEMPLATE), so that runs side by side on one server never drop each other's. */
export function testTemplateName(serverUrl: string): string {
  return process.env.DXA_TEST_TEMPLATE ?? templateDatabaseName(serverUrl);
}

export function templateDatabaseName(serverUrl: string): string {
  return `${new URL(serverUrl).pathname.slice(1) || "postgres"}_template`;
}

export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
