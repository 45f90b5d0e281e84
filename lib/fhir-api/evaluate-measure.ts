import { isConnectionError, UNREACHABLE_MESSAGE } from "@/db/availability";
import type { Sql } from "@/db/client";
import type { ReadSource } from "@/db/replicas";
import { AccessDeniedError, assertMemberLevel, suppressionApplies, type Viewer } from "../access";
import { filtersOf, recordAudit } from "../audit";
import type { ViewerResolution } from "../auth/viewer";
import { loadMeasurePackage } from "../cms249/package";
import { countCms249Populations, ensureCms249Periods, getCms249Status, getPatientPopulations } from "../cms249/results";
import { IMPROVEMENT_NOTATION_SYSTEM, MEASURE_POPULATION_SYSTEM, POPULATION_DISPLAY, cms249Score, type PopulationCode, type PopulationCounts } from "../cms249/measure-report";
import { getDataAsOf } from "../derive";
import { parseFilters, toMeasureQuery, type SearchParams } from "../filters";
import { getMeasure } from "../measures";
import { CLAIMS_MEASURE_KEYS, LOWER_IS_BETTER, type ClaimsMeasureKey, type MeasureKey } from "../measures/types";
import { getMemberRecord } from "../members";
import { isSmallCount } from "../stats/suppression";
import { getViewContext, type ViewContext } from "../views/context";
import { auditActor } from "../reports/serve";

/*
 * GET /api/fhir/Measure/<id>/$evaluate-measure (SPEC section 5b; FHIR R4 Clinical Reasoning,
 * https://hl7.org/fhir/R4/measure-operation-evaluate-measure.html): a MeasureReport of CMS249 or
 * of one of our five measures, as application/fhir+json. Web-standard Request and Response only,
 * like lib/reports/serve.ts, so that it runs (and is tested) outside Next.js.
 *
 * - `reportType=subject&subject=Patient/<id>` (or a subject alone): the patient's individual
 *   report. Member-level (SPEC section 10): quality officers and admins only, audited like the
 *   member page; an id not loaded is a 404, audited too.
 * - `reportType=population` (the default; `summary`, the later versions' name, is accepted):
 *   the summary of everyone in the viewer's scope — a payer-relations user's payers only, with
 *   small cells masked (a count withheld carries the data-absent-reason `masked`).
 * - `periodStart`, `periodEnd`: the measurement period, dates YYYY-MM-DD, bounded as every
 *   period of the product (lib/filters.ts); by default the pages' default period. Our own
 *   measures take the product's `window` (30, 60, 90, 180) and `asOf` too.
 * Errors are OperationOutcomes: 400 naming the parameter, 401 (with WWW-Authenticate: Bearer),
 * 403, 404, 409 (nothing loaded to report on), 503.
 */

export type FhirApiDependencies = {
  getDatabase: () => Promise<Sql>;
  getReadDatabase?: () => Promise<{ db: Sql; source: ReadSource }>;
  authenticate: (request: Request) => Promise<ViewerResolution>;
  noteError?: (error: unknown) => void;
  /** When the report is made (MeasureReport.date); now by default. */
  now?: () => Date;
};

export const FHIR_JSON = "application/fhir+json; charset=utf-8";
export const OPERATION = "$evaluate-measure";

/** The Measure ids served: CMS249 by its short name (SPEC 5b) or its key, ours by key. */
export function measureOfId(id: string): MeasureKey | null {
  if (id === "cms249" || id === "cms249_dxa_overuse") return "cms249_dxa_overuse";
  return (CLAIMS_MEASURE_KEYS as readonly string[]).includes(id) ? (id as ClaimsMeasureKey) : null;
}

type IssueCode = "invalid" | "login" | "forbidden" | "not-found" | "not-supported" | "conflict" | "transient" | "exception";

export function operationOutcome(status: number, code: IssueCode, diagnostics: string, headers: Record<string, string> = {}): Response {
  const body = { resourceType: "OperationOutcome", issue: [{ severity: "error", code, diagnostics }] };
  return new Response(`${JSON.stringify(body, null, 2)}\n`, { status, headers: { "Content-Type": FHIR_JSON, "Cache-Control": "no-store", ...headers } });
}

