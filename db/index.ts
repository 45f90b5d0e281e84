import { isConnectionError, markUnreachable } from "./availability";
import { configFromEnv, openDatabase, type Database } from "./client";

// The web server's one warehouse connection, opened (and migrated) on first use. Kept on
// globalThis so that development hot reloads do not open the embedded database twice.
const holder = globalThis as unknown as { dxaDatabase?: Promise<Database> };

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
