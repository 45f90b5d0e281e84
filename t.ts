console.error("start");
import { generateDataset } from "./lib/generate";
const t = performance.now();
await generateDataset({ members: 20000, seed: 1, outDir: "/tmp/gy/all-files" });
console.error("done", performance.now() - t);