/** 401 as an OperationOutcome, with the challenge SPEC section 10 asks for. */
export function fhirUnauthorized(reason: Exclude<ViewerResolution, { ok: true }>["reason"]): Response {
  const challenge = reason === "invalid_token" ? 'Bearer realm="DXA Tracker", error="invalid_token"' : 'Bearer realm="DXA Tracker"';
  const text =
    reason === "invalid_token"
      ? "The API token is not valid: it is unknown, expired or revoked."
      : reason === "disabled"
        ? "This account is disabled."
        : "Sign in first: send `Authorization: Bearer <token>` (an API token), or a session cookie from /sign-in.";
  return operationOutcome(401, "login", text, { "WWW-Authenticate": challenge });
}

const PARAMETERS = ["periodStart", "periodEnd", "reportType", "subject", "window", "asOf", "_format"] as const;
const REPORT_TYPES = ["subject", "population", "summary"] as const;
const PATIENT_REFERENCE = /^Patient\/([A-Za-z0-9\-.]{1,64})$/;
const FORMATS = ["json", "application/json", "application/fhir+json"];

type Invalid = { name: string; value: string; allowed: string };
type Parsed = {
  reportType: "subject" | "population";
  patientId: string | null;
  /** The product's filter parameters (from, to, window, asOf), for lib/filters. */
  params: SearchParams;
  invalid: Invalid[];
};

/** The operation's parameters: each given at most once, each checked, every problem named. */
export function parseEvaluateParameters(query: URLSearchParams, measure: MeasureKey): Parsed {
  const invalid: Invalid[] = [];
  const one = (name: string): string | undefined => {
    const values = query.getAll(name);
    if (values.length > 1) invalid.push({ name, value: values.join(","), allowed: "one value" });
    const value = values[0];
    if (value !== undefined && value.length > 200) {
      invalid.push({ name, value: `${value.slice(0, 77)}…`, allowed: "at most 200 characters" });
      return undefined;
    }
    return value === "" ? undefined : value;
  };
  for (const name of new Set(query.keys())) {
    if (!(PARAMETERS as readonly string[]).includes(name)) invalid.push({ name, value: query.get(name)!.slice(0, 80), allowed: `no such parameter; $evaluate-measure takes ${PARAMETERS.join(", ")}` });
  }
  const format = one("_format");
  if (format !== undefined && !FORMATS.includes(format)) invalid.push({ name: "_format", value: format, allowed: FORMATS.join(", ") });
  const subject = one("subject");
  const typeGiven = one("reportType");
  let reportType: Parsed["reportType"] = subject !== undefined ? "subject" : "population";
  if (typeGiven !== undefined) {
    if (!(REPORT_TYPES as readonly string[]).includes(typeGiven)) invalid.push({ name: "reportType", value: typeGiven, allowed: "subject, population (summary)" });
    else reportType = typeGiven === "subject" ? "subject" : "population";
  }
  let patientId: string | null = null;
  if (reportType === "subject") {
    const match = subject === undefined ? null : PATIENT_REFERENCE.exec(subject);
    if (!match) invalid.push({ name: "subject", value: subject ?? "", allowed: "Patient/<id> (a FHIR id: letters, digits, - and ., at most 64)" });
    else patientId = match[1]!;
  } else if (subject !== undefined) {
    invalid.push({ name: "subject", value: subject, allowed: "no subject with reportType=population" });
  }
  const params: SearchParams = Object.create(null) as SearchParams;
  const start = one("periodStart");
  const end = one("periodEnd");
  if (start !== undefined) params.from = start;
  if (end !== undefined) params.to = end;
  for (const name of ["window", "asOf"] as const) {
    const value = one(name);
    if (value === undefined) continue;
    if (measure === "cms249_dxa_overuse") invalid.push({ name, value, allowed: `no ${name} for CMS249 (its period is all it takes)` });
    else params[name] = value;
  }
  return { reportType, patientId, params, invalid };
}

