/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite loads its WebAssembly and data files relative to its own module URL; bundling it
  // breaks that (ERR_INVALID_ARG_TYPE … URL at run time), so it stays a plain Node require.
  serverExternalPackages: ["@electric-sql/pglite", "postgres"],
  // The build type-checks the application only; tests and scripts are checked by
  // `npm run typecheck` (part of `npm test`).
  typescript: { tsconfigPath: "tsconfig.app.json" },
  // No X-Powered-By (SPEC section 10); the other safety headers are set by proxy.ts.
  poweredByHeader: false,
  experimental: {
    // forbidden() answers a page outside the viewer's role or payer assignment with 403 and
    // app/forbidden.tsx.
    authInterrupts: true,
  },
};
export default nextConfig;
