import { z } from "zod";
import { rawParameter, type SearchParams } from "../filters";
import { ORDER_SORT_KEYS, type OrderSortKey, type SortDirection } from "../orders/types";

/** Sorting and paging of the /orders worklist, from its URL. An invalid value falls back to
 *  its default with a notice, like the filters. */
export type WorklistPaging = { sort: OrderSortKey; direction: SortDirection; page: number };

/** Far beyond any real list (50 orders a page), small enough that an OFFSET stays cheap to refuse. */
export const MAX_WORKLIST_PAGE = 100_000;

const FIELDS = {
  sort: { schema: z.enum(ORDER_SORT_KEYS), fallback: "days_open" as OrderSortKey, allowed: ORDER_SORT_KEYS.join(", ") },
  dir: { schema: z.enum(["asc", "desc"]), fallback: "desc" as SortDirection, allowed: "asc or desc" },
  page: { schema: z.coerce.number().int().min(1).max(MAX_WORKLIST_PAGE), fallback: 1, allowed: `a page number from 1 to ${MAX_WORKLIST_PAGE}` },
} as const;

export function parseWorklistPaging(params: SearchParams): { paging: WorklistPaging; notices: string[] } {
  const notices: string[] = [];
  const read = <N extends keyof typeof FIELDS>(name: N): z.output<(typeof FIELDS)[N]["schema"]> => {
    const raw = rawParameter(params, name);
    const field = FIELDS[name];
    if (raw === undefined || raw === "") return field.fallback as z.output<(typeof FIELDS)[N]["schema"]>;
    const value = Array.isArray(raw) ? raw.join(",") : raw;
    const result = field.schema.safeParse(value.slice(0, 100));
    if (result.success && value.length <= 100) return result.data as z.output<(typeof FIELDS)[N]["schema"]>;
    notices.push(`"${value.slice(0, 80)}" is not a valid ${name} (expected ${field.allowed}): the default is used.`);
    return field.fallback as z.output<(typeof FIELDS)[N]["schema"]>;
  };
  return { paging: { sort: read("sort"), direction: read("dir"), page: read("page") }, notices };
}
