import { AUTH_BASE_PATH, PUBLIC_AUTH_PATHS } from "@/lib/auth/server";
import { getAuth } from "@/lib/auth/web";
import { plain } from "@/lib/http/responses";

// better-auth's HTTP routes, limited to those a browser reaches directly (lib/auth/server.ts):
// the sign-in forms' calls and the OpenID Connect callback. Everything else better-auth offers
// over HTTP (sign-up, its admin and key endpoints) is not served: users, roles and tokens
// change only through this product's own pages and commands, which check and audit them.
export const dynamic = "force-dynamic";

async function handle(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname.slice(AUTH_BASE_PATH.length);
  if (!PUBLIC_AUTH_PATHS.some((allowed) => allowed.test(path))) return plain(404, "Not found.");
  return (await getAuth()).handler(request);
}

export const GET = handle;
export const POST = handle;
