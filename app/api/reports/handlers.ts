import { getDatabase, getReadDatabase, noteDatabaseError } from "@/db";
import { serveReport, type ReportName } from "@/lib/reports";
import { authenticate } from "../../_lib/request";

/** GET and HEAD of a report URL (SPEC section 7); lib/reports does the work. */
export function reportHandlers(report: ReportName) {
  const deps = { getDatabase, getReadDatabase, authenticate, noteError: noteDatabaseError };
  return {
    GET: (request: Request) => serveReport(report, request, deps),
    HEAD: (request: Request) => serveReport(report, request, deps, true),
  };
}
