import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

// An embedded PGlite directory may be open in one process only: a second one silently reads
// stale pages and two writers corrupt it. Whoever opens it (the web server, an import) holds
// this lock file, naming its pid; a lock whose process is gone is stale and taken over.

export type LockHolder = { pid: number; purpose: string; since: string };

export class DataDirBusyError extends Error {
  constructor(readonly holder: LockHolder, dataDir: string) {
    super(
      `The embedded database in ${dataDir} is in use by another process (pid ${holder.pid}: ${holder.purpose}, since ${holder.since}). ` +
        `Only one process may open it at a time: stop that process first` +
        (holder.purpose.includes("server") ? `, or upload the files on the server's /data page.` : "."),
    );
  }
}

export function lockPathFor(dataDir: string): string {
  return path.join(path.dirname(dataDir), `${path.basename(dataDir)}.lock`);
}

/** Takes the lock of a PGlite data directory for this process; returns its release. */
export function lockDataDir(dataDir: string, purpose: string): () => void {
  const lockPath = lockPathFor(dataDir);
  mkdirSync(path.dirname(lockPath), { recursive: true });
  const mine: LockHolder = { pid: process.pid, purpose, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, JSON.stringify(mine), { flag: "wx" });
      const release = () => {
        if (readHolder(lockPath)?.pid === process.pid) unlinkSync(lockPath);
        process.off("exit", release);
      };
      process.on("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = readHolder(lockPath);
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) throw new DataDirBusyError(holder, dataDir);
      unlinkSync(lockPath); // stale: its process is gone (killed, crashed)
    }
  }
  throw new Error(`could not take the lock ${lockPath}`);
}

function readHolder(lockPath: string): LockHolder | null {
  try {
    return JSON.parse(readFileSync(lockPath, "utf8")) as LockHolder;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

// A killed process that its parent has not yet reaped still answers kill(pid, 0) on Linux,
// but it holds nothing any more.
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}
