import { assertMemberLevel } from "../access";
import { addDays } from "../dates";
import { CENTRAL_DXA_CODES, INITIAL_ENCOUNTER_FRACTURE_PREFIXES, ORDER_CODE, OSTEOPOROTIC_FRACTURE_PREFIX, OTHER_BONE_DENSITY_CODES, RESULT_CODE } from "../derive/codes";
import type { ViewContext } from "../views/context";
import {
  completedYears,
  explainEpisode,
  explainOrder,
  explainScreening,
  type Attribution,
  type EpisodeFact,
  type ExplainFilters,
  type MeasureVerdict,
  type OrderFact,
} from "./explain";

// One member on one page (issue 14, /members/[memberId]): coverage, orders, every version of the
// claim lines DXA tracking reads, studies, results and fracture episodes, and for each order and
// episode why each measure counts it or not. Member-level: quality officers and admins only.

export * from "./explain";

export type CoverageSpan = { planId: string; planName: string; payerKey: string; payerName: string; productLine: string; start: string; end: string | null };

export type ClaimLineVersion = {
  lineNumber: number;
  serviceDate: string;
  procedureCode: string;
  modifiers: string[];
  lineStatus: string;
  diagnosisCodes: string[];
  planId: string;
  /** Why DXA tracking reads the line. */
  tracked: "central DXA" | "other bone density" | "3096F order" | "3095F result" | "fracture diagnosis";
};

export type ClaimVersion = {
  receivedDate: string;
  frequencyCode: 1 | 7 | 8;
  /** `winning`: the version D1 keeps (its lines count; none when it is a void); `superseded`: a
   *  later or stronger version replaced it; `after_as_of`: received after the as-of date, not
   *  read in this snapshot. */
  state: "winning" | "superseded" | "after_as_of";
  lines: ClaimLineVersion[];
};

export type MemberClaim = { claimId: string; voided: boolean; versions: ClaimVersion[] };

export type MemberStudy = { studyDate: string; components: string[]; billingComplete: boolean; resultDate: string | null; lineCount: number; deniedLineCount: number; payerName: string };

export type MemberRecord = {
  member: { memberId: string; birthDate: string; sex: string; ageOnAsOf: number };
  coverage: CoverageSpan[];
  claims: MemberClaim[];
  studies: MemberStudy[];
  /** Effective 3095F lines (without 8P): documented results. */
  results: { serviceDate: string; claimId: string }[];
  orders: (OrderFact & { orderingNpi: string | null; verdicts: MeasureVerdict[] })[];
  episodes: (EpisodeFact & { verdict: MeasureVerdict })[];
  screening: MeasureVerdict;
  /** The plan D7 attributes the member to on the period end (the screening measure's anchor). */
  screeningAttribution: Attribution | null;
};

function trackedAs(code: string, diagnoses: readonly string[]): ClaimLineVersion["tracked"] | null {
  if ((CENTRAL_DXA_CODES as readonly string[]).includes(code)) return "central DXA";
  if ((OTHER_BONE_DENSITY_CODES as readonly string[]).includes(code)) return "other bone density";
  if (code === ORDER_CODE) return "3096F order";
  if (code === RESULT_CODE) return "3095F result";
  const codes = diagnoses.map((d) => d.toUpperCase().replaceAll(".", ""));
  const fracture = codes.some(
    (d) => d.startsWith(OSTEOPOROTIC_FRACTURE_PREFIX) || (d.length === 7 && /[ABC]$/.test(d) && INITIAL_ENCOUNTER_FRACTURE_PREFIXES.some((p) => d.startsWith(p))),
  );
  return fracture ? "fracture diagnosis" : null;
}

type AttributionRow = { plan_id: string | null; plan_name: string | null; payer_key: string; payer_name: string; product_line: string | null };

/** How the derivation's plan for a unit came about, told from the member's coverage. */
function attributionOf(row: AttributionRow, anchor: string, coverage: readonly CoverageSpan[]): Attribution {
  const span = row.plan_id === null ? undefined : coverage.find((c) => c.planId === row.plan_id && c.start <= anchor && (c.end === null || c.end >= anchor));
  return {
    planId: row.plan_id,
    planName: row.plan_name,
    payerKey: row.payer_key,
    payerName: row.payer_name,
    productLine: row.product_line,
    how: row.plan_id === null ? "none" : span ? "coverage" : "billed_plan",
    span: span ? { start: span.start, end: span.end } : null,
  };
}

