import { payerScopeParam, type Viewer } from "../access";
import { addMonths, lastDayOfMonth, monthsBetween, startOfMonth } from "../months";
import { LOW_VOLUME_BELOW } from "../stats/suppression";
import { wilsonInterval } from "../stats/wilson";
import { isProvisionalMonth } from "./claims-lag";
import { UNKNOWN_PAYER_KEY, type Dimensions } from "./dimensions";
import { memoizeBySnapshot } from "./memo";
import { compareNpiRows, countByOrderingNpi } from "./ordering-npi";
import { restrictionClause, restrictionParams } from "./restrict";
import type { MeasureScope } from "./scope";
import type { MeasureFlag, MeasureGroup, MeasureQuery, MeasureResult, MeasureRow, ProductLine } from "./types";
import { PRODUCT_LINES, ROLLING_MONTH_MEASURES } from "./types";
import { cms249Database } from "./cms249";
import { CMS249_ROLLING_UNITS, MEASURE_UNITS, SCREENING_POPULATION_UNITS, SCREENING_ROLLING_UNITS, screeningCubeAnswers } from "./units";

type CountRow = {
  payer_key: string | null;
  plan_id: string | null;
  product_line: string | null;
  month: string | null;
  denominator: number;
  numerator: number;
  pending: number;
};

type Counted = Pick<CountRow, "denominator" | "numerator" | "pending">;
const ZERO: Counted = { denominator: 0, numerator: 0, pending: 0 };

const NO_GROUP: MeasureGroup = {
  payerKey: null,
  payerName: null,
  planId: null,
  planName: null,
  productLine: null,
  month: null,
  unattributed: false,
};

type Column = "payer_key" | "plan_id" | "product_line" | "month";

/** The breakdowns counted over the cubes; ordering_npi is counted over the order facts. */
type CubeGroupBy = Exclude<MeasureQuery["groupBy"], "ordering_npi">;

const GROUP_COLUMNS: Record<CubeGroupBy, Column[]> = {
  payer: ["payer_key"],
  plan: ["payer_key", "plan_id"],
  product_line: ["product_line"],
  month: ["month"],
};

/**
 * One measure of SPEC section 5 for the query, as rows of the breakdown asked for and a total
 * row: counts, rate, Wilson interval, flags. Every row the breakdown promises is there, with
 * zeros where no unit falls (the five listed payers, every product line, every month of the
 * period, every plan in scope), so that rows add up to the total and "not available" is shown,
 * never 0%. Counting is SQL over the derived facts of the scope's snapshot; a question asked
 * twice in one request is counted once.
 */
export function computeMeasure(scope: MeasureScope, query: MeasureQuery): Promise<MeasureResult> {
  assertSnapshot(scope, query);
  const key = JSON.stringify(query);
  let result = scope.results.get(key);
  if (!result) {
    result = countMeasure(scope, query);
    scope.results.set(key, result);
    result.catch(() => scope.results.delete(key));
  }
  return result;
}

function assertSnapshot(scope: MeasureScope, query: MeasureQuery): void {
  // The claims lag, dimensions and remembered figures of a scope belong to its snapshot.
  if (query.asOf !== scope.snapshot.asOf) throw new Error(`a measure of ${query.asOf} asked of a scope on ${scope.snapshot.asOf}`);
}

const rollingMonths = (query: MeasureQuery) => query.groupBy === "month" && ROLLING_MONTH_MEASURES.has(query.measure);

async function countMeasure(scope: MeasureScope, query: MeasureQuery): Promise<MeasureResult> {
  if (query.groupBy === "ordering_npi") return countByNpi(scope, query);
  const { viewer } = scope;
  const groupBy: CubeGroupBy = query.groupBy;
  const counts = rollingMonths(query) ? await countRollingMonths(scope, viewer, query, []) : await countUnits(scope, viewer, query, GROUP_COLUMNS[groupBy]);
  // Groups partition the units, so the total is their sum — except rolling screening months,
  // which overlap: their total is the measure over the whole period.
  const [totalCounts] = rollingMonths(query) ? await countUnits(scope, viewer, query, []) : [sumCounts(counts)];
  const payersOfRows = payersInView(query, viewer);
  const rows = expectedGroups(query, groupBy, scope.dims, counts).map((group) => {
    const c = counts.find((r) => sameGroup(r, group, groupBy)) ?? ZERO;
    return measureRow(group, c, provisional(scope, query, group.month, payersOfRows));
  });
  const total = measureRow(NO_GROUP, totalCounts ?? ZERO, false);
  return { query, rows, total };
}

/** The measure by ordering clinician (order-based measures only): one row per NPI with orders
 *  in the period, largest denominator first, then one row for the orders without an NPI; the
 *  rows partition the orders, so the total is their sum. No month, so nothing provisional.
 *  The counts read every order of the period (no cube holds NPIs: about 80 ms of database time
 *  at 2,000,000 members, on every worklist page), so they are remembered per snapshot. */
