import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sql } from "@/db/client";
import { importFolder } from "@/lib/import";
import { getViewContext } from "@/lib/views/context";
import { getByPayer, getFunnel, getHeadlines, getScanTiming, getTrend } from "@/lib/views/overview";
import { getPayerView } from "@/lib/views/payer";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { QUALITY_OFFICER, viewerAs } from "../support/viewers";

// The one request context (SPEC section 10, STYLE "one request context"): a page's reads share
// the viewer, snapshot, payers, plans and claims lag it resolved once. Counted here: the
// statements an overview and a payer page send for one request, on each engine. (Before the
// context, an overview render sent about 77, 42 of them re-reading payers and plans.)

const DECK = path.resolve(import.meta.dirname, "../fixtures/public-deck/data");

/** The database, counting every statement sent through it. */
function counting(db: Sql): { db: Sql; statements: string[] } {
  const statements: string[] = [];
  const wrapped: Sql = {
    engine: db.engine,
    query: (text, params) => {
      statements.push(text);
      return db.query(text, params);
    },
    exec: (text) => {
      statements.push(text);
      return db.exec(text);
    },
    copyIn: db.copyIn.bind(db),
    transaction: db.transaction.bind(db),
  };
  return { db: wrapped, statements };
}

const readsDimensions = (text: string) => /FROM payers\b/.test(text) || /FROM plans pl JOIN payers/.test(text);

describe.each(ENGINES)("one request context on %s", (engine) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase(engine);
    expect((await importFolder(db, DECK, { importedBy: "test" })).ok).toBe(true);
    // The first render after an import computes screening once per snapshot build; count the
    // renders after it, as every later visitor pays them.
    await renderOverview(db);
  });
  afterAll(() => db?.dispose());

  async function renderOverview(database: Sql, viewer = QUALITY_OFFICER) {
    const ctx = (await getViewContext(database, viewer, { from: "2025-01-01", to: "2025-12-31" }))!;
    const inView = ctx.dims.payers.filter((p) => p.key !== "unknown");
    return Promise.all([getHeadlines(ctx), getByPayer(ctx), getFunnel(ctx), getTrend(ctx, inView), getScanTiming(ctx)]);
  }

  it("an overview render reads payers and plans once and sends at most 25 statements", async () => {
    const { db: counted, statements } = counting(db);
    await renderOverview(counted);
    expect(statements.filter(readsDimensions)).toHaveLength(2); // the payers, the plans: once each
    expect(statements.length).toBeLessThanOrEqual(25);
  });

  it("the headline and the funnel ask the same question once; the trend's payer lines are one statement", async () => {
    const { db: counted, statements } = counting(db);
    const [headlines, , funnel, trend] = await renderOverview(counted);
    const followUp = headlines.find((h) => h.measure === "order_follow_up")!;
    expect(funnel.ordersMature.value).toBe(followUp.current.denominator);
    expect(trend.payers.length).toBeGreaterThan(4);
    // One grouped statement for every payer's monthly line (it groups by payer and month).
    expect(statements.filter((s) => /GROUP BY payer_key, month/.test(s))).toHaveLength(1);
  });

  it("a payer page's reads share the context too", async () => {
    const { db: counted, statements } = counting(db);
    const ctx = (await getViewContext(counted, viewerAs("payer_relations", ["aetna"]), { from: "2025-01-01", to: "2025-12-31" }))!;
    await getPayerView(ctx, "aetna");
    expect(statements.filter(readsDimensions)).toHaveLength(2);
    expect(statements.length).toBeLessThanOrEqual(16);
  });
});
