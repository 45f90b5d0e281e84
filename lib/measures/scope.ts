import type { Sql } from "@/db/client";
import type { Viewer } from "../access";
import { getClaimsLag, type ClaimsLags } from "./claims-lag";
import { getDimensions, type Dimensions } from "./dimensions";
import type { MeasureResult } from "./types";

/**
 * What every measure and figure of one request shares, read once (SPEC section 10's one
 * request context): who asks, the snapshot read, the payers and plans the viewer may see, and
 * the snapshot's claims lag. Built by lib/views/context.ts for pages and reports, and by
 * `loadMeasureScope` for scripts and tests.
 */
export type MeasureScope = {
  db: Sql;
  /** The primary, when `db` is a read replica: what must be written on a read (CMS249's
   *  evaluation of a period not kept yet) is written and then read there. */
  primary?: Sql;
  viewer: Viewer;
  /** The snapshot read, and when it was built (remembered figures are keyed by it). */
  snapshot: { asOf: string; builtAt: string | null };
  dims: Dimensions;
  claimsLag: ClaimsLags;
  /** Results already computed for this request, by question: a page that asks the same
   *  question twice (the headline and the funnel) counts once. */
  results: Map<string, Promise<MeasureResult>>;
};

export async function getSnapshotBuiltAt(db: Sql, asOf: string): Promise<string | null> {
  const [row] = await db.query<{ built_at: string }>(`SELECT built_at::text AS built_at FROM derived_snapshots WHERE as_of = $1::date`, [asOf]);
  return row?.built_at ?? null;
}

/** A scope for a viewer on a snapshot that exists (derived by an import or on request). */
export async function loadMeasureScope(db: Sql, viewer: Viewer, asOf: string): Promise<MeasureScope> {
  const [builtAt, dims, claimsLag] = await Promise.all([getSnapshotBuiltAt(db, asOf), getDimensions(db, viewer), getClaimsLag(db, asOf)]);
  return { db, viewer, snapshot: { asOf, builtAt }, dims, claimsLag, results: new Map() };
}
