// Whether the warehouse's database answers (SPEC section 11, "the database going away"). The
// PostgreSQL client marks it unreachable when a statement fails for want of a connection, and
// reachable again when one succeeds; while it is unreachable a probe tries it every second, so
// that the server serves again by itself once the database is back. proxy.ts reads the mark to
// answer pages and API calls with 503 and a plain message meanwhile, instead of each request
// waiting on a dead connection. Kept on globalThis: the proxy is a bundle of its own in the same
// process.

type State = { unreachableSince: string | null; probe: ReturnType<typeof setInterval> | null };

const holder = globalThis as unknown as { dxaWarehouseState?: State };
const state: State = (holder.dxaWarehouseState ??= { unreachableSince: null, probe: null });

/** Error codes of a lost or refused connection (postgres.js's own, the socket's, and the
 *  server's shutdown and start-up codes), as opposed to an error of the statement itself. */
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down, in recovery)
  "08000", // connection_exception
  "08003", // connection_does_not_exist
  "08006", // connection_failure
]);

/** Whether an error — or an error it wraps (`cause`, as the ORM and the sign-in library wrap
 *  the driver's) — is a lost or refused connection. */
export function isConnectionError(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
  }
  return false;
}

/** Since when the database has not answered (ISO time), or null while it answers. */
export function warehouseUnreachableSince(): string | null {
  return state.unreachableSince;
}

/** Marks the database unreachable and starts probing it with `ping` every second. */
export function markUnreachable(ping: () => Promise<unknown>): void {
  if (state.unreachableSince === null) state.unreachableSince = new Date().toISOString();
  if (state.probe) return;
  state.probe = setInterval(() => {
    ping().then(markReachable, () => {});
  }, 1000);
  state.probe.unref?.();
}

export function markReachable(): void {
  state.unreachableSince = null;
  if (state.probe) clearInterval(state.probe);
  state.probe = null;
}

/** The plain message of a 503 while the database does not answer. */
export const UNREACHABLE_MESSAGE =
  "The warehouse database is not answering at the moment (it may be restarting). Nothing was changed. Try again in a few seconds; this page retries by itself.";