const RENAMED: Record<string, string> = { from: "periodStart", to: "periodEnd" };
const renamed = (list: readonly Invalid[]) => list.map((p) => ({ ...p, name: RENAMED[p.name] ?? p.name, allowed: p.allowed.replace(/\bfrom\b/g, "periodStart").replace(/\bto \(/g, "periodEnd (") }));
const describe = (list: readonly Invalid[]) => list.map((p) => `Invalid parameter ${p.name}=${JSON.stringify(p.value)}: allowed ${p.allowed}.`).join("\n");

export async function serveEvaluateMeasure(request: Request, measureId: string, operation: string, deps: FhirApiDependencies): Promise<Response> {
  const url = new URL(request.url);
  const route = url.pathname;
  let viewer: Viewer | null = null;
  let db: Sql | null = null;
  try {
    db = await deps.getDatabase();
    const who = await deps.authenticate(request);
    if (!who.ok) return fhirUnauthorized(who.reason);
    viewer = who.viewer;
    if (operation !== OPERATION) return operationOutcome(404, "not-supported", `Measure/${measureId}/${operation}: the operation served is ${OPERATION}.`);
    const measure = measureOfId(measureId);
    if (!measure) return operationOutcome(404, "not-found", `No Measure ${measureId}: the measures are cms249 (cms249_dxa_overuse), ${CLAIMS_MEASURE_KEYS.join(", ")}.`);
    const parsed = parseEvaluateParameters(url.searchParams, measure);
    // Member-level before anything is read about the subject (SPEC section 10).
    if (parsed.reportType === "subject") assertMemberLevel(viewer, "orders");
    const read = deps.getReadDatabase ? await deps.getReadDatabase() : { db, source: { kind: "primary" as const } };
    const date = (deps.now?.() ?? new Date()).toISOString();
    const audit = (action: "member_view" | "export", rows: number, detail: string) =>
      recordAudit(db!, { ...auditActor(viewer!), action, route, filters: filtersOf(url.searchParams), rows, detail });

    if (measure === "cms249_dxa_overuse") {
      const dataAsOf = await getDataAsOf(read.db);
      const filters = parseFilters(parsed.params, dataAsOf);
      const invalid = [...parsed.invalid, ...renamed(filters.invalid)];
      if (invalid.length > 0) return operationOutcome(400, "invalid", describe(invalid));
      const period = { start: filters.filters.from, end: filters.filters.to };
      // Evaluating writes: on the primary (lib/measures/cms249.ts), and read there.
      const status = await getCms249Status(db);
      if (!status.fhirData) return operationOutcome(409, "conflict", "No FHIR data are loaded: CMS249 is computed from FHIR resources (Patient, Encounter, ServiceRequest, …). Import a FHIR export first.");
      await ensureCms249Periods(db, [period]);
      const pkg = loadMeasurePackage();
      if (parsed.reportType === "subject") {
        const patientId = parsed.patientId!;
        const known = await patientKnown(db, patientId);
        await audit("member_view", known ? 1 : 0, `CMS249 MeasureReport of Patient/${patientId}${known ? "" : ": not found"}`);
        if (!known) return operationOutcome(404, "not-found", `No Patient/${patientId} is loaded.`);
        const { populations, error } = await getPatientPopulations(db, period, patientId);
        if (error !== null) return operationOutcome(500, "exception", `The CQL engine could not evaluate Patient/${patientId}: ${error}`);
        const counts: PopulationCounts = {
          initialPopulation: Number(populations.initialPopulation),
          denominator: Number(populations.denominator),
          denominatorExclusion: Number(populations.denominatorExclusion),
          numerator: Number(populations.numerator),
          numeratorExclusion: Number(populations.numeratorExclusion),
        };
        return fhirJson(measureReport({ type: "individual", measure: pkg.canonical, groupId: pkg.groupId, period, date, lowerIsBetter: true, subject: patientId, populations: cms249Populations(counts, false), score: null }));
      }
      const counts = await countCms249Populations(db, period, viewer.payerScope);
      const suppress = suppressionApplies(viewer, false);
      const populations = cms249Populations(counts, suppress);
      const masked = populations.some((p) => p.count === null);
      const score = masked ? null : cms249Score(counts);
      await audit("export", 1, `CMS249 summary MeasureReport ${period.start} to ${period.end}${suppress ? ", small cells masked" : ""}`);
      return fhirJson(measureReport({ type: "summary", measure: pkg.canonical, groupId: pkg.groupId, period, date, lowerIsBetter: true, populations, score }));
    }

    const ctx = await getViewContext(read.db, viewer, parsed.params, { primary: db, readSource: read.source });
    const invalid = [...parsed.invalid, ...renamed(ctx ? ctx.invalid : parseFilters(parsed.params, null).invalid)];
    if (invalid.length > 0) return operationOutcome(400, "invalid", describe(invalid));
    if (!ctx) return operationOutcome(409, "conflict", "The warehouse holds no claims yet, so there is no as-of date to report on.");
    const period = { start: ctx.filters.from, end: ctx.filters.to };
    const canonical = `${url.origin}/api/fhir/Measure/${measure}`;
    if (parsed.reportType === "subject") {
      const patientId = parsed.patientId!;
      const record = await getMemberRecord(ctx, patientId);
      await audit("member_view", record ? 1 : 0, `${measure} MeasureReport of Patient/${patientId}${record ? "" : ": not found"}`);
      if (!record) return operationOutcome(404, "not-found", `No Patient/${patientId} (member) is loaded.`);
      const verdicts = [...record.orders.flatMap((o) => o.verdicts), ...record.episodes.map((e) => e.verdict), record.screening].filter((v) => v.measure === measure);
      const denominator = verdicts.filter((v) => v.verdict === "numerator" || v.verdict === "denominator").length;
      const numerator = verdicts.filter((v) => v.verdict === "numerator").length;
      return fhirJson(
        measureReport({ type: "individual", measure: canonical, period, date, lowerIsBetter: false, subject: patientId, populations: proportionPopulations(denominator, numerator), score: null }),
      );
    }
    const result = await getMeasure(ctx, toMeasureQuery(ctx.filters, ctx.asOf, { measure, groupBy: "payer" }), { suppress: ctx.suppress });
    const total = result.total;
    const populations = proportionPopulations(total.denominator, total.numerator);
    await audit("export", 1, `${measure} summary MeasureReport ${period.start} to ${period.end} as of ${ctx.asOf}${ctx.suppress ? ", small cells masked" : ""}`);
    return fhirJson(
      measureReport({
        type: "summary",
        measure: canonical,
        period,
        date,
        lowerIsBetter: LOWER_IS_BETTER.has(measure),
        populations,
        score: total.visibility.rateHidden ? null : total.rate,
        extraExtension: asOfExtension(ctx),
      }),
    );
  } catch (error) {
    if (error instanceof AccessDeniedError && viewer && db) {
      await recordAudit(db, { ...auditActor(viewer), action: "access_denied", route, filters: filtersOf(url.searchParams), detail: error.message }).catch(() => {});
      return operationOutcome(403, "forbidden", error.message);
    }
    deps.noteError?.(error);
    if (isConnectionError(error)) return operationOutcome(503, "transient", UNREACHABLE_MESSAGE, { "Retry-After": "5" });
    console.error("$evaluate-measure failed:", error);
    return operationOutcome(503, "exception", "The MeasureReport could not be made from the warehouse. Try again in a moment; if it keeps failing, the server log says why.");
  }
}

async function patientKnown(db: Sql, patientId: string): Promise<boolean> {
  const [row] = await db.query(
    `SELECT 1 FROM fhir_resources WHERE resource_type = 'Patient' AND id = $1 UNION ALL SELECT 1 FROM members WHERE member_id = $1 LIMIT 1`,
    [patientId],
  );
  return row !== undefined;
}

function fhirJson(body: unknown): Response {
  return new Response(`${JSON.stringify(body, null, 2)}\n`, { status: 200, headers: { "Content-Type": FHIR_JSON, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" } });
}

/** A population's count, or null when withheld from this viewer (small-cell suppression). */
type ShownPopulation = { code: PopulationCode; count: number | null };


/**
 * CMS249's five populations. Under suppression a count from 1 to 10 is withheld (SPEC section
 * 5), and so is every count but the initial population's as soon as one of them, or one of the
 * differences a reader could take (denominator − exclusions, numerator − exclusions, and the
 * rate's complement), is from 1 to 10: five related counts would otherwise give a hidden one away.
 */
export function cms249Populations(c: PopulationCounts, suppress: boolean): ShownPopulation[] {
  const all: [PopulationCode, number][] = [
    ["initial-population", c.initialPopulation],
    ["denominator", c.denominator],
    ["denominator-exclusion", c.denominatorExclusion],
    ["numerator", c.numerator],
    ["numerator-exclusion", c.numeratorExclusion],
  ];
  if (!suppress) return all.map(([code, count]) => ({ code, count }));
  const net = c.denominator - c.denominatorExclusion;
  const hit = c.numerator - c.numeratorExclusion;
  const related = [c.denominator, c.denominatorExclusion, c.numerator, c.numeratorExclusion, net, hit, net - hit, c.initialPopulation - c.denominator];
  const maskAll = related.some(isSmallCount);
  return all.map(([code, count]) => ({ code, count: isSmallCount(count) || (maskAll && code !== "initial-population") ? null : count }));
}

/** Our measures' populations: the denominator is the population (pending units are left out,
 *  as on the pages); a count hidden by suppression is withheld. */
function proportionPopulations(denominator: number | null, numerator: number | null): ShownPopulation[] {
  return [
    { code: "initial-population", count: denominator },
    { code: "denominator", count: denominator },
    { code: "numerator", count: numerator },
  ];
}

const DATA_ABSENT_REASON = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";

function measureReport(r: {
  type: "individual" | "summary";
  measure: string;
  groupId?: string;
  period: { start: string; end: string };
  date: string;
  lowerIsBetter: boolean;
  subject?: string;
  populations: ShownPopulation[];
  score: number | null;
  extraExtension?: unknown[];
}) {
  return {
    resourceType: "MeasureReport",
    ...(r.extraExtension?.length ? { extension: r.extraExtension } : {}),
    status: "complete",
    type: r.type,
    measure: r.measure,
    ...(r.subject ? { subject: { reference: `Patient/${r.subject}` } } : {}),
    date: r.date,
    period: { start: r.period.start, end: r.period.end },
    improvementNotation: {
      coding: [{ system: IMPROVEMENT_NOTATION_SYSTEM, code: r.lowerIsBetter ? "decrease" : "increase", display: r.lowerIsBetter ? "Decreased score indicates improvement" : "Increased score indicates improvement" }],
    },
    group: [
      {
        ...(r.groupId ? { id: r.groupId } : {}),
        population: r.populations.map((p) => ({
          code: { coding: [{ system: MEASURE_POPULATION_SYSTEM, code: p.code, display: POPULATION_DISPLAY[p.code] }] },
          ...(p.count === null ? { extension: [{ url: DATA_ABSENT_REASON, valueCode: "masked" }] } : { count: p.count }),
        })),
        ...(r.score === null ? {} : { measureScore: { value: r.score } }),
      },
    ],
  };
}

/** Our measures are read on a snapshot: its as-of date (and the window) said in the report. */
function asOfExtension(ctx: ViewContext): unknown[] {
  return [
    { url: "https://dxa-tracker.example/fhir/StructureDefinition/as-of-date", valueDate: ctx.asOf },
    { url: "https://dxa-tracker.example/fhir/StructureDefinition/follow-up-window-days", valueInteger: ctx.filters.window },
  ];
}
