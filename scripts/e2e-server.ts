// The servers the browser tests run against: one over the public test deck, one empty.
// Each gets a fresh embedded database of its own under test-results/.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { openDatabase } from "@/db/client";
import { generateDataset } from "@/lib/generate";
import { importFolder } from "@/lib/import";

const ROOT = process.cwd();
const NEXT = path.join(ROOT, "node_modules", ".bin", "next");
const DECK = path.join(ROOT, "test", "fixtures", "public-deck", "data");
// A synthetic data set from the generator, as a user would load one (fixed seed: same files).
const GENERATED = path.join(ROOT, "test-results", "e2e-generated-files");
const SERVERS = [
  { name: "loaded", port: 3100, folder: DECK },
  { name: "generated", port: 3102, folder: GENERATED },
  { name: "empty", port: 3101, folder: null },
] as const;

async function main(): Promise<void> {
  if (!process.env.E2E_SKIP_BUILD) {
    const build = spawnSync(NEXT, ["build"], { stdio: "inherit" });
    if (build.status !== 0) throw new Error("next build failed");
  }
  rmSync(GENERATED, { recursive: true, force: true });
  await generateDataset({ members: 3000, seed: 11, outDir: GENERATED });
  const children: ChildProcess[] = [];
  for (const server of SERVERS) {
    const dataDir = path.join(ROOT, "test-results", `e2e-${server.name}`, "pglite");
    rmSync(path.dirname(dataDir), { recursive: true, force: true });
    const db = await openDatabase({ dataDir, purpose: "e2e set-up" });
    if (server.folder) {
      const result = await importFolder(db, server.folder, { importedBy: "e2e" });
      if (!result.ok) throw new Error(`e2e data did not import:\n${result.problems.join("\n")}`);
    }
    await db.close();
    const { DATABASE_URL: _embeddedOnly, ...inherited } = process.env;
    const env = { ...inherited, DXA_DATA_DIR: dataDir, PORT: String(server.port) };
    children.push(spawn(NEXT, ["start", "-H", "127.0.0.1", "-p", String(server.port)], { stdio: "inherit", env }));
  }
  const stop = () => {
    for (const child of children) child.kill("SIGTERM");
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  for (const child of children) child.on("exit", (code) => code && process.exit(code));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
