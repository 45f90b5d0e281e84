import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

// A stand-in for a hospital's OpenID Connect provider, for the sign-in tests: discovery, keys,
// the token endpoint (authorization code with PKCE) and user info. The test plays the person
// at the provider's sign-in page: `approve` turns an authorization URL into the code the
// provider would send back, for the email the person signed in with.

type Grant = { email: string; nonce: string | null; codeChallenge: string | null; clientId: string; redirectUri: string };

export type StubIssuer = {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The callback URL the browser would be sent to after signing in at the provider. */
  approve(authorizationUrl: string, email: string): string;
  close(): Promise<void>;
};

export async function startStubIssuer(): Promise<StubIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "stub-1", alg: "RS256", use: "sig" };
  const clientId = "dxa-tracker";
  const clientSecret = randomBytes(16).toString("hex");
  const grants = new Map<string, Grant>();
  const accessTokens = new Map<string, string>();
  let url = "";

  const server: Server = createServer(async (request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    const path = new URL(request.url ?? "/", url).pathname;
    if (path === "/.well-known/openid-configuration") {
      return send(200, {
        issuer: url,
        authorization_endpoint: `${url}/authorize`,
        token_endpoint: `${url}/token`,
        userinfo_endpoint: `${url}/userinfo`,
        jwks_uri: `${url}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
      });
    }
    if (path === "/jwks") return send(200, { keys: [jwk] });
    if (path === "/token" && request.method === "POST") {
      let body = "";
      for await (const chunk of request) body += chunk;
      const form = new URLSearchParams(body);
      const basic = request.headers.authorization?.replace(/^Basic /, "");
      const [id, secret] = basic ? Buffer.from(basic, "base64").toString().split(":").map(decodeURIComponent) : [form.get("client_id"), form.get("client_secret")];
      const grant = grants.get(form.get("code") ?? "");
      if (id !== clientId || secret !== clientSecret || !grant) return send(400, { error: "invalid_grant" });
      grants.delete(form.get("code")!);
      const verifier = form.get("code_verifier") ?? "";
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      if (grant.codeChallenge && challenge !== grant.codeChallenge) return send(400, { error: "invalid_grant", error_description: "PKCE" });
      const accessToken = randomBytes(16).toString("hex");
      accessTokens.set(accessToken, grant.email);
      const idToken = await new SignJWT({ email: grant.email, email_verified: true, name: grant.email.split("@")[0], ...(grant.nonce ? { nonce: grant.nonce } : {}) })
        .setProtectedHeader({ alg: "RS256", kid: "stub-1" })
        .setIssuer(url)
        .setAudience(clientId)
        .setSubject(`sub-${grant.email}`)
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(privateKey);
      return send(200, { access_token: accessToken, token_type: "Bearer", expires_in: 300, id_token: idToken, scope: "openid email profile" });
    }
    if (path === "/userinfo") {
      const email = accessTokens.get(request.headers.authorization?.replace(/^Bearer /, "") ?? "");
      if (!email) return send(401, { error: "invalid_token" });
      return send(200, { sub: `sub-${email}`, email, email_verified: true, name: email.split("@")[0] });
    }
    send(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    clientId,
    clientSecret,
    approve(authorizationUrl, email) {
      const asked = new URL(authorizationUrl);
      if (`${asked.origin}${asked.pathname}` !== `${url}/authorize`) throw new Error(`not this provider's authorization URL: ${authorizationUrl}`);
      const code = randomBytes(12).toString("hex");
      const redirectUri = asked.searchParams.get("redirect_uri")!;
      grants.set(code, {
        email,
        nonce: asked.searchParams.get("nonce"),
        codeChallenge: asked.searchParams.get("code_challenge"),
        clientId: asked.searchParams.get("client_id")!,
        redirectUri,
      });
      const back = new URL(redirectUri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", asked.searchParams.get("state")!);
      back.searchParams.set("iss", url);
      return back.toString();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
