import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { openSync, writeSync } from "node:fs";
import path from "node:path";
import { request as playwrightRequest, type APIRequestContext } from "@playwright/test";

// A built server of a browser test's own (`next start`), over a database the test controls
// (tests that stop its PostgreSQL, or give it standbys), with the public deck imported and a
// user per role signed in by API token — as an operator would set one up, with the commands.

const ROOT = process.cwd();
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
export const DECK = path.join(ROOT, "test", "fixtures", "public-deck", "data");

export function runCommand(args: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync(TSX, args, { env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${args.join(" ")}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Imports `folder` with `npm run import` into the database of `env`. */
export function importWith(env: NodeJS.ProcessEnv, folder: string = DECK): void {
  runCommand(["scripts/import.ts", folder], env);
}

/** A user of the role with an API token, made with `npm run users`; returns the token. */
export function userToken(env: NodeJS.ProcessEnv, role: string, email: string): string {
  runCommand(["scripts/users.ts", "add", email, "--role", role, "--password", "a test password of some length"], env);
  return runCommand(["scripts/users.ts", "token", email, "--name", "test"], env).trim().split("\n").at(-1)!;
}

export async function until(check: () => Promise<boolean>, seconds: number): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`not within ${seconds} s`);
}

export type OwnServer = { url: string; process: ChildProcess; as(token: string): Promise<APIRequestContext>; stop(): void };

/** Starts the built app on host:port with `env`; its log goes to test-results/<logName>.log. */
export async function startServer(host: string, port: number, env: NodeJS.ProcessEnv, logName: string): Promise<OwnServer> {
  // Appended to: a test file's server starts again after a failed test, and the log of the
  // failure is the one worth keeping.
  const log = openSync(path.join(ROOT, "test-results", `${logName}.log`), "a");
  writeSync(log, `\n--- ${new Date().toISOString()}: next start on ${host}:${port}\n`);
  const child = spawn(path.join(ROOT, "node_modules", ".bin", "next"), ["start", "-H", host, "-p", String(port)], { env, stdio: ["ignore", log, log] });
  const url = `http://${host}:${port}`;
  await until(async () => (await fetch(`${url}/sign-in`)).ok, 60);
  return {
    url,
    process: child,
    as: (token) => playwrightRequest.newContext({ baseURL: url, extraHTTPHeaders: { authorization: `Bearer ${token}` } }),
    stop: () => child.kill("SIGTERM"),
  };
}
