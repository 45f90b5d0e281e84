import type { Sql } from "@/db/client";
import type { ReadSource } from "@/db/replicas";
import { AccessDeniedError, suppressionApplies, type Viewer } from "../access";
import { getDataAsOf } from "../derive";
import { parseFilters, type Filters, type ParsedFilters, type SearchParams } from "../filters";
import { resolveSnapshot } from "../measures";
import { getClaimsLag } from "../measures/claims-lag";
import { getDimensions, UNKNOWN_PAYER_KEY } from "../measures/dimensions";
import { getSnapshotBuiltAt, type MeasureScope } from "../measures/scope";
import { snapshotExists } from "../measures/snapshot";

/**
 * The one context of a request (SPEC section 10), built once and passed down: who asks (the
 * viewer, from the session cookie or the bearer token), the filters of the URL, the snapshot
 * they resolve to, the payers and plans the viewer may see, and the snapshot's claims lag.
 * Pages and CSV reports both start here, so they cannot disagree about who is asking or what
 * is in scope. A measure or figure is read with it (`MeasureScope`).
 */
export type ViewContext = MeasureScope & {
  filters: Filters;
  /** One sentence per filter value that fell back (a page shows them). */
  notices: string[];
  /** The same values, as a report refuses them (400). */
  invalid: ParsedFilters["invalid"];
  /** The data's own as-of date. */
  dataAsOf: string;
  /** The snapshot read: the requested as-of date, or the data's. */
  asOf: string;
  /** Small cells hidden: always for a payer-scoped viewer, else on `suppress=1`. */
  suppress: boolean;
  /** Where the reads go: the primary, or a standby and how far it is behind (db/replicas.ts). */
  readSource: ReadSource;
};

export type ContextOptions = {
  /** The primary, when `db` is a read replica: an earlier snapshot a standby lacks is derived
   *  there (a standby cannot write), and that request then reads there too. */
  primary?: Sql;
  readSource?: ReadSource;
};

/**
 * Builds the context of a request, or null when no claims are loaded yet. A payer or plan
 * outside the viewer's assignment is refused whole (AccessDeniedError → 403), never quietly
 * dropped: the answer would otherwise be about other payers than asked. A payer or plan key
 * that does not exist falls back with a notice (and is invalid for a report).
 */
export async function getViewContext(reader: Sql, viewer: Viewer, params: SearchParams, options: ContextOptions = {}): Promise<ViewContext | null> {
  let db = reader;
  let readSource: ReadSource = options.readSource ?? { kind: "primary" };
  const dataAsOf = await getDataAsOf(db);
  if (!dataAsOf) return null;
  const { filters, notices, invalid } = parseFilters(params, dataAsOf);
  const asOf = filters.asOf && filters.asOf < dataAsOf ? filters.asOf : dataAsOf;
  if (options.primary && options.primary !== reader && !(await snapshotExists(reader, asOf))) {
    await resolveSnapshot(options.primary, asOf, dataAsOf);
    db = options.primary;
    readSource = { kind: "primary" };
  }
  const [, dims] = await Promise.all([resolveSnapshot(db, asOf, dataAsOf), getDimensions(db, viewer)]);
  assertInScope(viewer, filters, dims.plans.map((p) => p.planId));

  const payerKeys = new Set(dims.payers.map((p) => p.key));
  const unknownPayers = filters.payers.filter((k) => !payerKeys.has(k));
  if (unknownPayers.length > 0) {
    notices.push(`Unknown payer ${unknownPayers.join(", ")}: all payers are shown.`);
    invalid.push({ name: "payer", value: unknownPayers.join(","), allowed: `payer keys: ${[...payerKeys].join(", ")}` });
    filters.payers = [];
  }
  const planIds = new Set(dims.plans.map((p) => p.planId));
  const unknownPlans = filters.plans.filter((id) => !planIds.has(id));
  if (unknownPlans.length > 0) {
    notices.push(`Unknown plan ${unknownPlans.join(", ")}: all plans are shown.`);
    invalid.push({ name: "plan", value: unknownPlans.join(","), allowed: "plan ids of the loaded plans" });
    filters.plans = [];
  }
  const [builtAt, claimsLag] = await Promise.all([getSnapshotBuiltAt(db, asOf), getClaimsLag(db, asOf)]);
  return {
    db,
    primary: options.primary ?? db,
    viewer,
    snapshot: { asOf, builtAt },
    dims,
    claimsLag,
    results: new Map(),
    filters,
    notices,
    invalid,
    dataAsOf,
    asOf,
    suppress: suppressionApplies(viewer, filters.suppress),
    readSource,
  };
}

/** A payer-scoped viewer may name only their payers, and plans of those payers. The message
 *  repeats what was asked and says nothing of whether it exists. */
function assertInScope(viewer: Viewer, filters: Filters, visiblePlanIds: readonly string[]): void {
  const scope = viewer.payerScope;
  if (scope === null) return;
  const outside = filters.payers.filter((k) => !scope.includes(k) || k === UNKNOWN_PAYER_KEY);
  if (outside.length > 0) throw new AccessDeniedError(`Payer ${outside.join(", ")} is not in your assignment.`, "payer_scope");
  const foreignPlans = filters.plans.filter((id) => !visiblePlanIds.includes(id));
  if (foreignPlans.length > 0) throw new AccessDeniedError(`Plan ${foreignPlans.join(", ")} is not in your assignment.`, "payer_scope");
}

/** Throws unless a payer-scoped viewer is assigned the payer (a payer page's key). */
export function assertPayerInScope(viewer: Viewer, payerKey: string): void {
  if (viewer.payerScope !== null && !viewer.payerScope.includes(payerKey)) {
    throw new AccessDeniedError(`Payer ${payerKey} is not in your assignment.`, "payer_scope");
  }
}
