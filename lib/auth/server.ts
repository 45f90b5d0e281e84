import { apiKey } from "@better-auth/api-key";
import { getIP } from "@better-auth/core/utils/ip";
import { betterAuth, type BetterAuthOptions } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { admin, genericOAuth } from "better-auth/plugins";
import type { Database } from "@/db/client";
import { accounts, apiKeys, rateLimits, sessions, users, verifications } from "@/db/schema";
import { countFailedSignIns, recordAudit } from "../audit";
import { TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, tokenLifetimeSeconds, type AuthConfig } from "./config";
import { noteLoggedError } from "./connection-watch";
import { accessControl, roles } from "./roles";

// Sign-in with better-auth (SPEC section 10) on the warehouse's own database, PGlite or
// PostgreSQL alike: email and password (scrypt, salted), optionally the hospital's OpenID
// Connect provider, roles through the admin plugin, API tokens through the api-key plugin.
// No self sign-up: users are made by an admin or the operator's `npm run users`.

export const OIDC_PROVIDER_ID = "hospital";
export const AUTH_BASE_PATH = "/api/auth";

/** The HTTP paths of better-auth that a browser reaches directly; everything else (sign-up,
 *  admin endpoints, key management) is called on the server only, by the pages' actions and
 *  the command line, so that each such call goes through this product's role checks and audit. */
export const PUBLIC_AUTH_PATHS = [/^\/sign-in\/email$/, /^\/sign-in\/social$/, /^\/callback\/[a-z0-9-]+$/, /^\/sign-out$/];

