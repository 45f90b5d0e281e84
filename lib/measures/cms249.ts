import type { Sql } from "@/db/client";
import { ensureCms249Periods } from "../cms249/results";
import type { MeasureScope } from "./scope";

/**
 * The database to count cms249_dxa_overuse on, once the periods asked for are evaluated
 * (lib/cms249/results.ts: on first request, under a lock, bounded in number). Evaluating writes,
 * so it is done on the primary, and the counts are then read there too: a standby may not have
 * the rows yet.
 */
export async function cms249Database(scope: Pick<MeasureScope, "db" | "primary">, periods: readonly { start: string; end: string }[]): Promise<Sql> {
  const db = scope.primary ?? scope.db;
  await ensureCms249Periods(db, periods);
  return db;
}
