import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

// A PostgreSQL cluster of the test's own, on a loopback port of its choosing, that the test may
// stop and start (the shared server on 5432 must never be stopped). PostgreSQL's tools refuse
// to run as root, so they run as the `postgres` user, in a directory it owns.

const BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";

export type OwnCluster = { url: (database?: string) => string; port: number; stop(): void; start(): void; restart(): void; destroy(): void };

/** Whether this machine can make a cluster: PostgreSQL's binaries, and root to act as postgres. */
export function canMakeCluster(): string | null {
  if (!existsSync(path.join(BIN, "initdb"))) return `no PostgreSQL binaries in ${BIN}`;
  if (process.getuid?.() !== 0) return "not root (the cluster's tools run as the postgres user through runuser)";
  return null;
}

function asPostgres(command: string, args: string[]): void {
  const result = spawnSync("runuser", ["-u", "postgres", "--", path.join(BIN, command), ...args], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr || result.stdout}`);
}

/** A folder of the cluster's own, owned by postgres. */
function clusterDir(port: number): string {
  const dir = path.join(os.tmpdir(), `dxa-cluster-${port}-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  chownSync(dir, uid, gid);
  return dir;
}

export function makeCluster(port: number, database = "dxa"): OwnCluster {
  const dir = clusterDir(port);
  const data = path.join(dir, "data");
  asPostgres("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  return runCluster(dir, data, port, database, true);
}

/**
 * A hot standby of `primary`, streaming from it (pg_basebackup -R writes the standby's
 * connection settings): read-only, replaying the primary's changes as they come.
 */
export function makeStandby(primary: OwnCluster, port: number, database = "dxa"): OwnCluster {
  const dir = clusterDir(port);
  const data = path.join(dir, "data");
  asPostgres("pg_basebackup", ["-h", "127.0.0.1", "-p", String(primary.port), "-U", "postgres", "-D", data, "-R", "-X", "stream", "--no-sync"]);
  return runCluster(dir, data, port, database, false);
}

function runCluster(dir: string, data: string, port: number, database: string, create: boolean): OwnCluster {
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c hot_standby=on`;
  const start = () => asPostgres("pg_ctl", ["-D", data, "-o", options, "-w", "-l", path.join(dir, "log"), "start"]);
  const stop = () => asPostgres("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
  start();
  if (create) asPostgres("createdb", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", database]);
  return {
    port,
    url: (name = database) => `postgres://postgres@127.0.0.1:${port}/${name}`,
    start,
    stop,
    restart: () => asPostgres("pg_ctl", ["-D", data, "-o", options, "-m", "fast", "-w", "-l", path.join(dir, "log"), "restart"]),
    destroy() {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