export function createAuth(db: Database, config: AuthConfig) {
  const window = config.failureWindowSeconds;
  const options = {
    appName: "DXA Tracker",
    secret: config.secret,
    basePath: AUTH_BASE_PATH,
    // Without APP_URL the server answers on whatever local address it is opened by (the demo,
    // the tests); a deployment names its public origin, which also makes cookies Secure.
    baseURL: config.appUrl ?? { allowedHosts: ["*"], protocol: "http" as const, fallback: "http://localhost" },
    trustedOrigins: config.appUrl ? [config.appUrl] : undefined,
    database: drizzleAdapter(db.orm, {
      provider: "pg",
      schema: { user: users, session: sessions, account: accounts, verification: verifications, apikey: apiKeys, rateLimit: rateLimits },
    }),
    telemetry: { enabled: false },
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 12, maxPasswordLength: 128, autoSignIn: false },
    session: {
      // The session ends after `idleSeconds` without a request: a use more than five minutes
      // (a quarter of a shorter idle time) after the last refresh pushes the end forward, so a
      // session writes at most once per five minutes. No cookie cache: a disabled user is out
      // at their next request.
      expiresIn: config.idleSeconds,
      updateAge: Math.min(300, Math.floor(config.idleSeconds / 4)),
    },
    account: {
      // A person signing in through the hospital's provider must already be a user here; the
      // provider's account is linked to the user of the same email. better-auth would first
      // ask that local email to be verified — a guard against a stranger registering someone
      // else's email in advance; here only an admin or the operator makes users, so there is
      // no such stranger, and the hospital's provider vouches for the email it sends.
      accountLinking: { enabled: true, trustedProviders: [OIDC_PROVIDER_ID], disableImplicitLinking: false, requireLocalEmailVerified: false },
    },
    rateLimit: {
      // On in every environment (better-auth turns it on in production only), kept in the
      // database so that it holds across restarts and servers. Per address and path.
      enabled: true,
      storage: "database" as const,
      window: 60,
      max: 300,
      customRules: { "/sign-in/email": { window: 60, max: 30 }, "/sign-in/social": { window: 60, max: 30 } },
    },
    advanced: {
      ipAddress: { ipAddressHeaders: ["x-forwarded-for"], trustedProxies: config.trustedProxies.length ? config.trustedProxies : undefined },
      useSecureCookies: config.appUrl?.startsWith("https:") ?? false,
      cookiePrefix: "dxa",
    },
    logger: {
      level: "error" as const,
      // A refused token is an answer (401), not a server error: its line is left out.
      log: (level: string, message: string, ...args: unknown[]) => {
        noteLoggedError(args);
        if (message.startsWith("Failed to validate API key")) return;
        console.error(`[auth] ${level}: ${message}`, ...args);
      },
    },
    plugins: [
      admin({ ac: accessControl, roles, adminRoles: ["admin"], defaultRole: "quality_officer", bannedUserMessage: "This account is disabled." }),
      apiKey({
        defaultPrefix: "dxa_",
        // A token lives 90 days unless its creator says otherwise, at most a year.
        keyExpiration: { defaultExpiresIn: tokenLifetimeSeconds(TOKEN_DEFAULT_DAYS), minExpiresIn: 1, maxExpiresIn: TOKEN_MAX_DAYS },
        // A runaway script is stopped at 600 requests a minute (better-auth's default is 10 a day).
        rateLimit: { enabled: true, timeWindow: 60_000, maxRequests: 600 },
        maximumNameLength: 64,
      }),
      ...(config.oidc
        ? [
            genericOAuth({
              config: [
                {
                  providerId: OIDC_PROVIDER_ID,
                  name: config.oidc.name,
                  discoveryUrl: `${config.oidc.issuer}/.well-known/openid-configuration`,
                  requireIdTokenVerification: true,
                  clientId: config.oidc.clientId,
                  clientSecret: config.oidc.clientSecret,
                  scopes: ["openid", "email", "profile"],
                  pkce: true,
                  disableImplicitSignUp: true,
                  disableSignUp: true,
                },
              ],
            }),
          ]
        : []),
    ],
    databaseHooks: {
      session: {
        create: {
          // Every way in (password, OpenID Connect) creates a session: one audit row each.
          async after(session, ctx) {
            const [user] = await db.query<{ email: string; role: string | null }>(`SELECT email, role FROM auth_users WHERE id = $1`, [session.userId]);
            await recordAudit(db, {
              userId: session.userId,
              actor: user?.email ?? session.userId,
              role: user?.role ?? null,
              tokenName: null,
              action: "sign_in",
              route: `${AUTH_BASE_PATH}${ctx?.path ?? ""}`,
              address: session.ipAddress ?? null,
              detail: ctx?.path?.startsWith("/callback") ? "OpenID Connect" : "email and password",
            });
          },
        },
      },
    },
    hooks: {
      // Failed sign-ins are limited per account and per address (SPEC section 10), counted in
      // the audit log, where each is recorded anyway: the limit holds across restarts and
      // servers, and for sign-ins made through auth.api as well as over HTTP.
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const email = normaliseEmail(ctx.body?.email);
        const address = ctx.headers ? getIP(ctx.headers, ctx.context.options) : null;
        const since = new Date(Date.now() - window * 1000);
        const failures = await countFailedSignIns(db, { email, address, since });
        if (failures.account < config.failuresPerAccount && failures.address < config.failuresPerAddress) return;
        const which = failures.account >= config.failuresPerAccount ? "this account" : "this address";
        await recordAudit(db, {
          userId: null,
          actor: email,
          role: null,
          tokenName: null,
          action: "sign_in_failed",
          route: `${AUTH_BASE_PATH}/sign-in/email`,
          address,
          detail: `refused: too many failed sign-ins for ${which}`,
        });
        throw new APIError("TOO_MANY_REQUESTS", {
          message: `Too many failed sign-ins. Wait ${Math.round(window / 60)} minutes and try again.`,
          code: "TOO_MANY_FAILED_SIGN_INS",
        });
      }),
      after: createAuthMiddleware(async (ctx) => {
        const returned = ctx.context.returned;
        const address = ctx.headers ? getIP(ctx.headers, ctx.context.options) : null;
        if (ctx.path === "/sign-in/email" && returned instanceof APIError) {
          await recordAudit(db, {
            userId: null,
            actor: normaliseEmail(ctx.body?.email),
            role: null,
            tokenName: null,
            action: "sign_in_failed",
            route: `${AUTH_BASE_PATH}/sign-in/email`,
            address,
            detail: returned.body?.code ? String(returned.body.code).toLowerCase() : returned.message,
          });
        }
        if (ctx.path.startsWith("/callback/") && !ctx.context.newSession) {
          await recordAudit(db, {
            userId: null,
            actor: "(OpenID Connect)",
            role: null,
            tokenName: null,
            action: "sign_in_failed",
            route: `${AUTH_BASE_PATH}${ctx.path}`,
            address,
            detail: returned instanceof APIError ? returned.message : "no user here for that account",
          });
        }
      }),
    },
  } satisfies BetterAuthOptions;
  return betterAuth(options);
}

export type Auth = ReturnType<typeof createAuth>;

/** Emails compare in lower case, as better-auth stores them. Control characters (a NUL cannot
 *  even be a database parameter) are kept as U+FFFD: such an email matches no user. */
export function normaliseEmail(value: unknown): string {
  return typeof value === "string" ? value.trim().toLowerCase().slice(0, 320).replace(/[\u0000-\u001f]/g, "\uFFFD") : "";
}
