import { afterAll, describe, expect, it } from "vitest";
import { importFolder, type ImportOptions } from "@/lib/import";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { BASE_FILES, CLAIM_HEADER, NOW, WAREHOUSE_TABLES, csv, dumpWarehouse, removeImportFolders, writeImportFolder } from "../support/import-folders";

// A file small beside the table it refers to has its members and plans checked deferred: the
// ids it names are asked of the database after it is read, instead of every id of the table
// being read first (lib/import/known-ids.ts). Whichever way, the same problems, the same rows.

const UNKNOWN_MEMBER = "unknown member: not in members.csv of this import nor already loaded";
const UNKNOWN_PLAN = "unknown plan: not in plans.csv of this import nor already loaded";

// A paid office visit (no DXA code); `member`, `plan` and the received date vary.
const visit = (claim: string, member: string, plan = "AET-PPO", received = "2025-05-20") =>
  `${claim},1,1,${received},${member},${plan},professional,2025-05-10,99213,,11,paid,1,90.00,60.00,1234567893,Z00.00`;

// Line numbers are the file's: the header is line 1.
const REFRESH_WITH_UNKNOWN_IDS = {
  "members.csv": csv("member_id,birth_date,sex", "M7,1952-01-01,F"),
  "claim_lines.csv": csv(
    CLAIM_HEADER,
    visit("V1", "M1"), // 2
    visit("V2", "M404"), // 3: unknown
    visit("V3", "M404"), // 4: the same cell again (not looked up again)
    visit("V4", "M404"), // 5: and again
    visit("V5", "M2"), // 6
    visit("V6", "M404"), // 7: unknown again, after another member
    visit("V7", "M7"), // 8: a member of this import's members.csv
    visit("V8", "M405", "AET-PPO", "2025-13-01"), // 9: unknown, and a bad received date
    visit("V9", "M1", "NOPE-PLAN"), // 10: an unknown plan
    `"V10",1,1,2025-05-20,M406,AET-PPO,professional,2025-05-10,99213,,11,paid,1,90.00,60.00,1234567893,Z00.00`, // 11: quoted: the text reader from here on
    visit("V11", "M406"), // 12: the text reader's repeated cell
    visit("V12", "M3"), // 13
  ),
};

const unknownMember = (line: number, id: string) => `claim_lines.csv:${line}: member_id: ${id}: ${UNKNOWN_MEMBER}`;

describe.each(ENGINES)("references checked deferred or against the loaded ids, on %s", (engine) => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of databases) await db.dispose();
    removeImportFolders();
  });

  /** A warehouse holding the base files (members M1–M3). */
  async function baseWarehouse(): Promise<TestDatabase> {
    const db = await freshDatabase(engine);
    databases.push(db);
    const base = await importFolder(db, writeImportFolder(BASE_FILES), { importedBy: "test", now: NOW });
    expect(base.ok).toBe(true);
    return db;
  }

  const importWith = (db: TestDatabase, files: Record<string, string>, options: Pick<ImportOptions, "deferReferences">) =>
    importFolder(db, writeImportFolder(files), { importedBy: "test", now: NOW, ...options });

  it("a refresh naming unknown members and plans is refused with every such line named, the same either way", async () => {
    const db = await baseWarehouse();
    const before = await dumpWarehouse(db);
    const deferred = await importWith(db, REFRESH_WITH_UNKNOWN_IDS, { deferReferences: true });
    const loaded = await importWith(db, REFRESH_WITH_UNKNOWN_IDS, { deferReferences: false });
    for (const result of [deferred, loaded]) {
      expect(result.ok).toBe(false);
      const references = result.problems.filter((p) => p.includes("unknown"));
      expect(references.sort()).toEqual(
        [
          unknownMember(3, "M404"),
          unknownMember(4, "M404"),
          unknownMember(5, "M404"),
          unknownMember(7, "M404"),
          unknownMember(9, "M405"),
          `claim_lines.csv:10: plan_id: NOPE-PLAN: ${UNKNOWN_PLAN}`,
          unknownMember(11, "M406"),
          unknownMember(12, "M406"),
        ].sort(),
      );
      // Line 9's bad date is reported beside its unknown member; nothing else is wrong.
      expect(result.problems.filter((p) => !p.includes("unknown"))).toEqual([expect.stringMatching(/^claim_lines\.csv:9: received_date: 2025-13-01: /)]);
      expect(result.problemCount).toBe(9);
    }
    // Deferred, the unknown ids are reported after the file's other problems, in line order.
    expect(deferred.problems.filter((p) => p.includes("unknown")).map((p) => Number(p.split(":")[1]))).toEqual([3, 4, 5, 7, 9, 10, 11, 12]);
    // Refused whole: the rows written before the check are taken back with everything else.
    expect(await dumpWarehouse(db)).toEqual(before);
  });

  it("a valid refresh loads the same rows and derives the same facts either way", async () => {
    const refresh = { "claim_lines.csv": csv(CLAIM_HEADER, visit("V1", "M1"), visit("V2", "M2"), visit("V3", "M2"), visit("V4", "M3", "MCR-B")) };
    const dumps = [];
    for (const deferReferences of [true, false]) {
      const db = await baseWarehouse();
      const result = await importWith(db, refresh, { deferReferences });
      expect(result.ok, result.problems.join("\n")).toBe(true);
      expect(result.files.map((f) => [f.file, f.new])).toEqual([["claim_lines.csv", 4]]);
      // Every table but the snapshot's log row, whose build time differs.
      dumps.push(await dumpWarehouse(db, Object.keys(WAREHOUSE_TABLES).filter((t) => t !== "derived_snapshots")));
    }
    expect(dumps[0]).toEqual(dumps[1]);
  });

  it("a file that turns out not to be text is that one problem: the unknown members read before its bad byte are not reported", async () => {
    const db = await baseWarehouse();
    const text = csv(CLAIM_HEADER, visit("V1", "M404"), `${visit("V2", "M1")}\r`, visit("V3", "M404"));
    const bytes = Buffer.concat([Buffer.from(text), Buffer.from([0x9f, 0x1e])]);
    for (const deferReferences of [true, false]) {
      const result = await importFolder(db, writeImportFolder({ "claim_lines.csv": bytes }), { importedBy: "test", now: NOW, deferReferences });
      expect(result.ok).toBe(false);
      expect(result.problems).toEqual([expect.stringMatching(/^claim_lines\.csv:1: -: : .*UTF-8/)]);
    }
  });

  it("a first load read twice (its duplicate key sends it through staging) reports each unknown line once", async () => {
    const db = await freshDatabase(engine);
    databases.push(db);
    const { "claim_lines.csv": _claims, ...reference } = BASE_FILES;
    expect((await importWith(db, reference, {})).ok).toBe(true);
    const claims = csv(CLAIM_HEADER, visit("V1", "M1"), visit("V2", "M404"), visit("V1", "M1"));
    const result = await importWith(db, { "claim_lines.csv": claims }, { deferReferences: true });
    expect(result.ok).toBe(false);
    expect(result.problems.filter((p) => p.includes("unknown"))).toEqual([unknownMember(3, "M404")]);
    expect(result.problems.filter((p) => p.includes("duplicate key"))).toHaveLength(1);
    expect(result.problemCount).toBe(2);
  });
});