/** The member's record for a viewer and the context's filters; null when there is no such member. */
export async function getMemberRecord(ctx: ViewContext, memberId: string): Promise<MemberRecord | null> {
  assertMemberLevel(ctx.viewer, "orders");
  const { db, asOf, filters } = ctx;
  const [member] = await db.query<{ member_id: string; birth_date: string; sex: string }>(`SELECT member_id, birth_date, sex::text AS sex FROM members WHERE member_id = $1`, [
    memberId,
  ]);
  if (!member) return null;
  const attributed = (table: string) => `${table} t LEFT JOIN plans pl ON pl.plan_id = t.plan_id JOIN payers p ON p.key = t.payer_key`;
  const attributionColumns = `t.plan_id, pl.plan_name, t.payer_key, p.display_name AS payer_name, ${"t.product_line::text AS product_line"}`;
  const [coverage, lines, studies, results, orders, episodes] = await Promise.all([
    db.query<CoverageSpan>(
      `SELECT cv.plan_id AS "planId", pl.plan_name AS "planName", pl.payer_key AS "payerKey", p.display_name AS "payerName",
         pl.product_line::text AS "productLine", cv.start_date AS start, cv.end_date AS "end"
       FROM coverage cv JOIN plans pl ON pl.plan_id = cv.plan_id JOIN payers p ON p.key = pl.payer_key
       WHERE cv.member_id = $1 ORDER BY cv.start_date, cv.plan_id COLLATE "C"`,
      [memberId],
    ),
    db.query<{ claim_id: string; received_date: string; frequency_code: number; line_number: number; service_date: string; procedure_code: string; modifiers: string[]; line_status: string; diagnosis_codes: string[]; plan_id: string }>(
      `SELECT claim_id, received_date, frequency_code, line_number, service_date, procedure_code, modifiers, line_status::text AS line_status,
         diagnosis_codes, plan_id
       FROM claim_lines WHERE member_id = $1 ORDER BY claim_id COLLATE "C", received_date, frequency_code, line_number`,
      [memberId],
    ),
    db.query<{ study_date: string; has_global: boolean; has_tc: boolean; has_professional: boolean; billing_complete: boolean; result_date: string | null; line_count: number; denied_line_count: number; payer_name: string }>(
      `SELECT s.study_date, s.has_global, s.has_tc, s.has_professional, s.billing_complete, s.result_date, s.line_count, s.denied_line_count,
         p.display_name AS payer_name
       FROM dxa_studies s JOIN payers p ON p.key = s.payer_key WHERE s.as_of = $1::date AND s.member_id = $2 ORDER BY s.study_date`,
      [asOf, memberId],
    ),
    db.query<{ service_date: string; claim_id: string }>(
      `SELECT service_date, claim_id FROM effective_lines
       WHERE as_of = $1::date AND member_id = $2 AND procedure_code = '${RESULT_CODE}' AND NOT has_not_performed ORDER BY service_date`,
      [asOf, memberId],
    ),
    db.query<AttributionRow & { order_id: string; source: "ehr" | "claim"; order_date: string; status: "active" | "cancelled"; captured: boolean; study_date: string | null; days_to_scan: number | null; result_documented: boolean; ordering_npi: string | null }>(
      `SELECT t.order_id, t.source::text AS source, t.order_date, t.status::text AS status, t.captured, t.study_date, t.days_to_scan,
         t.result_documented, t.ordering_npi, ${attributionColumns}
       FROM ${attributed("order_facts")} WHERE t.as_of = $1::date AND t.member_id = $2 ORDER BY t.order_date, t.order_id COLLATE "C"`,
      [asOf, memberId],
    ),
    db.query<AttributionRow & { episode_date: string; follow_up_date: string | null; follow_up_days: number | null }>(
      `SELECT t.episode_date, t.follow_up_date, t.follow_up_days, ${attributionColumns}
       FROM ${attributed("fracture_episodes")} WHERE t.as_of = $1::date AND t.member_id = $2 ORDER BY t.episode_date`,
      [asOf, memberId],
    ),
  ]);

  const f: ExplainFilters = { from: filters.from, to: filters.to, window: filters.window, asOf, payers: filters.payers, plans: filters.plans, productLines: filters.productLines };
  const orderFacts = orders.map((o) => {
    const fact: OrderFact = {
      orderId: o.order_id,
      source: o.source,
      orderDate: o.order_date,
      status: o.status,
      captured: o.captured,
      studyDate: o.study_date,
      daysToScan: o.days_to_scan,
      resultDocumented: o.result_documented,
      attribution: attributionOf(o, o.order_date, coverage),
    };
    return { ...fact, orderingNpi: o.ordering_npi, verdicts: explainOrder(fact, f) };
  });
  const episodeFacts = episodes.map((e) => {
    const fact: EpisodeFact = { episodeDate: e.episode_date, followUpDate: e.follow_up_date, followUpDays: e.follow_up_days, attribution: attributionOf(e, e.episode_date, coverage) };
    return { ...fact, verdict: explainEpisode(fact, f) };
  });
  const onPeriodEnd = screeningAttribution(coverage, f.to);
  return {
    member: { memberId: member.member_id, birthDate: member.birth_date, sex: member.sex, ageOnAsOf: completedYears(member.birth_date, asOf) },
    coverage,
    claims: claimsOf(lines, asOf),
    studies: studies.map((s) => ({
      studyDate: s.study_date,
      components: [s.has_global ? "global" : null, s.has_tc ? "TC" : null, s.has_professional ? "26" : null].filter((c): c is string => c !== null),
      billingComplete: s.billing_complete,
      resultDate: s.result_date,
      lineCount: s.line_count,
      deniedLineCount: s.denied_line_count,
      payerName: s.payer_name,
    })),
    results: results.map((r) => ({ serviceDate: r.service_date, claimId: r.claim_id })),
    orders: orderFacts,
    episodes: episodeFacts,
    screening: explainScreening(
      {
        sex: member.sex,
        ageAtPeriodEnd: completedYears(member.birth_date, f.to),
        attribution: onPeriodEnd,
        priorStudy: studies.map((s) => s.study_date).filter((d) => d >= addDays(f.from, -730) && d <= addDays(f.from, -1)).at(-1) ?? null,
        orderInPeriod: orders.find((o) => o.status !== "cancelled" && o.order_date >= f.from && o.order_date <= f.to)?.order_date ?? null,
      },
      f,
    ),
    screeningAttribution: onPeriodEnd,
  };
}

