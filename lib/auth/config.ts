import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

// Sign-in settings from the environment (README, "Sign-in and roles"). Everything has a safe
// default for a machine of one's own (`npm run demo`); a deployment sets APP_URL and
// AUTH_SECRET, and OIDC_* for the hospital's identity provider.

export type OidcConfig = {
  /** The provider's issuer URL; its `/.well-known/openid-configuration` is read at start-up. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The button's label: "Sign in with <name>". */
  name: string;
};

export type AuthConfig = {
  /** Signs the session cookie. At least 32 characters. */
  secret: string;
  /** The public origin, e.g. `https://dxa.example-hospital.org`; null = serve whatever host
   *  the request names, over HTTP (a machine of one's own). */
  appUrl: string | null;
  /** Sessions end after this long without a request. */
  idleSeconds: number;
  /** Failed sign-ins allowed per account, and per address, within `failureWindowSeconds`. */
  failuresPerAccount: number;
  failuresPerAddress: number;
  failureWindowSeconds: number;
  /** Reverse proxies whose X-Forwarded-For entries are trusted (addresses or CIDR ranges). */
  trustedProxies: string[];
  oidc: OidcConfig | null;
};

const DAY = 86_400;
export const TOKEN_DEFAULT_DAYS = 90;
export const TOKEN_MAX_DAYS = 365;

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}=${JSON.stringify(raw)} is not a positive number.`);
  return value;
}

/**
 * The secret that signs session cookies: AUTH_SECRET, else one generated on first use and kept
 * beside the embedded database (mode 600), so that sessions survive a restart of the demo.
 * Several servers over one PostgreSQL warehouse must share it: set AUTH_SECRET there.
 */
function secretFrom(env: NodeJS.ProcessEnv, dataDir: string): string {
  const given = env.AUTH_SECRET ?? env.BETTER_AUTH_SECRET;
  if (given !== undefined) {
    if (given.length < 32) throw new Error("AUTH_SECRET must be at least 32 characters (e.g. `openssl rand -base64 32`).");
    return given;
  }
  const file = path.join(dataDir, "auth-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return secret;
}

function appUrlFrom(env: NodeJS.ProcessEnv): string | null {
  const raw = env.APP_URL;
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`APP_URL=${JSON.stringify(raw)} is not a URL (e.g. https://dxa.example-hospital.org).`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`APP_URL must be an http(s) URL, not ${url.protocol}`);
  return url.origin;
}

function oidcFrom(env: NodeJS.ProcessEnv): OidcConfig | null {
  const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret } = env;
  if (!issuer && !clientId && !clientSecret) return null;
  if (!issuer || !clientId || !clientSecret) {
    throw new Error("OpenID Connect needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together.");
  }
  return { issuer: issuer.replace(/\/+$/, ""), clientId, clientSecret, name: env.OIDC_NAME || "your organisation's sign-in" };
}

/** `dataDir`: where a generated secret is kept (the embedded database's folder, or ./.data). */
export function authConfigFromEnv(env: NodeJS.ProcessEnv, dataDir: string): AuthConfig {
  return {
    secret: secretFrom(env, dataDir),
    appUrl: appUrlFrom(env),
    idleSeconds: Math.round(positive(env, "SESSION_IDLE_HOURS", 12) * 3600),
    failuresPerAccount: positive(env, "SIGN_IN_FAILURES_PER_ACCOUNT", 5),
    failuresPerAddress: positive(env, "SIGN_IN_FAILURES_PER_ADDRESS", 20),
    failureWindowSeconds: positive(env, "SIGN_IN_FAILURE_WINDOW_MINUTES", 15) * 60,
    trustedProxies: (env.TRUSTED_PROXIES ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    oidc: oidcFrom(env),
  };
}

export const tokenLifetimeSeconds = (days: number) => Math.round(days * DAY);
