// The servers the browser tests run against (started by scripts/e2e-server.ts) and the users
// signed in to them. Each server has a loopback address of its own, so that the browser keeps
// a session cookie per server (cookies are per host, not per port).

import type { Role } from "@/lib/access";

export type E2EServer = { name: string; host: string; port: number; url: string };

/** E2E_PORT_OFFSET moves every port, so that two runs can share a machine (two clones, or CI
 *  beside a developer's run). */
const PORT_OFFSET = Number(process.env.E2E_PORT_OFFSET ?? 0);

const server = (name: string, host: string, basePort: number): E2EServer => {
  const port = basePort + PORT_OFFSET;
  return { name, host, port, url: `http://${host}:${port}` };
};

/** The public deck on the embedded database. */
export const LOADED = server("loaded", "127.0.0.1", 3100);
/** Nothing imported. */
export const EMPTY = server("empty", "127.0.0.2", 3101);
/** 3,000 generated members. */
export const GENERATED = server("generated", "127.0.0.3", 3102);
/** The public deck on PostgreSQL (DATABASE_URL's server), when there is one. */
export const LOADED_POSTGRES = server("loaded-postgres", "127.0.0.4", 3103);

export const WITH_POSTGRES = Boolean(process.env.DATABASE_URL);
export const SERVERS: E2EServer[] = [LOADED, EMPTY, GENERATED, ...(WITH_POSTGRES ? [LOADED_POSTGRES] : [])];
/** The servers holding the public deck, one per engine. */
export const DECK_SERVERS: E2EServer[] = [LOADED, ...(WITH_POSTGRES ? [LOADED_POSTGRES] : [])];

/** The demo users (lib/auth/demo-users.ts) with the passwords the e2e servers give them. */
export const ACCOUNTS: Record<Role, { email: string; password: string }> = {
  quality_officer: { email: "quality.officer@example.org", password: "e2e quality officer password" },
  payer_relations: { email: "payer.relations@example.org", password: "e2e payer relations password" },
  data_steward: { email: "data.steward@example.org", password: "e2e data steward password" },
  admin: { email: "admin@example.org", password: "e2e admin password" },
};

export const ROLES: Role[] = ["quality_officer", "payer_relations", "data_steward", "admin"];

/** Browser state signed in as a role on every server (written by sign-in.setup.ts). */
export const storageStateOf = (role: Role) => `test-results/auth/${role}.json`;

/** API tokens of each role on each server, by server name (written by scripts/e2e-server.ts). */
export const TOKENS_FILE = "test-results/e2e-tokens.json";
export type Tokens = Record<string, Record<Role, string>>;
