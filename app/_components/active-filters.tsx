import type { ViewContext } from "@/lib/views/context";
import { formatDate } from "@/lib/format";

/** The active filters in words, under a page's title (and in print). */
export function ActiveFilters({ ctx }: { ctx: ViewContext }) {
  const f = ctx.filters;
  const payerNames = f.payers.map((k) => ctx.dims.payers.find((p) => p.key === k)?.name ?? k);
  const parts = [
    `${formatDate(f.from)} – ${formatDate(f.to)}`,
    payerNames.length ? payerNames.join(", ") : "all payers",
    f.plans.length ? `plans ${f.plans.join(", ")}` : null,
    f.productLines.length ? f.productLines.join(", ").replaceAll("_", " ") : null,
    `${f.window}-day window`,
    `as of ${formatDate(ctx.asOf)}${ctx.asOf !== ctx.dataAsOf ? ` (data to ${formatDate(ctx.dataAsOf)})` : ""}`,
  ].filter(Boolean);
  return (
    <p className="lede" data-testid="active-filters">
      {parts.join(" · ")}
    </p>
  );
}
