import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { importFolder } from "@/lib/import";
import { getWarehouseSummary } from "@/lib/warehouse/summary";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { claimLine, importFixture, writeFixtureFolder } from "../support/fixture-folder";
import { QUALITY_OFFICER } from "../support/viewers";

// What the data page says the warehouse holds is remembered per snapshot build
// (lib/warehouse/summary.ts): a second import must be seen at once, a rejected one changes
// nothing but the last import shown.

const plans = [{ plan_id: "P-AET", payer: "Aetna", plan_name: "Aetna PPO", product_line: "commercial" }];
const member = (member_id: string) => ({ member_id, birth_date: "1950-01-01", sex: "F" });
const covered = (member_id: string) => ({ member_id, plan_id: "P-AET", start_date: "2020-01-01", end_date: "" });
const visit = (claim_id: string, member_id: string) =>
  claimLine({ claim_id, member_id, plan_id: "P-AET", service_date: "2025-03-01", received_date: "2025-03-10", procedure_code: "99213" });

describe.each(ENGINES)("warehouse summary on %s", (engine) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase(engine);
  });
  afterAll(() => db?.dispose());

  it("counts what each import added, and keeps them through a rejected import", async () => {
    await importFixture(db, { "plans.csv": plans, "members.csv": [member("M1")], "coverage.csv": [covered("M1")], "claim_lines.csv": [visit("C1", "M1")] });
    const first = await getWarehouseSummary(db, QUALITY_OFFICER);
    expect(first).toMatchObject({ members: 1, plans: 1, ehrOrders: 0, claimLines: 1, asOf: "2025-03-10" });
    expect(first.payers.find((p) => p.payerKey === "aetna")).toMatchObject({ plans: 1, members: 1 });
    expect(await getWarehouseSummary(db, QUALITY_OFFICER)).toEqual(first); // remembered, the same

    await importFixture(db, { "members.csv": [member("M2")], "coverage.csv": [covered("M2")], "claim_lines.csv": [visit("C2", "M2"), visit("C3", "M2")] });
    const second = await getWarehouseSummary(db, QUALITY_OFFICER);
    expect(second).toMatchObject({ members: 2, claimLines: 3 });
    expect(second.payers.find((p) => p.payerKey === "aetna")).toMatchObject({ members: 2 });

    const folder = writeFixtureFolder({ "members.csv": [member("M3"), { member_id: "M4", birth_date: "not a date", sex: "F" }] });
    onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
    const rejected = await importFolder(db, folder, { importedBy: "test" });
    expect(rejected.ok).toBe(false);
    const third = await getWarehouseSummary(db, QUALITY_OFFICER);
    expect(third).toMatchObject({ members: 2, claimLines: 3, lastImport: { outcome: "rejected" } });
  });
});