/** D7 at the period end for the screening population: the active span with the latest start,
 *  on a tie the smallest plan id in byte order. */
function screeningAttribution(coverage: readonly CoverageSpan[], date: string): Attribution | null {
  const active = coverage.filter((c) => c.start <= date && (c.end === null || c.end >= date));
  if (active.length === 0) return null;
  const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const span = active.sort((a, b) => (a.start === b.start ? byteOrder(a.planId, b.planId) : a.start < b.start ? 1 : -1))[0]!;
  return {
    planId: span.planId,
    planName: span.planName,
    payerKey: span.payerKey,
    payerName: span.payerName,
    productLine: span.productLine,
    how: "coverage",
    span: { start: span.start, end: span.end },
  };
}

const FREQUENCY_RANK: Record<number, number> = { 8: 3, 7: 2, 1: 1 };

/** The claim lines DXA tracking reads, by claim and version, with D1's verdict on each version:
 *  the latest received wins, on a tie a void over a replacement over an original. */
function claimsOf(
  lines: { claim_id: string; received_date: string; frequency_code: number; line_number: number; service_date: string; procedure_code: string; modifiers: string[]; line_status: string; diagnosis_codes: string[]; plan_id: string }[],
  asOf: string,
): MemberClaim[] {
  const claims = new Map<string, Map<string, ClaimVersion>>();
  const trackedClaims = new Set<string>();
  for (const l of lines) {
    // Every version takes part in D1 (a replacement without the DXA line still wins and drops
    // it), but only the lines DXA tracking reads are shown.
    const versions = claims.get(l.claim_id) ?? new Map<string, ClaimVersion>();
    claims.set(l.claim_id, versions);
    const key = `${l.received_date}|${l.frequency_code}`;
    const version = versions.get(key) ?? { receivedDate: l.received_date, frequencyCode: l.frequency_code as 1 | 7 | 8, state: "superseded" as const, lines: [] };
    versions.set(key, version);
    const tracked = trackedAs(l.procedure_code, l.diagnosis_codes);
    if (!tracked) continue;
    trackedClaims.add(l.claim_id);
    version.lines.push({
      lineNumber: l.line_number,
      serviceDate: l.service_date,
      procedureCode: l.procedure_code,
      modifiers: l.modifiers,
      lineStatus: l.line_status,
      diagnosisCodes: l.diagnosis_codes,
      planId: l.plan_id,
      tracked,
    });
  }
  return [...claims].filter(([claimId]) => trackedClaims.has(claimId)).map(([claimId, byKey]) => {
    const versions = [...byKey.values()];
    const readable = versions.filter((v) => v.receivedDate <= asOf);
    const winner = readable.sort((a, b) => (a.receivedDate === b.receivedDate ? FREQUENCY_RANK[b.frequencyCode]! - FREQUENCY_RANK[a.frequencyCode]! : a.receivedDate < b.receivedDate ? 1 : -1))[0];
    for (const v of versions) v.state = v.receivedDate > asOf ? "after_as_of" : v === winner ? "winning" : "superseded";
    versions.sort((a, b) => (a.receivedDate === b.receivedDate ? a.frequencyCode - b.frequencyCode : a.receivedDate < b.receivedDate ? -1 : 1));
    return { claimId, voided: winner?.frequencyCode === 8, versions };
  });
}
