import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { importFolder } from "@/lib/import";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { ndjson, patient } from "../support/fhir-folders";
import { BASE_FILES, NOW, countImportBatches, csv, dumpWarehouse, removeImportFolders, writeImportFolder } from "../support/import-folders";

// Issue 13, item 22: a dry run does everything an import does — reads, checks, upserts — and
// reports new, changed and unchanged rows per file with a sample of the changed rows (old and
// new values of the columns that change), then rolls back: the warehouse, the payers and the
// import log are as they were, and it takes no import number.

vi.setConfig({ testTimeout: 60_000 });
afterAll(() => removeImportFolders());

const MEMBERS_HEADER = "member_id,birth_date,sex";

// The base warehouse changed in three files (worked out against BASE_FILES by hand):
// plans.csv: AET-PPO renamed (line 2) and a plan of a new payer (line 5);
// members.csv: M2 born a day later and M (line 3), M4 new (line 5);
// claim_lines.csv: C2 (line 3) denied instead of paid.
const CHANGED = {
  "plans.csv": `${BASE_FILES["plans.csv"].replace("Aetna Choice POS II", "Aetna Choice POS III")}HUM-1,Humana,Humana Gold,medicare_advantage\n`,
  "members.csv": csv(MEMBERS_HEADER, "M1,1950-03-15,F", "M2,1948-11-03,M", "M3,1960-07-20,M", "M4,1944-04-04,F"),
  "claim_lines.csv": BASE_FILES["claim_lines.csv"].replace(
    "C2,1,1,2025-02-20,M1,AET-PPO,professional,2025-02-14,77080,,22,paid,",
    "C2,1,1,2025-02-20,M1,AET-PPO,professional,2025-02-14,77080,,22,denied,",
  ),
};

describe.each(ENGINES)("a dry run, on %s", (engine) => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await freshDatabase(engine);
    expect((await importFolder(db, writeImportFolder(BASE_FILES), { importedBy: "base", now: NOW })).ok).toBe(true);
  });
  afterEach(() => db?.dispose());

  const logRows = () => db.query(`SELECT * FROM import_batches ORDER BY id`);

  it("reports what would change, file by file, and changes nothing", async () => {
    const before = await dumpWarehouse(db);
    const log = await logRows();
    const folder = writeImportFolder(CHANGED);
    const dry = await importFolder(db, folder, { importedBy: "steward", now: NOW, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, ok: true, batchId: null, problems: [], problemCount: 0, snapshot: null });
    expect(dry.files.map((f) => ({ file: f.file, rows: f.rows, new: f.new, changed: f.changed, unchanged: f.unchanged, changes: f.changes }))).toEqual([
      {
        file: "plans.csv",
        rows: 4,
        new: 1,
        changed: 1,
        unchanged: 2,
        changes: [{ line: 2, key: { plan_id: "AET-PPO" }, changes: [{ column: "plan_name", old: "Aetna Choice POS II", new: "Aetna Choice POS III" }] }],
      },
      {
        file: "members.csv",
        rows: 4,
        new: 1,
        changed: 1,
        unchanged: 2,
        changes: [
          {
            line: 3,
            key: { member_id: "M2" },
            changes: [
              { column: "birth_date", old: "1948-11-02", new: "1948-11-03" },
              { column: "sex", old: "F", new: "M" },
            ],
          },
        ],
      },
      {
        file: "claim_lines.csv",
        rows: 8,
        new: 0,
        changed: 1,
        unchanged: 7,
        changes: [
          {
            line: 3,
            key: { claim_id: "C2", received_date: "2025-02-20", frequency_code: "1", line_number: "1" },
            changes: [{ column: "line_status", old: "paid", new: "denied" }],
          },
        ],
      },
    ]);
    // Nothing kept: not a row, not the new payer, not a log row.
    expect(await dumpWarehouse(db)).toEqual(before);
    expect(await logRows()).toEqual(log);

    // The import itself then reports the same counts, under the next number.
    const real = await importFolder(db, folder, { importedBy: "steward", now: NOW });
    expect(real.batchId).toBe(2);
    expect(real.files.map((f) => [f.file, f.rows, f.new, f.changed, f.unchanged])).toEqual(dry.files.map((f) => [f.file, f.rows, f.new, f.changed, f.unchanged]));
  });

  it("shows the first 20 changed rows of a file, in line order, and counts them all", async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `M${10 + i}`);
    expect((await importFolder(db, writeImportFolder({ "members.csv": csv(MEMBERS_HEADER, ...ids.map((id) => `${id},1950-01-01,F`)) }), { importedBy: "t", now: NOW })).ok).toBe(true);
    const dry = await importFolder(db, writeImportFolder({ "members.csv": csv(MEMBERS_HEADER, ...ids.map((id) => `${id},1950-01-01,M`)) }), { importedBy: "t", now: NOW, dryRun: true });
    const [members] = dry.files;
    expect([members!.changed, members!.changes.length]).toEqual([25, 20]);
    expect(members!.changes.map((c) => c.line)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    expect(members!.changes[0]).toEqual({ line: 2, key: { member_id: "M10" }, changes: [{ column: "sex", old: "F", new: "M" }] });
  });

  it("a folder the import would refuse: the same problems, nothing logged", async () => {
    const batches = await countImportBatches(db);
    const dry = await importFolder(db, writeImportFolder({ "members.csv": csv(MEMBERS_HEADER, "M5,2099-01-01,F"), "notes.txt": "x" }), { importedBy: "t", now: NOW, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, ok: false, batchId: null, unreadFiles: ["notes.txt"], problemCount: 2 });
    expect(dry.problems.map((p) => p.split(": ").slice(0, 2).join(": "))).toEqual(["notes.txt:1: -", "members.csv:2: birth_date"]);
    expect(dry.files.map((f) => [f.file, f.rows, f.changes])).toEqual([["members.csv", 1, []]]);
    expect(await countImportBatches(db)).toBe(batches);
  });

  it("FHIR resources: the rows they would become, with their changes", async () => {
    const before = await dumpWarehouse(db);
    const dry = await importFolder(db, writeImportFolder({ "Patient.ndjson": ndjson(patient("M1", "1950-03-16", "female"), patient("M9", "1970-01-01", "male")) }), {
      importedBy: "t",
      now: NOW,
      dryRun: true,
    });
    expect(dry.problems).toEqual([]);
    expect(dry.files.map((f) => [f.file, f.rows, f.new, f.changed, f.unchanged])).toEqual([["Patient.ndjson", 2, 2, 0, 0]]);
    expect(dry.mapped).toEqual([
      {
        table: "members",
        rows: 2,
        new: 1,
        changed: 1,
        unchanged: 0,
        changes: [{ line: 1, key: { member_id: "M1" }, changes: [{ column: "birth_date", old: "1950-03-15", new: "1950-03-16" }] }],
      },
    ]);
    expect(await dumpWarehouse(db)).toEqual(before);
  });
});
