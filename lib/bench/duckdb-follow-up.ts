import { measureTotal } from "./duckdb-pages";
import { RawFiles } from "./duckdb-raw";

// The DXA order follow-up rate computed the way a user of an ad-hoc tool would: DuckDB over the
// raw import files, with the D1–D4 steps the pages' DuckDB scripts share (./duckdb-raw.ts). The
// benchmark's measures section times it beside the warehouse's query and checks the counts.

export type DuckFollowUp = { asOf: string; denominator: number; numerator: number; pending: number };

export async function duckdbFollowUp(folder: string, from: string, to: string, window: number): Promise<DuckFollowUp> {
  const raw = await RawFiles.open(folder);
  try {
    const asOf = await raw.asOf();
    const { denominator, numerator, pending } = await measureTotal(raw, "order_follow_up", { from, to, window });
    return { asOf, denominator, numerator, pending };
  } finally {
    raw.close();
  }
}