async function countByNpi(scope: MeasureScope, query: MeasureQuery): Promise<MeasureResult> {
  if (query.groupBy !== "ordering_npi") throw new Error("countByNpi answers groupBy=ordering_npi");
  const key = `ordering-npi|${JSON.stringify([query, scope.viewer.payerScope])}`;
  const counts = [...(await memoizeBySnapshot(scope, key, () => countByOrderingNpi(scope, scope.viewer, query)))].sort(compareNpiRows);
  const rows = counts.map((c) => measureRow({ ...NO_GROUP, orderingNpi: c.ordering_npi }, c, false));
  return { query, rows, total: measureRow(NO_GROUP, sumCounts(counts), false) };
}

function provisional(scope: MeasureScope, query: MeasureQuery, month: string | null, payers: string[] | null): boolean {
  return month !== null && isProvisionalMonth(month, query.asOf, scope.claimsLag, payers);
}

/**
 * The measure by month for each of several payers (a trend's lines), counted together: one
 * grouped query instead of one per payer. Each payer's result has the rows and total that
 * `computeMeasure` gives with that payer as the filter.
 */
export async function computeMonthlyByPayer(scope: MeasureScope, query: MeasureQuery, payerKeys: readonly string[]): Promise<Map<string, MeasureResult>> {
  assertSnapshot(scope, query);
  const monthly = { ...query, groupBy: "month" as const, payers: payerKeys };
  const counts = rollingMonths(monthly)
    ? await countRollingMonths(scope, scope.viewer, monthly, ["payer_key"])
    : await countUnits(scope, scope.viewer, monthly, ["payer_key", "month"]);
  const totals = rollingMonths(monthly) ? await countUnits(scope, scope.viewer, monthly, ["payer_key"]) : null;
  const results = new Map<string, MeasureResult>();
  for (const payerKey of payerKeys) {
    const own = counts.filter((r) => r.payer_key === payerKey);
    const payerQuery = { ...monthly, payers: [payerKey] };
    const rows = monthsBetween(query.from, query.to).map((month) =>
      measureRow({ ...NO_GROUP, month }, own.find((r) => r.month === month) ?? ZERO, provisional(scope, query, month, payersInView(payerQuery, scope.viewer))),
    );
    const total = totals ? (totals.find((r) => r.payer_key === payerKey) ?? ZERO) : sumCounts(own);
    results.set(payerKey, { query: payerQuery, rows, total: measureRow(NO_GROUP, total, false) });
  }
  return results;
}

/**
 * The all-payer benchmark of a question: its total (and, by month, its months) over every
 * payer and plan, whatever the viewer's assignment and the payer and plan filters — the
 * reference a payer's or a plan's rate is read against. `otherPayers` counts the payers
 * outside the viewer's assignment that contribute to it, so that a caller can withhold a
 * benchmark from which one other payer's figures would follow by subtraction.
 */
export async function computeBenchmark(
  scope: MeasureScope,
  query: MeasureQuery,
): Promise<{ result: MeasureResult; otherPayers: number }> {
  assertSnapshot(scope, query);
  const everyone: Viewer = { ...scope.viewer, payerScope: null };
  const all = { ...query, payers: [], plans: [] };
  const monthly = query.groupBy === "month";
  const byPayer = await countUnits(scope, everyone, all, ["payer_key"]);
  const months = !monthly ? [] : rollingMonths(all) ? await countRollingMonths(scope, everyone, all, []) : await countUnits(scope, everyone, all, ["month"]);
  const [totalCounts] = rollingMonths(all) ? await countUnits(scope, everyone, all, []) : [sumCounts(byPayer)];
  const rows = monthly
    ? monthsBetween(query.from, query.to).map((month) =>
        measureRow({ ...NO_GROUP, month }, months.find((r) => r.month === month) ?? ZERO, provisional(scope, query, month, null)),
      )
    : [];
  const scopeKeys = scope.viewer.payerScope;
  const otherPayers = byPayer.filter((r) => r.denominator > 0 && (scopeKeys === null || !scopeKeys.includes(r.payer_key!))).length;
  return { result: { query: { ...all, groupBy: monthly ? "month" : "payer" }, rows, total: measureRow(NO_GROUP, totalCounts ?? ZERO, false) }, otherPayers };
}

/** The payers a row over all of the query's payers stands for: null when that is every payer. */
function payersInView(query: MeasureQuery, viewer: Viewer): string[] | null {
  const asked = query.payers?.length ? [...query.payers] : null;
  const scope = payerScopeParam(viewer);
  if (asked && scope) return asked.filter((key) => scope.includes(key));
  return asked ?? scope;
}

