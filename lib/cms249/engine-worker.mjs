// A worker thread of the CMS249 pool (workers.ts): loads the measure package once, then
// evaluates the batches it is sent.
import { readFileSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { evaluateBundles } from "./engine-core.mjs";

const measureBundle = JSON.parse(readFileSync(workerData.measureBundlePath, "utf8"));

parentPort.on("message", async ({ id, bundles, period }) => {
  try {
    parentPort.postMessage({ id, results: await evaluateBundles(measureBundle, bundles, period) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
