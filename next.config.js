/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite loads its WebAssembly and data files relative to its own module URL; bundling it
  // breaks that (ERR_INVALID_ARG_TYPE … URL at run time), so it stays a plain Node require.
  serverExternalPackages: ["@electric-sql/pglite", "postgres"],
  // The build type-checks the application only; tests and scripts are checked by
  // `npm run typecheck` (part of `npm test`).
  typescript: { tsconfigPath: "tsconfig.app.json" },
};
export default nextConfig;
