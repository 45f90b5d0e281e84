import { isConnectionError } from "./availability";
import { openPostgres, type Database, type Sql } from "./client";

// Read replicas (SPEC section 9, "past one machine"): pages and reports read from PostgreSQL hot
// standbys named by DATABASE_READ_URL (comma separated), in turn; imports, derivation, sign-in
// and the audit log write to the primary. A standby that does not answer is left out for a
// while and its reads go to the next one, or to the primary when none answers: a request never
// fails because a standby is down. Each read says how far its standby is behind.

/** How long a standby that did not answer is left out before it is tried again. */
export const REPLICA_RETRY_MS = 10_000;
/** How long the health question may take before the standby counts as not answering. */
const HEALTH_TIMEOUT_MS = 2_000;

export type ReadSource =
  | { kind: "primary" }
  /** `lagSeconds`: how far its data are behind the primary's (0 when it has replayed all it
   *  received). */
  | { kind: "replica"; name: string; lagSeconds: number };

type Replica = { url: string; name: string; db: Promise<Database> | null; downUntil: number };

export function parseReadUrls(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A standby's name for people: host and port, never its password. */
export function replicaName(url: string): string {
  const u = new URL(url);
  return `${u.hostname}${u.port ? `:${u.port}` : ""}`;
}

export class ReadReplicas {
  private readonly replicas: Replica[];
  private next = 0;

  constructor(urls: readonly string[]) {
    this.replicas = urls.map((url) => ({ url, name: replicaName(url), db: null, downUntil: 0 }));
  }

  get size(): number {
    return this.replicas.length;
  }

  /**
   * A standby to read from, with its lag, taking them in turn; null when none answers (read the
   * primary). Asking its lag is also the check that it answers.
   */
  async pick(now: () => number = Date.now): Promise<{ db: Sql; source: ReadSource } | null> {
    for (let tried = 0; tried < this.replicas.length; tried++) {
      const replica = this.replicas[this.next++ % this.replicas.length]!;
      if (replica.downUntil > now()) continue;
      try {
        replica.db ??= openPostgres(replica.url);
        const db = await replica.db;
        const lagSeconds = await withTimeout(standbyLag(db), HEALTH_TIMEOUT_MS);
        return { db, source: { kind: "replica", name: replica.name, lagSeconds } };
      } catch (error) {
        if (!isConnectionError(error) && !(error instanceof HealthTimeout)) console.error(`standby ${replica.name}:`, error);
        replica.downUntil = now() + REPLICA_RETRY_MS;
      }
    }
    return null;
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map(async (r) => (r.db ? (await r.db).close() : undefined)));
  }
}

/** Seconds the standby's data are behind: 0 when it has replayed everything it received,
 *  else the age of the last transaction it replayed. On a server that is not a standby, 0. */
export async function standbyLag(db: Sql): Promise<number> {
  const [row] = await db.query<{ lag: number | null }>(
    `SELECT CASE
       WHEN NOT pg_is_in_recovery() THEN 0
       WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
       ELSE greatest(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp()))
     END::float8 AS lag`,
  );
  return row?.lag ?? 0;
}

class HealthTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HealthTimeout(`no answer within ${ms} ms`)), ms);
    }),
  ]);
}
