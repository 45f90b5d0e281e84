import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";

// The application as users meet it: a production build (`next build`) served by `next start`,
// for the benchmark's page timings and its concurrent users. The build is made in a copy of the
// working tree of its own (outside it, so that a build there never disturbs one of the tree's
// own, of a test run or of another engineer), node_modules included (Turbopack resolves
// packages only inside the project's root, so a link to the tree's would not do).

export const BENCH_AUTH_SECRET = "benchmark-secret-of-at-least-thirty-two-characters";

export type BuildOptions = { root?: string; buildDir?: string; reuse?: boolean; log?: (line: string) => void };

/** Copies the tree to `buildDir` and builds it there; with `reuse`, keeps an earlier build.
 *  Returns the build's directory and the seconds the build took (0 when reused). */
export function buildApplication(options: BuildOptions = {}): { dir: string; seconds: number } {
  const root = options.root ?? process.cwd();
  // Outside the repository (Next.js would take the tree's lockfile for the workspace's root),
  // and one per tree, so that two trees' benchmarks on one machine do not build over each other.
  const tag = createHash("sha256").update(root).digest("hex").slice(0, 8);
  const dir = options.buildDir ?? path.join(os.tmpdir(), `dxa-bench-build-${tag}`);
  if (options.reuse && existsSync(path.join(dir, ".next", "BUILD_ID"))) return { dir, seconds: 0 };
  const started = performance.now();
  mkdirSync(dir, { recursive: true });
  options.log?.(`copying the application to ${dir} and building it (next build)`);
  const copy = spawnSync(
    "rsync",
    ["-a", "--delete", "--exclude=/.next", "--exclude=/bench-data", "--exclude=/test-results", "--exclude=/.data", "--exclude=/tmp", "--exclude=/.git", `${root}/`, `${dir}/`],
    { stdio: "inherit" },
  );
  if (copy.status !== 0) throw new Error("copying the application for its build failed");
  rmSync(path.join(dir, ".next"), { recursive: true, force: true });
  const build = spawnSync(path.join(dir, "node_modules", ".bin", "next"), ["build"], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] });
  if (build.status !== 0) throw new Error("next build failed");
  return { dir, seconds: (performance.now() - started) / 1000 };
}

/** A TCP port nobody listens on now (the machine runs other engineers' servers and tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export type RunningServer = { url: string; pid: number; stop: () => Promise<void> };

/**
 * `next start` in `buildDir` on `port`, reading `database` (a PostgreSQL URL, or a PGlite data
 * directory that this process must have closed: one process per embedded database). Resolves
 * once the server answers. The child is `next start` itself (not npm), so its pid is the
 * server's and stopping it stops the server.
 */
export async function startServer(buildDir: string, database: { url: string } | { dataDir: string }, port: number): Promise<RunningServer> {
  const { DATABASE_URL: _u, DATABASE_READ_URL: _r, DXA_DATA_DIR: _d, APP_URL: _a, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    NODE_ENV: "production",
    PORT: String(port),
    AUTH_SECRET: BENCH_AUTH_SECRET,
    ...("url" in database ? { DATABASE_URL: database.url } : { DXA_DATA_DIR: database.dataDir }),
  };
  const child: ChildProcess = spawn(path.join(buildDir, "node_modules", ".bin", "next"), ["start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: buildDir,
    env,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`next start exited (${code})`))));
  exited.catch(() => {});
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const response = await Promise.race([fetch(`${url}/sign-in`), exited]);
      await response.arrayBuffer();
      if (response.status < 500) break;
    } catch (error) {
      if (child.exitCode !== null) throw error;
    }
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error("next start did not answer within two minutes");
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null) return;
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}
