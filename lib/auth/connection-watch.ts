import { AsyncLocalStorage } from "node:async_hooks";
import { isConnectionError } from "@/db/availability";

// better-auth turns some failures of its own database calls into a refusal: the api-key plugin
// answers "invalid key" to any error, and only logs the error itself. A credential check runs
// inside `watchConnection`, and the sign-in library's logger (lib/auth/server.ts) hands every
// error it logs to `noteLoggedError`: a connection error logged during a check belongs to that
// check (AsyncLocalStorage follows it through the library's awaits), so that a refusal the
// database caused answers as the database being away (503), never as "sign in again" (401).

type Watch = { lost: unknown };

// One store per process, kept on globalThis: the server's bundles (route handlers, pages) each
// hold their own copy of this module, and the sign-in library — made once per process by
// whichever came first — logs through the copy of that bundle. With a store per copy, a check
// run by another bundle went unseen: the restart test's 401s.
const holder = globalThis as unknown as { dxaConnectionWatches?: AsyncLocalStorage<Watch> };
const watches = (holder.dxaConnectionWatches ??= new AsyncLocalStorage<Watch>());

/** Called by the sign-in library's logger with what it logs. */
export function noteLoggedError(args: readonly unknown[]): void {
  const watch = watches.getStore();
  if (!watch || watch.lost !== undefined) return;
  const lost = args.find(isConnectionError);
  if (lost !== undefined) watch.lost = lost;
}

/**
 * Runs `check` and returns what it returned, with the connection error (if any) that the
 * sign-in library met and logged meanwhile. When `check` throws and such an error was logged,
 * that error is thrown instead: it says what really went wrong.
 */
export async function watchConnection<T>(check: () => Promise<T>): Promise<{ result: T; lost: unknown }> {
  const watch: Watch = { lost: undefined };
  try {
    const result = await watches.run(watch, check);
    return { result, lost: watch.lost };
  } catch (error) {
    throw watch.lost ?? error;
  }
}
