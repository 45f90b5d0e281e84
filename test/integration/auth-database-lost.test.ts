import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isConnectionError } from "@/db/availability";
import { openPostgres, type Database } from "@/db/client";
import { operator } from "@/lib/audit";
import { noteLoggedError, watchConnection } from "@/lib/auth/connection-watch";
import { addUser } from "@/lib/auth/users";
import { resolveViewer } from "@/lib/auth/viewer";
import { testAuth } from "../support/auth";
import { freshDatabase, type TestDatabase } from "../support/databases";

// A credential check that meets a lost database answers as the database being away (the caller
// then answers 503, "try again"), never as a refusal (401, "sign in again"). better-auth's
// api-key plugin turns a failed database call into "invalid key" and only logs the error; the
// check follows what the library logs (lib/auth/connection-watch.ts). Here the sign-in library
// reaches its database on a port where nothing listens, while the product's own connection
// answers: before the watch, the check asked the product's connection whether the database
// answered, it did, and the token was refused as invalid.

const ORIGIN = "http://127.0.0.1:3000";
const PASSWORD = "correct horse battery staple";

/** A loopback port that was free a moment ago: nothing listens on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("credential checks when the sign-in library loses its database", () => {
  let db: TestDatabase;
  let gone: Database;

  beforeAll(async () => {
    db = await freshDatabase("pglite");
    gone = await openPostgres(`postgres://postgres@127.0.0.1:${await closedPort()}/postgres`);
  });
  afterAll(async () => {
    await gone?.close();
    await db?.dispose();
  });

  it("a bearer token is not refused: the connection error is thrown", async () => {
    const auth = testAuth(gone);
    const headers = new Headers({ authorization: "Bearer dxa_a-token-that-cannot-be-checked-now" });
    const error = await resolveViewer(auth, db, headers).then(
      (answer) => answer,
      (thrown: unknown) => thrown,
    );
    expect(isConnectionError(error), `answered ${JSON.stringify(error)}`).toBe(true);
  });

  it("a session cookie is not refused either", async () => {
    // A real session, signed in where the database answers; checked where it does not.
    const working = testAuth(db);
    const by = { operator: operator("test"), route: "test" };
    await addUser({ db, auth: working }, by, { email: "officer@example.org", role: "quality_officer", password: PASSWORD });
    const signedIn = await working.handler(
      new Request(`${ORIGIN}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ORIGIN, "x-forwarded-for": "10.0.0.1" },
        body: JSON.stringify({ email: "officer@example.org", password: PASSWORD }),
      }),
    );
    const cookie = signedIn.headers.get("set-cookie")!.split(";")[0]!;
    const headers = new Headers({ cookie, host: "127.0.0.1:3000", "x-forwarded-for": "10.0.0.1" });
    expect(await resolveViewer(working, db, headers)).toMatchObject({ ok: true });
    const error = await resolveViewer(testAuth(gone), db, headers).then(
      (answer) => answer,
      (thrown: unknown) => thrown,
    );
    expect(isConnectionError(error), `answered ${JSON.stringify(error)}`).toBe(true);
  });

  it("with the database there, an unknown token is still refused as invalid", async () => {
    const auth = testAuth(db);
    expect(await resolveViewer(auth, db, new Headers({ authorization: "Bearer dxa_not-a-token" }))).toEqual({ ok: false, reason: "invalid_token" });
  });
});

describe("watchConnection", () => {
  const lost = Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" });

  it("keeps the connection error logged during its check, and only that check's", async () => {
    const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
    const [a, b] = await Promise.all([
      watchConnection(async () => {
        await tick();
        noteLoggedError(["Failed to validate API key:", new Error("wrapped", { cause: lost })]);
        return "a";
      }),
      watchConnection(async () => {
        await tick();
        await tick();
        noteLoggedError(["Failed to validate API key:", new Error("not a connection error")]);
        return "b";
      }),
    ]);
    expect(a.result).toBe("a");
    expect((a.lost as Error).message).toBe("wrapped");
    expect(b).toEqual({ result: "b", lost: undefined });
    // Outside any check a logged error is nobody's.
    expect(() => noteLoggedError([lost])).not.toThrow();
  });

  it("a check that throws after a connection error was logged throws that error", async () => {
    const thrown = await watchConnection(async () => {
      noteLoggedError([lost]);
      throw new Error("INTERNAL_SERVER_ERROR");
    }).catch((error: unknown) => error);
    expect(thrown).toBe(lost);
  });
});
