import path from "node:path";
import { getDatabase } from "@/db";
import { configFromEnv, type Database } from "@/db/client";
import { authConfigFromEnv } from "./config";
import { createAuth, type Auth } from "./server";

// The web server's better-auth instance over its warehouse connection (db/index.ts), made on
// first use, one per connection (kept on globalThis like the connection, so that development
// hot reloads do not make a second one).

const holder = globalThis as unknown as { dxaAuth?: WeakMap<Database, Auth> };

/** Where a generated AUTH_SECRET is kept: beside the embedded database, or in ./.data. */
export function authDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const config = configFromEnv(env);
  return config.dataDir ? path.dirname(config.dataDir) : path.join(process.cwd(), ".data");
}

export async function getAuth(): Promise<Auth> {
  const db = await getDatabase();
  holder.dxaAuth ??= new WeakMap();
  let auth = holder.dxaAuth.get(db);
  if (!auth) {
    auth = createAuth(db, authConfigFromEnv(process.env, authDataDir()));
    holder.dxaAuth.set(db, auth);
  }
  return auth;
}