function measureRow(group: MeasureGroup, c: Counted, isProvisional: boolean): MeasureRow {
  const interval = wilsonInterval(c.numerator, c.denominator);
  const flags: MeasureFlag[] = [];
  if (c.denominator === 0) flags.push("not_available");
  else if (c.denominator < LOW_VOLUME_BELOW) flags.push("low_volume");
  if (isProvisional) flags.push("provisional");
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

/** Counts of one measure, grouped on the columns given (none: one total row). Restrictions and
 *  the viewer's payer scope apply. Screening reads its cube for a period of whole months; any
 *  other period is counted over the population, remembered per snapshot. */
async function countUnits(scope: MeasureScope, viewer: Viewer, query: MeasureQuery, columns: Column[]): Promise<CountRow[]> {
  if (query.measure === "cms249_dxa_overuse") {
    const db = await cms249Database(scope, [{ start: query.from, end: query.to }]);
    return db ? queryUnits(scope, viewer, query, columns, MEASURE_UNITS[query.measure], db) : [];
  }
  if (query.measure !== "screening_ordering" || screeningCubeAnswers(query.from, query.to)) {
    return queryUnits(scope, viewer, query, columns, MEASURE_UNITS[query.measure]);
  }
  const key = JSON.stringify([query, columns, viewer.payerScope]);
  return memoizeBySnapshot(scope, key, () => queryUnits(scope, viewer, query, columns, SCREENING_POPULATION_UNITS));
}

const SELECTED = (columns: Column[]) => (["payer_key", "plan_id", "product_line", "month"] as const).map((c) => (columns.includes(c) ? c : `NULL AS ${c}`));
const SUMS = `coalesce(sum(denominator), 0)::int AS denominator,
       coalesce(sum(numerator), 0)::int AS numerator,
       coalesce(sum(pending), 0)::int AS pending`;
const asCountRows = (rows: CountRow[]) => rows.map((r) => ({ ...r, product_line: r.product_line === null ? null : String(r.product_line) }));

async function queryUnits(scope: MeasureScope, viewer: Viewer, query: MeasureQuery, columns: Column[], units: string, db = scope.db): Promise<CountRow[]> {
  const rows = await db.query<CountRow>(
    `SELECT ${SELECTED(columns).join(", ")}, ${SUMS}
     FROM (
       SELECT u.*, to_char(u.anchor, 'YYYY-MM') AS month
       FROM (${units}) u
     ) u
     -- $4 (W) typed here too: not every measure's units use it.
     WHERE $4::int > 0 AND ${restrictionClause("u")}
     ${columns.length > 0 ? `GROUP BY ${columns.join(", ")}` : ""}`,
    restrictionParams(viewer, query),
  );
  return asCountRows(rows);
}

/** screening_ordering by month: each month's point is the rolling 12 months ending with it
 *  (SPEC section 5), so each is a period of its own, counted on `columns` besides the month —
 *  all of them in one statement over the cube. */
async function countRollingMonths(scope: MeasureScope, viewer: Viewer, query: MeasureQuery, columns: Column[]): Promise<CountRow[]> {
  const months = monthsBetween(query.from, query.to);
  const grouped = [...columns, "month" as const];
  const starts = months.map((month) => addMonths(startOfMonth(month), -11));
  const ends = months.map((month) => lastDayOfMonth(month));
  // CMS249 is evaluated per period: each month's 12 months first (lib/cms249/results.ts).
  const cms249 = query.measure === "cms249_dxa_overuse";
  const db = cms249 ? await cms249Database(scope, starts.map((start, i) => ({ start, end: ends[i]! }))) : scope.db;
  if (!db) return []; // no FHIR data: nothing to count
  const rows = await db.query<CountRow>(
    `SELECT ${SELECTED(grouped).join(", ")}, ${SUMS}
     FROM (${cms249 ? CMS249_ROLLING_UNITS : SCREENING_ROLLING_UNITS}) u
     -- The months asked for are the period's; $4 (W) typed here too, screening does not use it.
     WHERE u.month BETWEEN to_char($2::date, 'YYYY-MM') AND to_char($3::date, 'YYYY-MM') AND $4::int > 0
       AND ${restrictionClause("u")}
     GROUP BY ${grouped.join(", ")}`,
    [...restrictionParams(viewer, query), starts, ends, months],
  );
  return asCountRows(rows);
}

function sumCounts(rows: readonly Counted[]): CountRow {
  const total: CountRow = { payer_key: null, plan_id: null, product_line: null, month: null, denominator: 0, numerator: 0, pending: 0 };
  for (const r of rows) {
    total.denominator += r.denominator;
    total.numerator += r.numerator;
    total.pending += r.pending;
  }
  return total;
}

/** Whether counted row `r` belongs to expected group `g`, on the columns of the breakdown. */
function sameGroup(r: CountRow, g: MeasureGroup, groupBy: CubeGroupBy): boolean {
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
function expectedGroups(query: MeasureQuery, groupBy: CubeGroupBy, dims: Dimensions, counts: CountRow[]): MeasureGroup[] {
  const payerName = new Map(dims.payers.map((p) => [p.key, p.name]));
  const wantedPayer = (key: string) => !query.payers?.length || query.payers.includes(key);
  const wantedPlan = (id: string) => !query.plans?.length || query.plans.includes(id);
  const wantedLine = (line: string) => !query.productLines?.length || query.productLines.includes(line as ProductLine);
  const hasData = (r: CountRow) => r.denominator + r.numerator + r.pending > 0;
  const unattributed = { ...NO_GROUP, payerKey: UNKNOWN_PAYER_KEY, payerName: payerName.get(UNKNOWN_PAYER_KEY) ?? "Unknown payer", unattributed: true };

  switch (groupBy) {
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
