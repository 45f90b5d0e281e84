import { existsSync, readFileSync } from "node:fs";

// CPU time spent by given processes, from /proc (Linux): on a machine shared with other work,
// wall-clock latency measures the queue for the cores as much as the pages; the CPU seconds the
// server and its database spend per page do not depend on the others.

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

/** User + system CPU seconds of each process still alive, by pid. */
export function cpuSecondsOf(pids: readonly number[]): Map<number, number> {
  const result = new Map<number, number>();
  for (const pid of pids) {
    const file = `/proc/${pid}/stat`;
    if (!existsSync(file)) continue;
    try {
      // The command name (field 2) may hold spaces; the fields after its closing parenthesis
      // start with field 3, so utime and stime (14 and 15) are the 12th and 13th after it.
      const stat = readFileSync(file, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      result.set(pid, (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // gone between the check and the read
    }
  }
  return result;
}

export const canMeasureCpu = () => existsSync("/proc/self/stat");

/** CPU seconds spent between two readings (a process first seen in `after` counts whole). */
export function cpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}
