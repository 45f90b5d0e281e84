import { configFromEnv, openDatabase, type Database } from "./client";

// The web server's one warehouse connection, opened (and migrated) on first use. Kept on
// globalThis so that development hot reloads do not open the embedded database twice.
const holder = globalThis as unknown as { dxaDatabase?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  holder.dxaDatabase ??= openDatabase({ ...configFromEnv(), purpose: "DXA Tracker web server" }).catch((error) => {
    holder.dxaDatabase = undefined; // let the next request try again
    throw error;
  });
  return holder.dxaDatabase;
}
