import type { MeasureScope } from "./scope";

// Figures that take seconds at millions of members and cannot change until the snapshot is
// derived again (every successful import derives it): screening_ordering over a period that is
// not whole months (the screening cube holds whole months), the worklist's rates by ordering
// clinician, and — only for a snapshot derived outside an import, which has no stored counts
// (lib/warehouse/stored-counts.ts) — what the warehouse holds and the data page's
// reconciliation counts. They are remembered per snapshot build: the first view pays, the next
// ones read memory. Keyed by the build time, so a new import is never answered from an old
// build; bounded in number, the oldest forgotten first.

const MAX_ENTRIES = 500;
const caches = new WeakMap<object, Map<string, Promise<unknown>>>();

export async function memoizeBySnapshot<T>(
  scope: Pick<MeasureScope, "db" | "snapshot">,
  key: string,
  compute: () => Promise<T>,
): Promise<T> {
  const { db, snapshot } = scope;
  if (!snapshot.builtAt) return compute();
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const fullKey = `${snapshot.asOf}|${snapshot.builtAt}|${key}`;
  const hit = cache.get(fullKey) as Promise<T> | undefined;
  if (hit) return hit;
  const value = compute();
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(fullKey, value);
  value.catch(() => cache.delete(fullKey)); // a failure is not remembered
  return value;
}
