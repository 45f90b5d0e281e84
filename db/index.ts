import { isConnectionError, markUnreachable } from "./availability";
import { configFromEnv, openDatabase, type Database, type Sql } from "./client";
import { parseReadUrls, ReadReplicas, type ReadSource } from "./replicas";

// The web server's one warehouse connection, opened (and migrated) on first use. Kept on
// globalThis so that development hot reloads do not open the embedded database twice.
const holder = globalThis as unknown as { dxaDatabase?: Promise<Database>; dxaReplicas?: ReadReplicas };

export function getDatabase(): Promise<Database> {
  holder.dxaDatabase ??= openDatabase({ ...configFromEnv(), purpose: "DXA Tracker web server" }).catch((error) => {
    holder.dxaDatabase = undefined; // let the next request try again
    if (isConnectionError(error)) markUnreachable(() => getDatabase());
    throw error;
  });
  return holder.dxaDatabase;
}

/** Notes an error met while serving a request: when it is a lost or refused connection (also
 *  one met by the sign-in library, which has its own path to the database), the warehouse is
 *  marked unreachable until a probe reaches it again. Returns whether it was such an error. */
export function noteDatabaseError(error: unknown): boolean {
  if (!isConnectionError(error)) return false;
  markUnreachable(async () => (await getDatabase()).query("SELECT 1"));
  return true;
}

/**
 * Where a request's reads go: a standby of DATABASE_READ_URL when one answers (with how far it
 * is behind), else the primary. Writes — imports, derivation, sign-in, the audit log — always
 * go to getDatabase().
 */
export async function getReadDatabase(): Promise<{ db: Sql; source: ReadSource }> {
  const urls = parseReadUrls(process.env.DATABASE_READ_URL);
  if (urls.length > 0) {
    holder.dxaReplicas ??= new ReadReplicas(urls);
    const replica = await holder.dxaReplicas.pick();
    if (replica) return replica;
  }
  return { db: await getDatabase(), source: { kind: "primary" } };
}
