import type { Sql } from "@/db/client";
import { ensureCms249Periods, getCms249Status, type Cms249Status } from "../cms249/results";
import type { MeasureScope } from "./scope";

type Cms249Scope = Pick<MeasureScope, "db" | "primary">;

// Whether FHIR data are loaded, read once per request (a scope is one request's): every CMS249
// question of a page — the headline, the one before it, by plan, by month — shares it.
const statuses = new WeakMap<Cms249Scope, Promise<Cms249Status>>();

export function getCms249StatusOnce(scope: Cms249Scope): Promise<Cms249Status> {
  let status = statuses.get(scope);
  if (!status) {
    status = getCms249Status(scope.primary ?? scope.db);
    statuses.set(scope, status);
    status.catch(() => statuses.delete(scope));
  }
  return status;
}

/**
 * The database to count cms249_dxa_overuse on, once the periods asked for are evaluated
 * (lib/cms249/results.ts: on first request, under a lock, bounded in number); null when no FHIR
 * data are loaded (nothing to count: the measure is not available). Evaluating writes, so it is
 * done on the primary, and the counts are then read there too: a standby may not have the rows yet.
 */
export async function cms249Database(scope: Cms249Scope, periods: readonly { start: string; end: string }[]): Promise<Sql | null> {
  const status = await getCms249StatusOnce(scope);
  if (!status.fhirData) return null;
  const db = scope.primary ?? scope.db;
  await ensureCms249Periods(db, periods, { status });
  return db;
}
