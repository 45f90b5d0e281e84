import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Sql } from "@/db/client";
import { importFolder } from "@/lib/import";
import { getDimensions } from "@/lib/measures/dimensions";
import { countOrders } from "@/lib/orders";
import { countFindings } from "@/lib/reconciliation";
import { getViewContext } from "@/lib/views/context";
import { getByPayer, getFunnel, getHeadlines, getScanTiming, getTrend } from "@/lib/views/overview";
import { getDataView } from "@/lib/views/data";
import { getFractureMeasures, listOpenEpisodes } from "@/lib/views/fractures";
import { getOpenOrders } from "@/lib/views/open-orders";
import { getOrderingNpiView } from "@/lib/views/ordering-npi";
import { getPayerView } from "@/lib/views/payer";
import { getAllPayerRate } from "@/lib/views/trend";
import { parseWorklistPaging } from "@/lib/views/worklist";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { compute, QUALITY_OFFICER, viewerAs } from "../support/viewers";

// The one request context (SPEC section 10, STYLE "one request context"): a page's reads share
// the viewer, snapshot, payers, plans and claims lag it resolved once. Counted here: the
// statements each dashboard page sends for one request, on each engine: the page's own calls
// (app/*/page.tsx) over its context. (Before the context, an overview render sent about 77, 42
// of them re-reading payers and plans.) The bounds are this code's counts: a change that adds
// a statement to a page must say why here.

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

// The context alone is 6 statements, read by every page; the data page's 16 include
// its four lists of findings.
const REPORTS = 6, WORKLIST = 9, FRACTURES = 10, DATA = 16;

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

  const PERIOD = { from: "2025-01-01", to: "2025-12-31" };

  it("a fractures page sends at most 10 statements", async () => {
    const { db: counted, statements } = counting(db);
    const ctx = (await getViewContext(counted, QUALITY_OFFICER, PERIOD))!;
    await Promise.all([getFractureMeasures(ctx), getAllPayerRate(ctx, "post_fracture"), listOpenEpisodes(ctx)]);
    expect(statements.filter(readsDimensions)).toHaveLength(2);
    expect(statements.length).toBeLessThanOrEqual(FRACTURES);
  });

  it("a worklist page (its open orders and the ordering clinicians) sends at most 9 statements", async () => {
    const { db: counted, statements } = counting(db);
    const ctx = (await getViewContext(counted, QUALITY_OFFICER, PERIOD))!;
    const { paging, filters } = parseWorklistPaging({});
    const [orders] = await Promise.all([getOpenOrders(ctx, filters, paging), getOrderingNpiView(ctx)]);
    expect(orders.rows.length).toBeGreaterThan(0);
    expect(statements.filter(readsDimensions)).toHaveLength(2);
    expect(statements.length).toBeLessThanOrEqual(WORKLIST);
  });

  it("a data page sends at most 16 statements", async () => {
    const { db: counted, statements } = counting(db);
    const ctx = (await getViewContext(counted, QUALITY_OFFICER, PERIOD))!;
    const view = await getDataView(counted, QUALITY_OFFICER, ctx);
    expect(view.counts).not.toBeNull();
    expect(view.examples).not.toBeNull();
    expect(statements.length).toBeLessThanOrEqual(DATA);
  });

  it("a reports page reads its context alone: at most 6 statements", async () => {
    const { db: counted, statements } = counting(db);
    await getViewContext(counted, QUALITY_OFFICER, PERIOD);
    expect(statements.filter(readsDimensions)).toHaveLength(2);
    expect(statements.length).toBeLessThanOrEqual(REPORTS);
  });

  it("a viewer assigned no payer sees no row on any read path: the queries fail closed", async () => {
    // The request context refuses such a viewer before any read; below it, an empty scope must
    // still mean no payer, never every payer (as an empty filter does).
    const ctx = (await getViewContext(db, QUALITY_OFFICER, PERIOD))!;
    const nobody = { ...QUALITY_OFFICER, payerScope: [] };
    const measure = { measure: "order_follow_up", from: PERIOD.from, to: PERIOD.to, window: 90, asOf: ctx.asOf, groupBy: "payer" } as const;
    const orders = { asOf: ctx.asOf, from: PERIOD.from, to: PERIOD.to, window: 90, statuses: ["completed", "overdue", "in_window"] } as const;
    const findings = { asOf: ctx.asOf, from: PERIOD.from, to: PERIOD.to };
    // What the quality officer sees, so that the zeros below are not an empty deck's.
    expect((await compute(db, QUALITY_OFFICER, measure)).total.denominator).toBeGreaterThan(0);
    expect(await countOrders(db, QUALITY_OFFICER, orders)).toBeGreaterThan(0);

    expect((await compute(db, nobody, measure)).total.denominator).toBe(0);
    expect(await countOrders(db, nobody, orders)).toBe(0);
    expect((await getDimensions(db, nobody)).payers).toEqual([]);
    expect(Object.values(await countFindings(db, nobody, findings))).toEqual([0, 0, 0, 0]);
    expect(await listOpenEpisodes({ ...ctx, viewer: nobody })).toEqual([]);
  });

  it("a payer page's reads share the context too", async () => {
    const { db: counted, statements } = counting(db);
    const ctx = (await getViewContext(counted, viewerAs("payer_relations", ["aetna"]), { from: "2025-01-01", to: "2025-12-31" }))!;
    await getPayerView(ctx, "aetna");
    expect(statements.filter(readsDimensions)).toHaveLength(2);
    expect(statements.length).toBeLessThanOrEqual(16);
  });
});
