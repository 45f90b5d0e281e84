import type { Viewer } from "../access";

/** Whom the benchmark reads as: a quality officer over every payer, as a signed-in one would
 *  be. It is never built from a request (the benchmark runs on the operator's machine). */
export const BENCHMARK_VIEWER: Viewer = {
  userId: "benchmark",
  email: "benchmark@localhost",
  name: "Benchmark",
  role: "quality_officer",
  payerScope: null,
  tokenName: null,
  address: null,
};
