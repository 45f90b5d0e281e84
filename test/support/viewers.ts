import type { Sql } from "@/db/client";
import type { Role, Viewer } from "@/lib/access";
import { computeMeasure, getMeasure, loadMeasureScope, type MeasureQuery } from "@/lib/measures";

/** A signed-in viewer of a role, as lib/auth/viewer.ts resolves one (payer relations see
 *  their `payers` only). */
export function viewerAs(role: Role, payers: readonly string[] | null = null): Viewer {
  return {
    userId: `test-${role}`,
    email: `${role.replace("_", ".")}@example.org`,
    name: role,
    role,
    payerScope: role === "payer_relations" ? (payers ?? []) : null,
    tokenName: null,
    address: "127.0.0.1",
  };
}

export const QUALITY_OFFICER = viewerAs("quality_officer");

/** computeMeasure as one request of `viewer` asks it (a scope of its own). */
export async function compute(db: Sql, viewer: Viewer, query: MeasureQuery) {
  return computeMeasure(await loadMeasureScope(db, viewer, query.asOf), query);
}

/** getMeasure as one request of `viewer` asks it. */
export async function measure(db: Sql, viewer: Viewer, query: MeasureQuery, options: { suppress?: boolean } = {}) {
  return getMeasure(await loadMeasureScope(db, viewer, query.asOf), query, options);
}
