import { z } from "zod";
import type { SearchParams } from "../filters";
import { ORDER_SORT_KEYS, type OrderSortKey, type SortDirection } from "../orders/types";

/** Sorting and paging of the /orders worklist, from its URL; invalid values fall back. */
export type WorklistPaging = { sort: OrderSortKey; direction: SortDirection; page: number };

const schema = z.object({
  sort: z.enum(ORDER_SORT_KEYS).catch("days_open"),
  dir: z.enum(["asc", "desc"]).catch("desc"),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
});

export function parseWorklistPaging(params: SearchParams): WorklistPaging {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const parsed = schema.parse({ sort: first(params.sort) ?? "days_open", dir: first(params.dir) ?? "desc", page: first(params.page) ?? 1 });
  return { sort: parsed.sort, direction: parsed.dir, page: parsed.page };
}
