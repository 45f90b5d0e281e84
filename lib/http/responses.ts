import type { ViewerResolution } from "../auth/viewer";

// Answers shared by the API routes (web-standard Response, so they run and are tested outside
// Next.js). Plain text for people and scripts alike, never a stack trace.

export function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text.endsWith("\n") ? text : `${text}\n`, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...headers },
  });
}

/** 401 for a request without valid credentials (SPEC section 10). `WWW-Authenticate: Bearer`
 *  tells a script to send a token; a token that was sent and refused adds `invalid_token`. */
export function unauthorized(reason: Exclude<ViewerResolution, { ok: true }>["reason"]): Response {
  const challenge = reason === "invalid_token" ? 'Bearer realm="DXA Tracker", error="invalid_token"' : 'Bearer realm="DXA Tracker"';
  const text =
    reason === "invalid_token"
      ? "The API token is not valid: it is unknown, expired or revoked. Create a new one on your account page or with `npm run users -- token`."
      : reason === "disabled"
        ? "This account is disabled."
        : "Sign in first: send `Authorization: Bearer <token>` (an API token), or a session cookie from /sign-in.";
  return plain(401, text, { "WWW-Authenticate": challenge });
}

/** Calls `onEnd` once when a response body has been read to its end, cancelled by the client,
 *  or broken by an error, passing on each chunk as it is asked for (backpressure intact). The
 *  body ends only after `onEnd` has settled: a client that has read a whole file knows that
 *  what `onEnd` records (an audit row) is there. */
export function observeEnd(
  body: ReadableStream<Uint8Array>,
  onEnd: (outcome: "complete" | "cancelled" | "failed") => Promise<void>,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let ended = false;
  const end = async (outcome: "complete" | "cancelled" | "failed") => {
    if (ended) return;
    ended = true;
    await onEnd(outcome).catch((error) => console.error("after a response body:", error));
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { value, done } = await reader.read();
          if (done) {
            await end("complete");
            controller.close();
          } else {
            controller.enqueue(value);
          }
        } catch (error) {
          await end("failed");
          controller.error(error);
        }
      },
      async cancel(reason) {
        await reader.cancel(reason);
        await end("cancelled");
      },
    },
    { highWaterMark: 0 },
  );
}
