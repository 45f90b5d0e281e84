import { getDatabase, getReadDatabase, noteDatabaseError } from "@/db";
import { serveEvaluateMeasure } from "@/lib/fhir-api/evaluate-measure";
import { authenticate } from "../../../../../_lib/request";

// GET /api/fhir/Measure/<id>/$evaluate-measure (SPEC section 5b). A dynamic segment takes the
// operation, `$evaluate-measure` as the client writes it or percent-encoded (%24…), which Next.js
// decodes; lib/fhir-api answers any other operation with a 404 OperationOutcome.
export const dynamic = "force-dynamic";

const deps = { getDatabase, getReadDatabase, authenticate, noteError: noteDatabaseError };

export async function GET(request: Request, { params }: { params: Promise<{ measure: string; operation: string }> }) {
  const { measure, operation } = await params;
  return serveEvaluateMeasure(request, measure, operation, deps);
}
