import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { claimLine, importFixture } from "../support/fixture-folder";

// Identifiers compare byte by byte whatever the database's collation (db/schema/identifier.ts),
// and the loads that drop indexes to build them once afterwards (db/indexes.ts: the first
// import on PGlite, every derived-facts rebuild) put every one of them back.

const IDENTIFIER_COLUMNS = ["claim_id", "member_id", "plan_id", "order_id", "payer_key", "procedure_code"];

const indexDefinitions = (db: TestDatabase) =>
  db.query<{ def: string }>(
    `SELECT indexdef AS def FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`,
  );

describe.each(ENGINES)("warehouse schema on %s", (engine) => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase(engine);
  });
  afterAll(() => db?.dispose());

  it("gives every identifier column the C collation and leaves names to the database's", async () => {
    const columns = await db.query<{ table_name: string; column_name: string; collation_name: string | null }>(
      `SELECT table_name, column_name, collation_name FROM information_schema.columns
       WHERE table_schema = current_schema() AND data_type = 'text'
         AND (column_name = ANY ($1::text[]) OR (table_name, column_name) IN (('payers', 'key'), ('plans', 'plan_name')))
       ORDER BY table_name, column_name`,
      [IDENTIFIER_COLUMNS],
    );
    const identifiers = columns.filter((c) => c.column_name !== "plan_name");
    // Every table that holds one: claims, members, coverage, orders, plans, payers, derived facts.
    expect(identifiers.length).toBeGreaterThanOrEqual(30);
    expect(identifiers.filter((c) => c.collation_name !== "C")).toEqual([]);
    expect(columns.find((c) => c.column_name === "plan_name")?.collation_name ?? null).toBeNull();
  });

  it("has no table docs/citus.md does not place (distributed, reference or local)", async () => {
    const citus = readFileSync(path.resolve(import.meta.dirname, "../../docs/citus.md"), "utf8");
    const tables = await db.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`);
    expect(tables.length).toBeGreaterThan(30);
    expect(tables.map((t) => t.name).filter((name) => !citus.includes(`\`${name}\``))).toEqual([]);
  });

  it("has the same indexes after a first import and its derivation as the migrations made", async () => {
    const migrated = await indexDefinitions(db);
    expect(migrated.length).toBeGreaterThan(10);
    await importFixture(db, {
      "plans.csv": [{ plan_id: "P1", payer: "Aetna", plan_name: "Aetna PPO", product_line: "commercial" }],
      "members.csv": [{ member_id: "M1", birth_date: "1950-01-01", sex: "F" }],
      "coverage.csv": [{ member_id: "M1", plan_id: "P1", start_date: "2020-01-01", end_date: "" }],
      "orders.csv": [{ order_id: "O1", member_id: "M1", order_date: "2025-02-01" }],
      "claim_lines.csv": [
        claimLine({ claim_id: "C1", member_id: "M1", plan_id: "P1", service_date: "2025-03-01", received_date: "2025-03-10", procedure_code: "77080" }),
      ],
    });
    const [facts] = await db.query<{ studies: number; orders: number }>(
      `SELECT (SELECT count(*) FROM dxa_studies)::int AS studies, (SELECT count(*) FROM order_facts)::int AS orders`,
    );
    expect(facts).toEqual({ studies: 1, orders: 1 });
    expect(await indexDefinitions(db)).toEqual(migrated);
  });
});
