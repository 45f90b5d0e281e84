import type { ViewContext } from "@/lib/views/context";
import { formatDate, formatPeriod, PRODUCT_LINE_NAMES } from "@/lib/format";

/** The active filters in words, under a page's title (and in print): payers and plans by
 *  name, and the follow-up window only where it changes what the page shows. */
export function ActiveFilters({ ctx, showWindow = true }: { ctx: ViewContext; showWindow?: boolean }) {
  const f = ctx.filters;
  const payerNames = f.payers.map((k) => ctx.dims.payers.find((p) => p.key === k)?.name ?? k);
  const planNames = f.plans.map((id) => ctx.dims.plans.find((p) => p.planId === id)?.planName ?? id);
  const parts = [
    formatPeriod(f.from, f.to),
    payerNames.length
      ? payerNames.join(", ")
      : ctx.viewer.payerScope
        ? ctx.viewer.payerScope.map((k) => ctx.dims.payers.find((p) => p.key === k)?.name ?? k).join(", ")
        : "all payers",
    planNames.length ? `${planNames.length === 1 ? "plan" : "plans"} ${planNames.join(", ")}` : null,
    f.productLines.length ? f.productLines.map((l) => PRODUCT_LINE_NAMES[l] ?? l).join(", ") : null,
    showWindow ? `${f.window}-day window` : null,
    `as of ${formatDate(ctx.asOf)}${ctx.asOf !== ctx.dataAsOf ? ` (data to ${formatDate(ctx.dataAsOf)})` : ""}`,
    ctx.suppress ? "small numbers hidden" : null,
    readSourceText(ctx),
  ].filter(Boolean);
  return (
    <p className="lede" data-testid="active-filters">
      {parts.join(" · ")}
    </p>
  );
}

/** Said only when a page was read from a standby that is behind the primary (db/replicas.ts):
 *  its figures may not yet hold the latest import. */
function readSourceText(ctx: ViewContext): string | null {
  const source = ctx.readSource;
  if (source.kind !== "replica" || source.lagSeconds < 1) return null;
  const seconds = Math.round(source.lagSeconds);
  const behind = seconds < 120 ? `${seconds} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`;
  return `read from a standby ${behind} behind the primary`;
}
