import type { ViewContext } from "@/lib/views/context";

// The payers and plans a page's filter bar offers: the viewer's own (ViewContext.dims), as the
// plain options a client component can take.

export const payerOptions = (ctx: ViewContext) => ctx.dims.payers.map((p) => ({ key: p.key, name: p.name }));

export const planOptions = (ctx: ViewContext) => ctx.dims.plans.map((p) => ({ key: p.planId, name: p.planName, payerKey: p.payerKey }));
