import postgres from "postgres";
import { migrateDatabase, openPostgres } from "@/db/client";
import { databaseUrl, templateDatabaseName } from "./databases";

/** With DATABASE_URL, builds one migrated template database on that server that every
 *  PostgreSQL test copies (CREATE DATABASE … TEMPLATE is much faster than migrating). */
export default async function setup(): Promise<() => Promise<void>> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return async () => {};
  // A template of this run's own: runs started side by side on one server (several engineers,
  // CI) must not drop each other's. The test workers, forked after this, read its name.
  const template = `${templateDatabaseName(serverUrl)}_${process.pid}`;
  process.env.DXA_TEST_TEMPLATE = template;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${template}`);
  const db = await openPostgres(databaseUrl(serverUrl, template));
  await migrateDatabase(db);
  await db.close();
  return async () => {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
  };
}
