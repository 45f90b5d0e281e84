// Browser safety and the sign-in gate of every request (SPEC section 10), as pure functions of
// the request: proxy.ts applies them, tests call them directly.

/** Paths served without a session: the sign-in page, better-auth's own routes (the OpenID
 *  Connect callback), and static files. Everything else needs a session or a token. */
export function isPublicPath(pathname: string): boolean {
  return (
    pathname === "/sign-in" ||
    pathname.startsWith("/api/auth/") ||
    pathname.startsWith("/_next/") ||
    pathname === "/icon.svg" ||
    pathname === "/favicon.ico" ||
    pathname === "/robots.txt"
  );
}

export const isApiPath = (pathname: string) => pathname === "/api" || pathname.startsWith("/api/");

/** Methods that change nothing; every other method must come from the application's own
 *  origin (or carry a bearer token, which a browser never sends on its own). */
export const isSafeMethod = (method: string) => method === "GET" || method === "HEAD" || method === "OPTIONS";

export const SESSION_COOKIE = "dxa.session_token";
/** Behind HTTPS better-auth names it with the `__Secure-` prefix. */
export const SECURE_SESSION_COOKIE = `__Secure-${SESSION_COOKIE}`;

export function hasSessionCookie(cookieHeader: string | null): boolean {
  return /(?:^|;\s*)(?:__Secure-)?dxa\.session_token=/.test(cookieHeader ?? "");
}

export function hasBearerToken(authorization: string | null): boolean {
  return /^Bearer\s+\S+/i.test(authorization ?? "");
}

/**
 * The origin this request should come from: APP_URL when set (a deployment behind a proxy
 * knows its public name), else the scheme and host the request was addressed to.
 */
export function ownOrigin(requestUrl: string, headers: Headers, appUrl: string | null): string {
  if (appUrl) return new URL(appUrl).origin;
  const host = headers.get("host");
  const protocol = new URL(requestUrl).protocol;
  return host ? `${protocol}//${host}` : new URL(requestUrl).origin;
}

/**
 * Whether a request that changes something may go on: it carries a bearer token (not an
 * ambient credential: a page of another site cannot make a browser send it), or its Origin is
 * the application's own. A browser sends Origin with every such request; a request without
 * one and without a token is refused too (`Sec-Fetch-Site: same-origin` stands in for it).
 */
export function isAllowedWrite(method: string, headers: Headers, own: string): boolean {
  if (isSafeMethod(method)) return true;
  if (hasBearerToken(headers.get("authorization"))) return true;
  const origin = headers.get("origin");
  if (origin) return origin === own;
  return headers.get("sec-fetch-site") === "same-origin";
}

export type PolicyOptions = {
  /** Script nonce of this response. */
  nonce: string;
  /** HTTPS deployment: upgrade insecure requests, HSTS. */
  https: boolean;
  development: boolean;
  /** Origins a sign-in form may be sent on to (the OpenID Connect provider). */
  formTargets: readonly string[];
};

/**
 * The Content-Security-Policy of every response: scripts only from this origin and with this
 * response's nonce (Next.js puts it on its own scripts), no plug-ins, no framing by anyone
 * (`frame-ancestors 'none'`), forms posted only here. Inline style attributes are allowed:
 * the charts (Recharts) position their parts with them, and a style attribute cannot run code.
 */
export function contentSecurityPolicy(o: PolicyOptions): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${o.nonce}' 'strict-dynamic'${o.development ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action 'self'${o.formTargets.map((t) => ` ${t}`).join("")}`,
    "frame-ancestors 'none'",
    ...(o.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** The headers every response carries besides its CSP. */
export function securityHeaders(https: boolean): Record<string, string> {
  return {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    ...(https ? { "Strict-Transport-Security": "max-age=31536000" } : {}),
  };
}

/** `/sign-in?next=…` for a page asked for without a session; `next` keeps path and query, and
 *  only ever names a path of this site. */
export function signInPath(pathAndQuery: string): string {
  return `/sign-in?next=${encodeURIComponent(safeNext(pathAndQuery))}`;
}

/** A `next` parameter made safe to redirect to: a path of this site (not `//host`, not a
 *  scheme), else the overview. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (/[\r\n]/.test(next)) return "/";
  return next;
}
