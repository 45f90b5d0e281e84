import type { Sql } from "@/db/client";
import type { Viewer } from "../access";
import { addMonths, lastDayOfMonth, monthsBetween, startOfMonth } from "../months";
import { LOW_VOLUME_BELOW } from "../stats/suppression";
import { wilsonInterval } from "../stats/wilson";
import { getClaimsLag, isProvisionalMonth } from "./claims-lag";
import { getDimensions, UNKNOWN_PAYER_KEY, type Dimensions } from "./dimensions";
import { memoizeBySnapshot } from "./memo";
import { restrictionClause, restrictionParams } from "./restrict";
import type { MeasureFlag, MeasureGroup, MeasureQuery, MeasureResult, MeasureRow, ProductLine } from "./types";
import { PRODUCT_LINES } from "./types";
import { MEASURE_UNITS } from "./units";

type CountRow = {
  payer_key: string | null;
  plan_id: string | null;
  product_line: string | null;
  month: string | null;
  denominator: number;
  numerator: number;
  pending: number;
};

const NO_GROUP: MeasureGroup = {
  payerKey: null,
  payerName: null,
  planId: null,
  planName: null,
  productLine: null,
  month: null,
  unattributed: false,
};

/**
 * One measure of SPEC section 5 for the query, as rows of the breakdown asked for and a total
 * row: counts, rate, Wilson interval, flags. Every row the breakdown promises is there, with
 * zeros where no unit falls (the five listed payers, every product line, every month of the
 * period, every plan in scope), so that rows add up to the total and "not available" is shown,
 * never 0%. Counting is SQL over the derived facts of the query's snapshot.
 */
export async function computeMeasure(db: Sql, viewer: Viewer, query: MeasureQuery): Promise<MeasureResult> {
  const dims = await getDimensions(db, viewer);
  const counts =
    query.groupBy === "month" && query.measure === "screening_ordering"
      ? await countRollingMonths(db, viewer, query)
      : await countUnits(db, viewer, query, query.groupBy);
  // Groups partition the units, so the total is their sum — except rolling screening months,
  // which overlap: their total is the measure over the whole period.
  const rolling = query.groupBy === "month" && query.measure === "screening_ordering";
  const [totalCounts] = rolling ? await countUnits(db, viewer, query, null) : [sumCounts(counts)];
  const lag = query.groupBy === "month" ? await getClaimsLag(db, query.asOf) : null;
  const payersOfRows = payersInView(query, viewer);

  const rows = expectedGroups(query, dims, counts).map((group) => {
    const c = counts.find((r) => sameGroup(r, group, query.groupBy)) ?? { denominator: 0, numerator: 0, pending: 0 };
    const provisional = group.month !== null && lag !== null && isProvisionalMonth(group.month, query.asOf, lag, payersOfRows);
    return measureRow(group, c, provisional);
  });
  const total = measureRow(NO_GROUP, totalCounts ?? { denominator: 0, numerator: 0, pending: 0 }, false);
  return { query, rows, total };
}

/** The payers a row over all of the query's payers stands for: null when that is every payer. */
function payersInView(query: MeasureQuery, viewer: Viewer): string[] | null {
  const asked = query.payers?.length ? [...query.payers] : null;
  const scope = viewer.payerScope ? [...viewer.payerScope] : null;
  if (asked && scope) return asked.filter((key) => scope.includes(key));
  return asked ?? scope;
}

function measureRow(group: MeasureGroup, c: { denominator: number; numerator: number; pending: number }, provisional: boolean): MeasureRow {
  const interval = wilsonInterval(c.numerator, c.denominator);
  const flags: MeasureFlag[] = [];
  if (c.denominator === 0) flags.push("not_available");
  else if (c.denominator < LOW_VOLUME_BELOW) flags.push("low_volume");
  if (provisional) flags.push("provisional");
  return {
    ...group,
    denominator: c.denominator,
    numerator: c.numerator,
    pending: c.pending,
    rate: c.denominator > 0 ? c.numerator / c.denominator : null,
    ciLow: interval?.low ?? null,
    ciHigh: interval?.high ?? null,
    flags,
  };
}

const GROUP_COLUMNS: Record<MeasureQuery["groupBy"], string[]> = {
  payer: ["payer_key"],
  plan: ["payer_key", "plan_id"],
  product_line: ["product_line"],
  month: ["month"],
};

/** Counts of one measure, grouped (or not). Restrictions and the viewer's payer scope apply. */
async function countUnits(db: Sql, viewer: Viewer, query: MeasureQuery, groupBy: MeasureQuery["groupBy"] | null): Promise<CountRow[]> {
  if (query.measure !== "screening_ordering") return queryUnits(db, viewer, query, groupBy);
  const key = JSON.stringify([query, groupBy, viewer.payerScope]);
  return memoizeBySnapshot(db, query.asOf, key, () => queryUnits(db, viewer, query, groupBy));
}

