import { notFound } from "next/navigation";
import { AccessDeniedError } from "@/lib/access";
import type { SearchParams } from "@/lib/filters";
import { assertPayerInScope, type ViewContext } from "@/lib/views/context";
import { denyPage, pageContext } from "../../_lib/request";

export type PayerOfPage = ViewContext["dims"]["payers"][number];

/**
 * What a payer's pages (the payer page, its scorecard) do first: the request's context, then the
 * payer refused when outside the viewer's assignment — whether or not it exists, its existence
 * is not theirs to learn (403, audited) — and only then an unknown key answered 404. Null when
 * no claims are loaded yet.
 */
export async function openPayerPage(route: string, query: SearchParams, payerKey: string): Promise<{ ctx: ViewContext; payer: PayerOfPage } | null> {
  const ctx = await pageContext(route, query);
  if (!ctx) return null;
  try {
    assertPayerInScope(ctx.viewer, payerKey);
  } catch (error) {
    if (error instanceof AccessDeniedError) return denyPage(ctx.viewer, route, query, error);
    throw error;
  }
  const payer = ctx.dims.payers.find((p) => p.key === payerKey);
  if (!payer) notFound();
  return { ctx, payer };
}
