import type { Sql } from "@/db/client";
import type { Viewer } from "../access";
import { getDataAsOf } from "../derive";
import { parseFilters, type Filters, type SearchParams } from "../filters";
import { resolveSnapshot } from "../measures";
import { getDimensions, type Dimensions } from "../measures/dimensions";

/** What every dashboard page starts from: the filters of its URL, the snapshot they resolve
 *  to, and the payers and plans the viewer may see. `null` when no claims are loaded yet. */
export type ViewContext = {
  filters: Filters;
  notices: string[];
  dataAsOf: string;
  /** The snapshot read: the requested as-of date, or the data's. */
  asOf: string;
  dims: Dimensions;
};

export async function getViewContext(db: Sql, viewer: Viewer, params: SearchParams): Promise<ViewContext | null> {
  const dataAsOf = await getDataAsOf(db);
  if (!dataAsOf) return null;
  const { filters, notices } = parseFilters(params, dataAsOf);
  const asOf = (await resolveSnapshot(db, filters.asOf ?? undefined)) ?? dataAsOf;
  const dims = await getDimensions(db, viewer);
  const known = new Set(dims.payers.map((p) => p.key));
  const unknownPayers = filters.payers.filter((k) => !known.has(k));
  if (unknownPayers.length > 0) {
    notices.push(`Unknown payer ${unknownPayers.join(", ")}: all payers are shown.`);
    filters.payers = filters.payers.filter((k) => known.has(k));
  }
  return { filters, notices, dataAsOf, asOf, dims };
}
