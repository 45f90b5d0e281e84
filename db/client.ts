import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Writable } from "node:stream";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { isConnectionError, markReachable, markUnreachable, warehouseUnreachableSince } from "./availability";
import { BINARY_COPY_HEADER, BINARY_COPY_TRAILER, binaryCopyStatement, type CopyIn, type CopyOptions } from "./copy";
import { lockDataDir } from "./lock";
import * as schema from "./schema";

export type Engine = "pglite" | "postgres";
export type Orm = PgDatabase<PgQueryResultHKT, typeof schema>;

/** The SQL surface the domain code needs, the same on PGlite and on PostgreSQL. */
export interface Sql {
  readonly engine: Engine;
  /** Rows of one statement, with $1… parameters. Dates come back as `YYYY-MM-DD` strings and
   *  bigint counts as numbers on both engines. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Several statements without parameters (DDL, scripts). */
  exec(text: string): Promise<void>;
  /** Starts a binary COPY into a table (db/copy.ts). */
  copyIn(table: string, columns: readonly string[], options?: CopyOptions): Promise<CopyIn>;
  /** Runs `fn` in one transaction; a thrown error rolls everything back. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
}

export interface Database extends Sql {
  readonly orm: Orm;
  close(): Promise<void>;
}

export const MIGRATIONS_FOLDER = path.join(process.cwd(), "db", "migrations");

// Calendar dates stay strings (no time-zone shifts); counts are small enough for numbers.
const DATE_OID = 1082;
const TIMESTAMPTZ_OID = 1184;
const TIMESTAMP_OID = 1114;
const INT8_OID = 20;
const keepText = (value: string) => value;

// ---------------------------------------------------------------------------------------------
// PGlite

type PgliteLike = Pick<PGlite, "query" | "exec">;

function pgliteSql(pg: PgliteLike, inTransaction: (fn: (tx: PgliteLike) => Promise<unknown>) => Promise<unknown>): Sql {
  const sql: Sql = {
    engine: "pglite",
    async query<T>(text: string, params: unknown[] = []) {
      const result = await pg.query<T>(text, params);
      return result.rows;
    },
    async exec(text) {
      await pg.exec(text);
    },
    async copyIn(table, columns, options) {
      // PGlite reads a COPY from one Blob: each write is a COPY of its own.
      const statement = binaryCopyStatement(table, columns, "'/dev/blob'", options);
      return {
        chunkBytes: 4 << 20,
        async write(tuples) {
          await pg.query(statement, [], { blob: new Blob([BINARY_COPY_HEADER, tuples, BINARY_COPY_TRAILER]) });
        },
        async end() {},
        async abort() {},
      };
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>) {
      return (await inTransaction((tx) =>
        fn(pgliteSql(tx, () => Promise.reject(new Error("nested transactions are not supported")))),
      )) as T;
    },
  };
  return sql;
}

const PGLITE_PARSERS = {
  [DATE_OID]: keepText,
  [TIMESTAMP_OID]: keepText,
  [TIMESTAMPTZ_OID]: keepText,
  [INT8_OID]: Number,
};

/** `loadDataDir`: start from a dumped data directory (tests copy one migrated template). */
export async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  return wrapPglite(await PGlite.create({ dataDir, loadDataDir, parsers: PGLITE_PARSERS }));
}

/** A Database over an open PGlite instance (tests clone one migrated template). */
export function wrapPglite(pg: PGlite): Database {
  const orm = drizzlePglite(pg, { schema }) as unknown as Orm;
  const sql = pgliteSql(pg, (fn) => pg.transaction((tx) => fn(tx as unknown as PgliteLike)));
  return {
    ...sql,
    orm,
    pglite: pg,
    async close() {
      await pg.close();
    },
  } as Database;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL (postgres.js)

function postgresSql(client: postgres.Sql | postgres.TransactionSql, begin: Sql["transaction"]): Sql {
  return {
    engine: "postgres",
    async query<T>(text: string, params: unknown[] = []) {
      return (await client.unsafe(text, params as postgres.ParameterOrJSON<never>[])) as unknown as T[];
    },
    async exec(text) {
      await client.unsafe(text);
    },
    async copyIn(table, columns, options) {
      return postgresCopyIn(client, binaryCopyStatement(table, columns, "STDIN", options));
    },
    transaction: begin,
  };
}

/** One COPY statement for the whole stream: a COPY per chunk costs a round trip and a fresh
 *  bulk-insert state each, which measured twice as slow. */
async function postgresCopyIn(client: postgres.Sql | postgres.TransactionSql, statement: string): Promise<CopyIn> {
  const query = client.unsafe(statement);
  // postgres.js settles a COPY's query when the server asks for data, so an error the server
  // reports later (a duplicate key) reaches neither the query nor the stream, and the stream
  // never finishes. Its reject is still called: catch the error there.
  const settlers = query as unknown as { reject: (error: Error) => void };
  const failure = new Promise<never>((_, reject) => {
    const settle = settlers.reject;
    settlers.reject = (error: Error) => {
      reject(error);
      return settle(error);
    };
  });
  failure.catch(() => {}); // raced below; unobserved when the COPY succeeds
  const stream = (await Promise.race([query.writable(), failure])) as Writable;
  // Its errors reach the caller through the write callbacks and `failure`; without a listener
  // an `abort` (destroy) would be an uncaught 'error' event that ends the process.
  stream.on("error", () => {});
  const send = (bytes: Uint8Array) =>
    Promise.race([new Promise<void>((resolve, reject) => stream.write(bytes, (error) => (error ? reject(error) : resolve()))), failure]);
  await send(BINARY_COPY_HEADER);
  return {
    chunkBytes: 64 << 10,
    write: send,
    async end() {
      // 'finish' comes once the server has confirmed the COPY.
      await Promise.race([new Promise<void>((resolve) => stream.end(BINARY_COPY_TRAILER, resolve)), failure]);
    },
    async abort(reason) {
      // Sends CopyFail: the server ends the COPY with an error, and the connection is usable
      // for the rollback.
      stream.destroy(reason);
      await failure.catch(() => {});
    },
  };
}

/** Runs a database call, keeping track of whether the server answers (db/availability.ts). */
function watched(ping: () => Promise<unknown>) {
  return async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      const result = await call();
      if (warehouseUnreachableSince() !== null) markReachable();
      return result;
    } catch (error) {
      if (isConnectionError(error)) markUnreachable(ping);
      throw error;
    }
  };
}

