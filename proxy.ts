import { NextResponse, type NextRequest } from "next/server";
import { UNREACHABLE_MESSAGE, warehouseUnreachableSince } from "@/db/availability";
import {
  contentSecurityPolicy,
  hasBearerToken,
  hasSessionCookie,
  isAllowedWrite,
  isApiPath,
  isPublicPath,
  ownOrigin,
  SECURE_SESSION_COOKIE,
  securityHeaders,
  SESSION_COOKIE,
  signInPath,
} from "@/lib/http/policy";

// Every request passes here first (Next.js 16 "proxy"). It sees only whether credentials are
// present, not whether they are valid: each page and route checks the session or token itself
// through the request context. What it does for all of them:
// - sends a request without any credentials to /sign-in (pages) or answers 401 (API);
// - refuses a request that changes something from another origin (403);
// - answers 400 to a path that is not valid percent-encoding (Next.js answers 500 when it
//   cannot decode a dynamic segment such as /members/%E0%A4%A);
// - while the database does not answer (db/availability.ts), answers 503 with a plain message
//   at once rather than letting each request wait on it; a probe notices when it is back;
// - sets the Content-Security-Policy (with a fresh script nonce) and the other safety headers;
// - keeps an active browser's session cookie alive: the server ends a session after
//   SESSION_IDLE_HOURS without a request, and the cookie is renewed for as long again.

const APP_URL = process.env.APP_URL ? new URL(process.env.APP_URL).origin : null;
const HTTPS = APP_URL?.startsWith("https:") ?? false;
const IDLE_SECONDS = Math.round(Number(process.env.SESSION_IDLE_HOURS || 12) * 3600);
const OIDC_ORIGIN = process.env.OIDC_ISSUER ? new URL(process.env.OIDC_ISSUER).origin : null;
const DEVELOPMENT = process.env.NODE_ENV === "development";

/** The longest query string served (characters, percent-encoded as sent). */
const MAX_QUERY_LENGTH = 4096;

export function proxy(request: NextRequest): NextResponse {
  const { pathname, search } = request.nextUrl;
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy({ nonce, https: HTTPS, development: DEVELOPMENT, formTargets: OIDC_ORIGIN ? [OIDC_ORIGIN] : [] });
  const finish = (response: NextResponse) => {
    response.headers.set("Content-Security-Policy", csp);
    for (const [name, value] of Object.entries(securityHeaders(HTTPS))) response.headers.set(name, value);
    return response;
  };

  if (warehouseUnreachableSince() !== null && !pathname.startsWith("/_next/") && pathname !== "/icon.svg") {
    return finish(unreachable(isApiPath(pathname)));
  }

  // Every parameter is bounded (lib/filters.ts); a query string longer than all of them together
  // can only be a mistake or an attack, and carried into the request's own headers (x-dxa-url)
  // it made CI's property test find a /reports request answered 5xx: refused plainly here.
  if (search.length > MAX_QUERY_LENGTH) {
    return finish(new NextResponse(`URI too long: the query string has ${search.length} characters; at most ${MAX_QUERY_LENGTH} are accepted.\n`, { status: 414, headers: { "Content-Type": "text/plain; charset=utf-8" } }));
  }

  if (!decodes(pathname)) {
    return finish(new NextResponse("Bad request: the address has a malformed %-escape (percent-encoding).\n", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } }));
  }

  const cookie = request.headers.get("cookie");
  const signedIn = hasSessionCookie(cookie) || hasBearerToken(request.headers.get("authorization"));
  if (!signedIn && !isPublicPath(pathname)) {
    if (pathname.startsWith("/api/fhir/")) {
      // The FHIR API answers as FHIR does: an OperationOutcome (lib/fhir-api).
      const outcome = { resourceType: "OperationOutcome", issue: [{ severity: "error", code: "login", diagnostics: "Sign in first: send `Authorization: Bearer <token>` (an API token), or a session cookie from /sign-in." }] };
      return finish(
        new NextResponse(`${JSON.stringify(outcome, null, 2)}\n`, {
          status: 401,
          headers: { "Content-Type": "application/fhir+json; charset=utf-8", "WWW-Authenticate": 'Bearer realm="DXA Tracker"' },
        }),
      );
    }
    if (isApiPath(pathname)) {
      return finish(
        new NextResponse("Sign in first: send `Authorization: Bearer <token>` (an API token), or a session cookie from /sign-in.\n", {
          status: 401,
          headers: { "Content-Type": "text/plain; charset=utf-8", "WWW-Authenticate": 'Bearer realm="DXA Tracker"' },
        }),
      );
    }
    return finish(NextResponse.redirect(new URL(signInPath(`${pathname}${search}`), request.url)));
  }

  if (!isAllowedWrite(request.method, request.headers, ownOrigin(request.url, request.headers, APP_URL))) {
    return finish(new NextResponse("Refused: this request did not come from DXA Tracker's own pages.\n", { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8" } }));
  }

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", csp); // Next.js reads the nonce from here
  requestHeaders.set("x-dxa-url", `${pathname}${search}`); // where /sign-in?next= returns to
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  const session = request.cookies.get(HTTPS ? SECURE_SESSION_COOKIE : SESSION_COOKIE);
  if (session && !isApiPath(pathname) && !pathname.startsWith("/_next/")) {
    response.cookies.set(session.name, session.value, { httpOnly: true, sameSite: "lax", secure: HTTPS, path: "/", maxAge: IDLE_SECONDS });
  }
  return finish(response);
}

function decodes(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

/** 503 while the database does not answer: plain text for the API, for a page a plain page
 *  that asks again every five seconds. */
function unreachable(api: boolean): NextResponse {
  const headers = { "Retry-After": "5", "Cache-Control": "no-store" };
  if (api) return new NextResponse(`${UNREACHABLE_MESSAGE}\n`, { status: 503, headers: { ...headers, "Content-Type": "text/plain; charset=utf-8" } });
  const page = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>DXA Tracker: database not answering</title></head><body><main><h1>The warehouse is not answering</h1><p>${UNREACHABLE_MESSAGE}</p></main></body></html>`;
  return new NextResponse(page, { status: 503, headers: { ...headers, "Content-Type": "text/html; charset=utf-8" } });
}

// Every path but the upload route, which streams its body to disk: passing through here, Next.js
// would hold the whole body in memory (and cut it at 10 MB). That route checks credentials,
// origin and the database itself, and sets the same safety headers.
export const config = { matcher: ["/((?!api/imports$).*)"] };
