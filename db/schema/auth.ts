import { bigint, boolean, index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { identifier } from "./identifier";
import { payers } from "./payers";

// Sign-in (SPEC section 10), as better-auth's Drizzle adapter expects its models: `user`,
// `session`, `account`, `verification`, the api-key plugin's `apikey` and the rate limiter's
// `rateLimit` (lib/auth/server.ts maps them by these property names). Written from the models
// that better-auth 1.7 declares for this configuration (its schema generator needs Node 22);
// the adapter's own schema check runs against them in test/integration/auth.test.ts.
// SQL names are prefixed `auth_`, so that `user` (a reserved word) names no table.

const timestamps = () => ({
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
});

export const users = pgTable("auth_users", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  ...timestamps(),
  // The admin plugin's fields: the role (lib/auth/roles.ts) and "disabled" (banned).
  role: text("role"),
  banned: boolean("banned").default(false),
  banReason: text("ban_reason"),
  banExpires: timestamp("ban_expires", { withTimezone: true }),
});

export const sessions = pgTable(
  "auth_sessions",
  {
    id: text("id").primaryKey(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    token: text("token").notNull().unique(),
    ...timestamps(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    impersonatedBy: text("impersonated_by"),
  },
  // A user's sessions are ended together when the user is disabled.
  (t) => [index("auth_sessions_user_id_idx").on(t.userId)],
);

/** How a user signs in: `credential` (email and password, the hash in `password`) or the
 *  hospital's identity provider. */
export const accounts = pgTable(
  "auth_accounts",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: timestamp("access_token_expires_at", { withTimezone: true }),
    refreshTokenExpiresAt: timestamp("refresh_token_expires_at", { withTimezone: true }),
    scope: text("scope"),
    password: text("password"),
    ...timestamps(),
  },
  // Sign-in finds a user's credential account.
  (t) => [index("auth_accounts_user_id_idx").on(t.userId)],
);

/** Short-lived values of the OpenID Connect round trip (state, PKCE verifier). */
export const verifications = pgTable(
  "auth_verifications",
  {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    ...timestamps(),
  },
  // The OIDC callback looks its state up by identifier.
  (t) => [index("auth_verifications_identifier_idx").on(t.identifier)],
);

/** API tokens (SPEC section 10): only a hash of the key is stored; `start` is its first
 *  characters, so that a user can tell tokens apart. `referenceId` is the owner's user id. */
export const apiKeys = pgTable(
  "auth_api_keys",
  {
    id: text("id").primaryKey(),
    configId: text("config_id").notNull().default("default"),
    name: text("name"),
    start: text("start"),
    referenceId: text("reference_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    prefix: text("prefix"),
    key: text("key").notNull(),
    refillInterval: integer("refill_interval"),
    refillAmount: integer("refill_amount"),
    lastRefillAt: timestamp("last_refill_at", { withTimezone: true }),
    enabled: boolean("enabled").default(true),
    rateLimitEnabled: boolean("rate_limit_enabled").default(true),
    rateLimitTimeWindow: bigint("rate_limit_time_window", { mode: "number" }),
    rateLimitMax: integer("rate_limit_max"),
    requestCount: integer("request_count").default(0),
    remaining: integer("remaining"),
    lastRequest: timestamp("last_request", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    ...timestamps(),
    permissions: text("permissions"),
    metadata: text("metadata"),
  },
  (t) => [
    // Every request with a bearer token looks its hash up.
    index("auth_api_keys_key_idx").on(t.key),
    // A user's token list.
    index("auth_api_keys_reference_id_idx").on(t.referenceId),
  ],
);

/** better-auth's request rate limiter, kept in the database so that it holds across restarts
 *  and processes. `lastRequest` is milliseconds since the epoch, as the limiter writes it. */
export const rateLimits = pgTable("auth_rate_limits", {
  id: text("id").primaryKey(),
  key: text("key").notNull().unique(),
  count: integer("count").notNull(),
  lastRequest: bigint("last_request", { mode: "number" }).notNull(),
});

/** The payers a payer-relations user may see (SPEC section 10); other roles see every payer
 *  and have no rows here. */
export const userPayers = pgTable(
  "user_payers",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    payerKey: identifier("payer_key")
      .notNull()
      .references(() => payers.key),
  },
  (t) => [primaryKey({ columns: [t.userId, t.payerKey] })],
);