export async function openPostgres(url: string): Promise<Database> {
  const client = postgres(url, {
    max: 10,
    // postgres.js reconnects a closed connection on its next use only after a pause that grows
    // with every failed attempt (3^n / 100 s, up to 20 s). During a restart under load that many
    // attempts fail in a few seconds, and requests then waited up to 20 s for a database that
    // was long back. While the database is away the proxy answers 503 and one probe a second
    // tries it (db/availability.ts), so the pause can stay short.
    backoff: (failures: number) => Math.min(0.05 * 2 ** failures, 1),
    // A connection that is not made within 5 s is an outage (503), not a page to wait for.
    connect_timeout: 5,
    // Known and left: postgres.js 3.4.9 can throw an uncaught TypeError ("reading 'write'" of a
    // null socket) when a connection closes with a small write still scheduled (upstream issue
    // porsager/postgres#1154, fix not released). The query has already failed with
    // CONNECTION_CLOSED; `next start` logs the exception and serves on (seen about once in ten
    // restarts under load in the restart test).
    onnotice: () => {},
    types: {
      date: { to: DATE_OID, from: [DATE_OID, TIMESTAMP_OID, TIMESTAMPTZ_OID], serialize: (x: string) => x, parse: keepText },
      bigint: { to: INT8_OID, from: [INT8_OID], serialize: (x: number) => String(x), parse: Number },
    },
  });
  const orm = drizzlePostgres(client, { schema }) as unknown as Orm;
  const watch = watched(() => client`SELECT 1`);
  const begin = async <T>(fn: (tx: Sql) => Promise<T>): Promise<T> =>
    watch(
      async () =>
        (await client.begin((tx) =>
          fn(postgresSql(tx, () => Promise.reject(new Error("nested transactions are not supported")))),
        )) as T,
    );
  const sql = postgresSql(client, begin);
  return {
    ...sql,
    query: (text, params) => watch(() => sql.query(text, params)),
    exec: (text) => watch(() => sql.exec(text)),
    orm,
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

// ---------------------------------------------------------------------------------------------

export async function migrateDatabase(db: Database): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (db.engine === "pglite") await migratePglite(db.orm as never, config);
  else await migratePostgres(db.orm as never, config);
}

export type DatabaseConfig = {
  databaseUrl?: string;
  dataDir?: string;
  /** Who holds an embedded data directory while it is open (see db/lock.ts). */
  purpose?: string;
};

/** The warehouse named by the environment: DATABASE_URL, else embedded PGlite in ./.data. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  return env.DATABASE_URL
    ? { databaseUrl: env.DATABASE_URL }
    : { dataDir: env.DXA_DATA_DIR ?? path.join(process.cwd(), ".data", "pglite") };
}

/** Opens and migrates the warehouse. */
export async function openDatabase(config: DatabaseConfig = configFromEnv()): Promise<Database> {
  if (config.databaseUrl) return migrated(await openPostgres(config.databaseUrl));
  if (!config.dataDir) return migrated(await openPglite(undefined));
  const release = lockDataDir(config.dataDir, config.purpose ?? `node ${process.argv.slice(1).join(" ")}`);
  try {
    const db = await migrated(await openPglite(config.dataDir));
    return {
      ...db,
      async close() {
        await db.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

async function migrated(db: Database): Promise<Database> {
  try {
    await migrateDatabase(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