async function queryUnits(db: Sql, viewer: Viewer, query: MeasureQuery, groupBy: MeasureQuery["groupBy"] | null): Promise<CountRow[]> {
  const columns = groupBy ? GROUP_COLUMNS[groupBy] : [];
  const select = ["payer_key", "plan_id", "product_line", "month"].map((c) => (columns.includes(c) ? c : `NULL AS ${c}`));
  const rows = await db.query<CountRow>(
    `SELECT ${select.join(", ")},
       coalesce(sum(denominator), 0)::int AS denominator,
       coalesce(sum(numerator), 0)::int AS numerator,
       coalesce(sum(pending), 0)::int AS pending
     FROM (
       SELECT u.*, to_char(u.anchor, 'YYYY-MM') AS month
       FROM (${MEASURE_UNITS[query.measure]}) u
     ) u
     -- $4 (W) typed here too: not every measure's units use it.
     WHERE $4::int > 0 AND ${restrictionClause("u")}
     ${columns.length > 0 ? `GROUP BY ${columns.join(", ")}` : ""}`,
    restrictionParams(viewer, query),
  );
  return rows.map((r) => ({ ...r, product_line: r.product_line === null ? null : String(r.product_line) }));
}

/** screening_ordering by month: each month's point is the rolling 12 months ending with it
 *  (SPEC section 5), so each is a period of its own. */
async function countRollingMonths(db: Sql, viewer: Viewer, query: MeasureQuery): Promise<CountRow[]> {
  const rows: CountRow[] = [];
  for (const month of monthsBetween(query.from, query.to)) {
    const period = { from: addMonths(startOfMonth(month), -11), to: lastDayOfMonth(month) };
    const [c] = await countUnits(db, viewer, { ...query, ...period }, null);
    if (c) rows.push({ ...c, month });
  }
  return rows;
}

function sumCounts(rows: CountRow[]): CountRow {
  const total: CountRow = { payer_key: null, plan_id: null, product_line: null, month: null, denominator: 0, numerator: 0, pending: 0 };
  for (const r of rows) {
    total.denominator += r.denominator;
    total.numerator += r.numerator;
    total.pending += r.pending;
  }
  return total;
}

/** Whether counted row `r` belongs to expected group `g`, on the columns of the breakdown. */
function sameGroup(r: CountRow, g: MeasureGroup, groupBy: MeasureQuery["groupBy"]): boolean {
  switch (groupBy) {
    case "payer":
      return r.payer_key === g.payerKey;
    case "plan":
      return r.payer_key === g.payerKey && r.plan_id === g.planId;
    case "product_line":
      return r.product_line === g.productLine;
    case "month":
      return r.month === g.month;
  }
}

/** The rows a breakdown always shows, in display order, plus any group with data that the
 *  dimension lists do not know (an unattributed row). */
function expectedGroups(query: MeasureQuery, dims: Dimensions, counts: CountRow[]): MeasureGroup[] {
  const payerName = new Map(dims.payers.map((p) => [p.key, p.name]));
  const wantedPayer = (key: string) => !query.payers?.length || query.payers.includes(key);
  const wantedPlan = (id: string) => !query.plans?.length || query.plans.includes(id);
  const wantedLine = (line: string) => !query.productLines?.length || query.productLines.includes(line as ProductLine);
  const hasData = (r: CountRow) => r.denominator + r.numerator + r.pending > 0;
  const unattributed = { ...NO_GROUP, payerKey: UNKNOWN_PAYER_KEY, payerName: payerName.get(UNKNOWN_PAYER_KEY) ?? "Unknown payer", unattributed: true };

  switch (query.groupBy) {
    case "payer":
      return dims.payers
        .filter((p) => wantedPayer(p.key))
        // The five listed payers always; any other payer with a plan (SPEC section 2: a payer of
        // its own, "Data not available" when empty); Unknown payer when not empty.
        .filter(
          (p) =>
            p.listed ||
            dims.plans.some((pl) => pl.payerKey === p.key && wantedPlan(pl.planId) && wantedLine(pl.productLine)) ||
            counts.some((r) => r.payer_key === p.key && hasData(r)),
        )
        .map((p) => ({ ...NO_GROUP, payerKey: p.key, payerName: p.name, unattributed: p.key === UNKNOWN_PAYER_KEY }));
    case "plan": {
      const plans = dims.plans
        .filter((p) => wantedPayer(p.payerKey) && wantedPlan(p.planId) && wantedLine(p.productLine))
        .map((p) => ({ ...NO_GROUP, payerKey: p.payerKey, payerName: payerName.get(p.payerKey) ?? p.payerKey, planId: p.planId, planName: p.planName }));
      const unknown = counts.some((r) => r.plan_id === null && hasData(r)) ? [unattributed] : [];
      return [...plans, ...unknown];
    }
    case "product_line": {
      const lines = PRODUCT_LINES.filter(wantedLine).map((line) => ({ ...NO_GROUP, productLine: line }));
      const unknown = counts.some((r) => r.product_line === null && hasData(r)) ? [unattributed] : [];
      return [...lines, ...unknown];
    }
    case "month":
      return monthsBetween(query.from, query.to).map((month) => ({ ...NO_GROUP, month }));
  }
}
