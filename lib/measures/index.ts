import type { Sql } from "@/db/client";
import type { Viewer } from "../access";
import { computeMeasure } from "./compute";
import { toReportable } from "./reportable";
import type { MeasureQuery, ReportableResult } from "./types";

export * from "./types";
export { computeMeasure } from "./compute";
export { resolveSnapshot } from "./snapshot";
export { toReportable } from "./reportable";
export * from "./figures";
export { getClaimsLag, isProvisionalMonth, type ClaimsLag } from "./claims-lag";

/** Suppression is always on for payer relations (SPEC section 5), and on request for anyone
 *  (an export marked for external sharing). */
export function suppressionApplies(viewer: Viewer, requested: boolean): boolean {
  return requested || viewer.role === "payer_relations";
}

/** The one entry point of pages and reports for a measure: counts for the viewer's scope,
 *  suppressed as the viewer and the request require. */
export async function getMeasure(
  db: Sql,
  viewer: Viewer,
  query: MeasureQuery,
  options: { suppress?: boolean } = {},
): Promise<ReportableResult> {
  const result = await computeMeasure(db, viewer, query);
  return toReportable(result, suppressionApplies(viewer, options.suppress ?? false));
}
