import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Viewer } from "@/lib/access";
import { importFolder } from "@/lib/import";
import {
  countOrders,
  listOrders,
  MemberLevelAccessError,
  openOrderCursor,
  ORDER_SORT_KEYS,
  type OrderQuery,
  type OrderRow,
  type OrderSortKey,
} from "@/lib/orders";
import { csvStream, ORDERS_COLUMNS, orderRecord } from "@/lib/reports";
import type { Sql } from "@/db/client";
import { READ_AHEAD, type RowCursor } from "@/db/cursor";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { QUALITY_OFFICER, viewerAs } from "../support/viewers";

// lib/orders (member-level reads: a sorted, paginated list, its count, a cursor) and the CSV
// stream under orders.csv: one batch in memory at a time, read only as fast as the client
// takes it, and the database transaction closed however the download ends.

const DECK = path.resolve(import.meta.dirname, "../fixtures/public-deck/data");
const AS_OF = "2026-06-25";
const EVERYTHING: OrderQuery = { asOf: AS_OF, from: "2024-01-01", to: AS_OF, window: 90 };

/** Resolves or fails after `ms`: a query that waits on a transaction left open would hang. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms))]);
}

describe.each(ENGINES)("orders on %s", (engine) => {
  let db: TestDatabase;
  let all: OrderRow[];
  let payerOrder: Map<string, number>;

  beforeAll(async () => {
    db = await freshDatabase(engine);
    const result = await importFolder(db, DECK, { importedBy: "test" });
    expect(result.problems).toEqual([]);
    all = await listOrders(db, QUALITY_OFFICER, { ...EVERYTHING, pageSize: 500 });
    payerOrder = new Map((await db.query<{ key: string; sort_order: number }>(`SELECT key, sort_order FROM payers`)).map((p) => [p.key, p.sort_order]));
  });
  afterAll(() => db?.dispose());

  /** No transaction left open: the next query answers at once, and on PostgreSQL no session of
   *  this database is idle in a transaction within 5 s. An abort or a timeout closes the cursor
   *  without waiting for its ROLLBACK (lib/reports/csv.ts), so the count is read until it is 0:
   *  a transaction left open stays open and still fails. */
  async function expectNoOpenTransaction(): Promise<void> {
    await within(5000, db.query(`SELECT 1`));
    if (db.engine === "postgres") {
      const openTransactions = async () =>
        (await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
        ))[0]!.n;
      await expect.poll(openTransactions, { timeout: 5000, interval: 50 }).toBe(0);
    }
  }

  describe("listOrders and countOrders", () => {
    it("list every order of the snapshot in the period once, with D4 statuses and days open", async () => {
      expect(all.length).toBe(221);
      expect(await countOrders(db, QUALITY_OFFICER, EVERYTHING)).toBe(221);
      expect(new Set(all.map((o) => o.orderId)).size).toBe(221);
      for (const o of all) {
        const open = o.status === "overdue" || o.status === "in_window";
        expect(o.daysOpen !== null, o.orderId).toBe(open);
        if (open) expect(o.daysOpen).toBe(Math.round((Date.parse(AS_OF) - Date.parse(o.orderDate)) / 86_400_000));
        expect(o.studyDate !== null, o.orderId).toBe(o.status === "completed");
        expect(o.daysToScan !== null && o.daysToScan <= 90).toBe(o.status === "completed");
        if (o.status !== "completed") expect(o.resultDocumented).toBe(false);
        expect(o.planId === null).toBe(o.payerKey === "unknown");
      }
    });

    const compare = (sort: OrderSortKey, desc: boolean) => (a: OrderRow, b: OrderRow) => {
      const keys: Record<OrderSortKey, (o: OrderRow) => (string | number | null)[]> = {
        order_date: (o) => [o.orderDate],
        days_open: (o) => [o.daysOpen],
        payer: (o) => [payerOrder.get(o.payerKey)!, o.payerName],
        plan: (o) => [o.planName, o.planId],
        member_id: (o) => [o.memberId],
      };
      const cmp = (x: string | number | null, y: string | number | null, descending: boolean) => {
        if (x === y) return 0;
        if (x === null) return 1; // nulls last either way
        if (y === null) return -1;
        return (x < y ? -1 : 1) * (descending ? -1 : 1);
      };
      const [ka, kb] = [keys[sort](a), keys[sort](b)];
      for (let i = 0; i < ka.length; i++) {
        const c = cmp(ka[i]!, kb[i]!, desc);
        if (c !== 0) return c;
      }
      if (sort !== "order_date") {
        const c = cmp(a.orderDate, b.orderDate, false);
        if (c !== 0) return c;
      }
      return cmp(a.orderId, b.orderId, desc);
    };

    it.each(ORDER_SORT_KEYS.flatMap((sort) => [[sort, "asc"] as const, [sort, "desc"] as const]))(
      "sort by %s %s, in pages that add up to the whole list",
      async (sort, direction) => {
        const pages: OrderRow[] = [];
        for (let page = 1; ; page++) {
          const rows = await listOrders(db, QUALITY_OFFICER, { ...EVERYTHING, sort, direction, page, pageSize: 40 });
          pages.push(...rows);
          if (rows.length < 40) break;
        }
        expect(pages.map((o) => o.orderId)).toEqual([...all].sort(compare(sort, direction === "desc")).map((o) => o.orderId));
      },
    );

    it("filter on D4 statuses, as the worklist does (overdue and in window)", async () => {
      const params = { ...EVERYTHING, statuses: ["overdue", "in_window"] as const };
      const open = await listOrders(db, QUALITY_OFFICER, { ...params, sort: "days_open", direction: "desc", pageSize: 500 });
      expect(open.map((o) => o.orderId).sort()).toEqual(all.filter((o) => o.daysOpen !== null).map((o) => o.orderId).sort());
      expect(await countOrders(db, QUALITY_OFFICER, params)).toBe(open.length);
      expect(open.length).toBeGreaterThan(0);
      const days = open.map((o) => o.daysOpen!);
      expect(days).toEqual([...days].sort((a, b) => b - a));
      const cancelled = await listOrders(db, QUALITY_OFFICER, { ...EVERYTHING, statuses: ["cancelled"], pageSize: 500 });
      expect(cancelled.length).toBe(all.filter((o) => o.status === "cancelled").length);
      expect(cancelled.length).toBeGreaterThan(0);
    });

    it("keep a payer-scoped viewer to their payers, and refuse payer relations", async () => {
      const scoped: Viewer = { ...QUALITY_OFFICER, payerScope: ["aetna", "humana"] };
      const rows = await listOrders(db, scoped, { ...EVERYTHING, pageSize: 500 });
      expect(rows.map((o) => o.orderId).sort()).toEqual(all.filter((o) => ["aetna", "humana"].includes(o.payerKey)).map((o) => o.orderId).sort());
      expect(await countOrders(db, scoped, EVERYTHING)).toBe(rows.length);
      // Asking for a payer outside the scope gives nothing, not that payer.
      expect(await countOrders(db, scoped, { ...EVERYTHING, payers: ["uhc"] })).toBe(0);
      for (const viewer of [
        viewerAs("payer_relations", ["aetna"]),
        viewerAs("payer_relations", null),
        viewerAs("data_steward"),
      ] as Viewer[]) {
        await expect(listOrders(db, viewer, EVERYTHING)).rejects.toBeInstanceOf(MemberLevelAccessError);
        await expect(countOrders(db, viewer, EVERYTHING)).rejects.toBeInstanceOf(MemberLevelAccessError);
        await expect(openOrderCursor(db, viewer, EVERYTHING)).rejects.toBeInstanceOf(MemberLevelAccessError);
      }
      await expectNoOpenTransaction();
    });

    it("filter on payers, plans and product lines, and answer an empty page past the end", async () => {
      const q = { ...EVERYTHING, payers: ["aetna", "unknown"], plans: ["AET-GOLD", "AET-PPO"], pageSize: 500 };
      const rows = await listOrders(db, QUALITY_OFFICER, q);
      expect(rows.map((o) => o.orderId).sort()).toEqual(all.filter((o) => ["AET-GOLD", "AET-PPO"].includes(o.planId ?? "")).map((o) => o.orderId).sort());
      const lines = await listOrders(db, QUALITY_OFFICER, { ...EVERYTHING, productLines: ["medicare_ffs"], pageSize: 500 });
      expect(lines.length).toBe(all.filter((o) => o.productLine === "medicare_ffs").length);
      expect(await listOrders(db, QUALITY_OFFICER, { ...EVERYTHING, page: 99, pageSize: 50 })).toEqual([]);
    });
  });

  describe("the cursor and the CSV stream", () => {
    it("read every order in batches of the size asked for, then close the transaction", async () => {
      const cursor = await openOrderCursor(db, QUALITY_OFFICER, EVERYTHING, 50);
      const batches: OrderRow[][] = [];
      for (let batch = await cursor.next(); batch.length > 0; batch = await cursor.next()) batches.push(batch);
      expect(batches.map((b) => b.length)).toEqual([50, 50, 50, 50, 21]);
      expect(batches.flat()).toEqual(all);
      expect(await cursor.next()).toEqual([]);
      await expectNoOpenTransaction();
    });

    it("fetch only a few batches ahead of what the client has taken (backpressure)", async () => {
      // Counts the FETCH statements the cursor sends.
      let fetches = 0;
      const counting: Sql = {
        ...db,
        transaction: (fn) =>
          db.transaction((tx) =>
            fn({
              ...tx,
              query: (text, params) => {
                if (text.startsWith("FETCH")) fetches++;
                return tx.query(text, params);
              },
            }),
          ),
      };
      let written = 0;
      const cursor = await openOrderCursor(counting, QUALITY_OFFICER, EVERYTHING, 10);
      const reader = csvStream(ORDERS_COLUMNS, cursor, orderRecord, { onRows: (n) => (written = n) }).getReader();
      const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
      await settle();
      expect([fetches, written]).toEqual([0, 0]); // the header waits to be read; nothing fetched
      await reader.read(); // header
      await settle();
      // One batch written into the stream's queue, READ_AHEAD more asked of the database.
      expect([fetches, written]).toEqual([1 + READ_AHEAD, 10]);
      for (let i = 0; i < 3; i++) await reader.read();
      await settle();
      expect([fetches, written]).toEqual([4 + READ_AHEAD, 40]);
      await reader.cancel();
      await expectNoOpenTransaction();
    });

    it("close the transaction when the client cancels the download mid-way", async () => {
      const cursor = await openOrderCursor(db, QUALITY_OFFICER, EVERYTHING, 20);
      const reader = csvStream(ORDERS_COLUMNS, cursor, orderRecord).getReader();
      await reader.read();
      await reader.read();
      await reader.cancel();
      expect(await cursor.next()).toEqual([]);
      await expectNoOpenTransaction();
    });

    it("close the transaction when the request is aborted (the client went away)", async () => {
      const abort = new AbortController();
      const cursor = await openOrderCursor(db, QUALITY_OFFICER, EVERYTHING, 20);
      const reader = csvStream(ORDERS_COLUMNS, cursor, orderRecord, { signal: abort.signal }).getReader();
      await reader.read();
      await reader.read();
      abort.abort();
      await expect(reader.read()).rejects.toThrow(/aborted/);
      await expectNoOpenTransaction();
    });

    it("close the transaction when nobody reads for the idle timeout", async () => {
      const cursor = await openOrderCursor(db, QUALITY_OFFICER, EVERYTHING, 20);
      const reader = csvStream(ORDERS_COLUMNS, cursor, orderRecord, { idleTimeoutMs: 150 }).getReader();
      await reader.read();
      await new Promise((resolve) => setTimeout(resolve, 400));
      await expectNoOpenTransaction();
      await expect(reader.read()).rejects.toThrow(/nothing was read/);
    });

    it("break the download, never end it as if whole, when a batch cannot be read", async () => {
      let calls = 0;
      const failing: RowCursor<OrderRow> = {
        async next() {
          calls++;
          if (calls === 1) return all.slice(0, 5);
          throw new Error("connection lost");
        },
        async close() {},
      };
      const response = new Response(csvStream(ORDERS_COLUMNS, failing, orderRecord));
      await expect(response.text()).rejects.toThrow(/connection lost/);
    });

    it("write the same rows as listOrders, RFC 4180, whatever the batch size", async () => {
      const cursor = await openOrderCursor(db, QUALITY_OFFICER, EVERYTHING, 7);
      const text = await new Response(csvStream(ORDERS_COLUMNS, cursor, orderRecord)).text();
      const [header, ...rows] = parse(text) as string[][];
      expect(header).toEqual([...ORDERS_COLUMNS]);
      expect(rows).toEqual(all.map(orderRecord));
      expect(text.endsWith("\r\n")).toBe(true);
      await expectNoOpenTransaction();
    });
  });
});
