// The care story of one member: what was ordered, scanned, documented and fractured, told as
// EHR orders and claim drafts. Rates come from the payer of the day (catalog.ts), so that the
// product's per-payer figures differ, and every derivation rule of SPEC section 4 meets its
// edge cases: captures just outside 14 days, claim-only orders, split bills with a missing
// component, late results, 8P lines, fractures coded every way real files code them.
import {
  CENTRAL_DXA,
  COMORBIDITIES,
  DXA_DIAGNOSES,
  EXTRA_MODIFIERS,
  FRACTURES,
  NOT_PERFORMED,
  OFFICE_VISIT_CODES,
  ORDER_CODE,
  OTHER_BONE_DENSITY,
  RESULT_CODE,
  UNCOVERED_BEHAVIOUR,
  VISIT_DIAGNOSES,
  type FractureKind,
  type Indication,
  type PayerBehaviour,
} from "./catalog";
import type { DataWindow } from "./calendar";
import { attributedPlan, type MemberCoverage } from "./coverage";
import { ageOn, type Member } from "./people";
import { WeightedChoice, type Random } from "./prng";
import type { ProviderPool } from "./providers";

export type OrderStatus = "active" | "cancelled" | "";

export interface EhrOrder {
  id: string;
  orderDate: number;
  /** "" when the extract has no NPI. */
  orderingNpi: string;
  indication: Indication | "";
  /** "" = not given (the importer defaults it to active). */
  status: OrderStatus;
}

export type ClaimType = "professional" | "institutional";

export interface ServiceLine {
  code: string;
  /** `;`-separated, "" for none. */
  modifiers: string;
  serviceDate: number;
  billedCents: number;
  renderingNpi: string;
}

export interface ClaimDraft {
  claimType: ClaimType;
  /** "" when not given (common on institutional claims). */
  placeOfService: string;
  /** `;`-separated, as written on the claim. */
  diagnosisCodes: string;
  lines: ServiceLine[];
}

export interface CareContext {
  rng: Random;
  member: Member;
  coverage: MemberCoverage;
  providers: ProviderPool;
  window: DataWindow;
  /** Orders most tests and reports most results. */
  primaryClinician: string;
  orders: EhrOrder[];
  claims: ClaimDraft[];
}

// ---- Volumes (per member over the window, tuned to ~0.5 orders and ~3 claim lines per member)

/** Yearly rate of DXA orders by sex and age: highest for women 65–85 (the screening population). */
function yearlyOrderRate(member: Member, age: number): number {
  if (member.sex === "M") return age >= 70 ? 0.1 : age >= 50 ? 0.04 : 0.005;
  const female = age >= 86 ? 0.16 : age >= 65 ? 0.36 : age >= 45 ? 0.1 : 0.01;
  return member.sex === "F" ? female : female * 0.7;
}

/** Yearly rate of fragility fractures: rises steeply with age, higher in women. */
function yearlyFractureRate(member: Member, age: number): number {
  const base = age >= 80 ? 0.03 : age >= 65 ? 0.015 : age >= 50 ? 0.006 : 0.002;
  return member.sex === "M" ? base * 0.5 : base;
}

const CLAIM_ONLY_ORDERS_PER_YEAR = 0.018;
const STUDIES_WITHOUT_ORDER_PER_YEAR = 0.015;
const OFFICE_VISITS_PER_YEAR = 0.3;
const SHARE_WITH_OTHER_BONE_DENSITY = 0.025;
const SHARE_WITH_DECLINED_ORDER = 0.03;
/** Reorders closer than this are not plausible (DXA is repeated every 1–2 years). */
const MIN_DAYS_BETWEEN_ORDERS = 180;

const INDICATIONS = new WeightedChoice<Indication | "">([
  ["screening", 55],
  ["monitoring", 15],
  ["glucocorticoid", 5],
  ["other", 5],
  ["", 20],
]);
const OFFICE_VISITS = new WeightedChoice(OFFICE_VISIT_CODES);
const FRACTURE_KINDS = new WeightedChoice<FractureKind>(FRACTURES);

// ---- Small helpers ------------------------------------------------------------------------

function behaviourOn(ctx: CareContext, day: number): PayerBehaviour {
  return attributedPlan(ctx.coverage.spans, day)?.behaviour ?? UNCOVERED_BEHAVIOUR;
}

function line(code: string, serviceDate: number, billedCents: number, renderingNpi: string, modifiers = ""): ServiceLine {
  return { code, modifiers, serviceDate, billedCents, renderingNpi };
}

function addClaim(ctx: CareContext, claimType: ClaimType, placeOfService: string, diagnosisCodes: string, lines: ServiceLine[]): ClaimDraft {
  const claim: ClaimDraft = { claimType, placeOfService, diagnosisCodes, lines };
  ctx.claims.push(claim);
  return claim;
}

/** Institutional claims often carry no place of service (the bill type says it instead). */
function institutionalPlace(rng: Random, placeOfService: string): string {
  return rng.chance(0.3) ? "" : placeOfService;
}

/** Submitters write ICD-10 codes with dots, without, and now and then in lower case. */
function writeDiagnoses(rng: Random, codes: readonly string[]): string {
  const joined = (rng.chance(0.6) ? codes : codes.map((c) => c.replace(".", ""))).join(";");
  return rng.chance(0.07) ? joined.toLowerCase() : joined;
}

/** Most claims carry 1–3 diagnoses; a few are padded with comorbidities up to the limit of 12. */
function withComorbidities(rng: Random, codes: string[]): string[] {
  const extra = rng.chance(0.01) ? 12 - codes.length : rng.chance(0.3) ? rng.int(1, 2) : 0;
  for (let i = 0; i < extra; i++) {
    const code = rng.pick(COMORBIDITIES);
    if (!codes.includes(code)) codes.push(code);
  }
  return codes;
}

function otherModifier(rng: Random, component: string): string {
  if (!rng.chance(0.03)) return component;
  // Now and then the full four: the component plus three others.
  const extras = rng.chance(0.2) ? ["59", "XU", "GA"] : [rng.pick(EXTRA_MODIFIERS)];
  return component === "" ? extras.join(";") : [component, ...extras].join(";");
}

function officeVisitLine(ctx: CareContext, day: number, npi: string): ServiceLine {
  return line(OFFICE_VISITS.draw(ctx.rng), day, ctx.rng.int(9_000, 21_000), npi);
}

function dxaDiagnoses(ctx: CareContext, indication: Indication): string {
  const list = DXA_DIAGNOSES[indication];
  const first = ctx.rng.pick(list);
  const codes = ctx.rng.chance(0.4) ? [first, ctx.rng.pick(list)] : [first];
  return writeDiagnoses(ctx.rng, withComorbidities(ctx.rng, [...new Set(codes)]));
}

// ---- Events ---------------------------------------------------------------------------------

/** A line reporting 3096F, on the ordering visit's claim or on a claim of its own. */
function reportOrderLine(ctx: CareContext, day: number, npi: string, visit: ClaimDraft | null, modifiers = ""): void {
  const reported = line(ORDER_CODE, day, 0, npi, modifiers);
  if (visit && visit.lines[0]?.serviceDate === day) visit.lines.push(reported);
  else addClaim(ctx, "professional", "11", dxaDiagnoses(ctx, "screening"), [reported]);
}

/** Days between the order and its 3096F line: mostly the same visit, a few a little later or earlier, a few just outside 14 days. */
function captureOffset(rng: Random): number {
  const roll = rng.next();
  const sign = rng.chance(0.7) ? 1 : -1;
  if (roll < 0.78) return 0;
  if (roll < 0.95) return sign * rng.int(1, 14);
  return sign * rng.int(15, 24);
}

function orderStatus(rng: Random): OrderStatus {
  const roll = rng.next();
  return roll < 0.05 ? "cancelled" : roll < 0.15 ? "" : "active";
}

function placeEhrOrder(ctx: CareContext, orderDate: number, indication: Indication | ""): void {
  const { rng } = ctx;
  if (orderDate > ctx.window.end) return; // not ordered yet
  const behaviour = behaviourOn(ctx, orderDate);
  const status = orderStatus(rng);
  const npi = rng.chance(0.85) ? ctx.primaryClinician : rng.pick(ctx.providers.clinicians);
  ctx.orders.push({
    id: `O${ctx.member.id.slice(1)}-${ctx.orders.length + 1}`,
    orderDate,
    orderingNpi: rng.chance(0.08) ? "" : npi,
    indication,
    status,
  });
  const reason = indication === "" ? "screening" : indication;
  const visit = rng.chance(0.75)
    ? addClaim(ctx, "professional", "11", dxaDiagnoses(ctx, reason), [officeVisitLine(ctx, orderDate, npi)])
    : null;
  const cancelled = status === "cancelled";
  // A cancelled order was sometimes already reported, and now and then scanned anyway.
  if (rng.chance(cancelled ? 0.2 : behaviour.orderCapture)) {
    const reportDay = orderDate + captureOffset(rng);
    reportOrderLine(ctx, reportDay, npi, visit);
    if (rng.chance(0.02)) reportOrderLine(ctx, reportDay + rng.int(1, 10), npi, null); // reported twice
  }
  if (rng.chance(cancelled ? 0.08 : behaviour.followUp)) {
    addStudy(ctx, orderDate + rng.skewedDays(behaviour.medianDaysToScan, 0.8, 1, 400), reason);
  }
}

/** An order known only from a 3096F claim line (e.g. an outside clinician's order). */
function placeClaimOnlyOrder(ctx: CareContext, orderDate: number): void {
  const { rng } = ctx;
  const npi = rng.pick(ctx.providers.clinicians);
  const visit = addClaim(ctx, "professional", "11", dxaDiagnoses(ctx, "screening"), [officeVisitLine(ctx, orderDate, npi)]);
  reportOrderLine(ctx, orderDate, npi, visit);
  const behaviour = behaviourOn(ctx, orderDate);
  if (rng.chance(behaviour.followUp)) {
    addStudy(ctx, orderDate + rng.skewedDays(behaviour.medianDaysToScan, 0.8, 1, 400), "screening");
  }
}

/** A central DXA: a global bill, or TC (facility) and 26 (reading) with the 26 often a few days later. */
function addStudy(ctx: CareContext, studyDate: number, indication: Indication): void {
  const { rng, providers } = ctx;
  if (studyDate > ctx.window.end) return; // not happened yet
  const code = rng.chance(0.82) ? CENTRAL_DXA[0] : CENTRAL_DXA[1];
  const radiologist = rng.pick(providers.radiologists);
  const diagnoses = dxaDiagnoses(ctx, indication);
  if (rng.chance(0.55)) {
    const place = rng.chance(0.85) ? "11" : "22";
    addClaim(ctx, "professional", place, diagnoses, [
      line(code, studyDate, rng.int(12_000, 22_000), radiologist, otherModifier(rng, "")),
    ]);
  } else {
    const place = rng.chance(0.65) ? "22" : "19";
    const missing = rng.next();
    if (missing >= 0.02) {
      addClaim(ctx, "institutional", institutionalPlace(rng, place), diagnoses, [
        line(code, studyDate, rng.int(8_000, 15_000), rng.pick(providers.facilities), otherModifier(rng, "TC")),
      ]);
    }
    if (missing < 0.02 || missing >= 0.05) {
      const readDate = studyDate + (rng.chance(0.35) ? 0 : rng.int(1, 5));
      addClaim(ctx, "professional", place, diagnoses, [
        line(code, readDate, rng.int(3_000, 6_000), radiologist, otherModifier(rng, "26")),
      ]);
    }
  }
  if (rng.chance(0.82)) addResult(ctx, studyDate);
}

/** 3095F: the result documented, usually within two weeks, sometimes after more than 30 days, now and then "not done" (8P). */
function addResult(ctx: CareContext, studyDate: number): void {
  const { rng } = ctx;
  const roll = rng.next();
  const delay = roll < 0.7 ? rng.int(0, 14) : roll < 0.92 ? rng.int(15, 30) : rng.int(31, 75);
  const day = studyDate + delay;
  const reported = line(RESULT_CODE, day, 0, ctx.primaryClinician, rng.chance(0.03) ? NOT_PERFORMED : "");
  const lines = rng.chance(0.55) ? [officeVisitLine(ctx, day, ctx.primaryClinician), reported] : [reported];
  addClaim(ctx, "professional", "11", dxaDiagnoses(ctx, "monitoring"), lines);
}

/** An initial-encounter code turned into a subsequent-encounter one (`S72.001A` → `S72.001D`). */
function subsequentEncounter(code: string): string {
  return code.slice(0, -1) + "D";
}

/** Open fractures are coded with a 7th character B or C instead of A (still an initial encounter). */
function initialEncounter(rng: Random, code: string): string {
  if (!code.startsWith("S") || !rng.chance(0.05)) return code;
  return code.slice(0, -1) + (rng.chance(0.5) ? "B" : "C");
}

/** A fragility fracture: emergency visit, treatment, a follow-up visit, and DXA at the payer's rate. */
function addFracture(ctx: CareContext, day: number): void {
  const { rng, providers } = ctx;
  const kind = FRACTURE_KINDS.draw(rng);
  const code = initialEncounter(rng, kind.code);
  const clinician = rng.pick(providers.fractureClinicians);
  addClaim(ctx, "institutional", institutionalPlace(rng, "23"), writeDiagnoses(rng, [code, "W19.XXXA"]), [
    line(rng.chance(0.6) ? "99284" : "99285", day, rng.int(45_000, 95_000), rng.pick(providers.facilities)),
  ]);
  if (kind.treatment) {
    const place = kind.treatment === "25600" ? "23" : "21";
    addClaim(ctx, "professional", place, writeDiagnoses(rng, [code]), [
      line(kind.treatment, day + rng.int(0, 1), rng.int(90_000, 240_000), clinician),
    ]);
  }
  if (rng.chance(0.8)) {
    // The follow-up visit is a subsequent encounter (7th character D): not a new episode.
    addClaim(ctx, "professional", "11", writeDiagnoses(rng, [subsequentEncounter(code), "M81.0"]), [
      line("99213", day + rng.int(14, 45), rng.int(9_000, 16_000), clinician),
    ]);
  }
  if (rng.chance(0.05)) {
    // Re-coded as initial again on a later visit: must fold into the same episode.
    addClaim(ctx, "professional", "11", writeDiagnoses(rng, [code]), [
      line("99214", day + rng.int(30, 150), rng.int(12_000, 20_000), clinician),
    ]);
  }
  const behaviour = behaviourOn(ctx, day);
  if (!rng.chance(behaviour.postFractureFollowUp)) return;
  if (rng.chance(0.6)) placeEhrOrder(ctx, day + rng.skewedDays(30, 0.7, 3, 300), "fracture");
  else addStudy(ctx, day + rng.skewedDays(60, 0.6, 7, 365), "fracture");
}

function addOtherBoneDensity(ctx: CareContext, day: number): void {
  const { rng, providers } = ctx;
  const test = rng.pick(OTHER_BONE_DENSITY);
  const npi = test.claimType === "institutional" ? rng.pick(providers.facilities) : rng.pick(providers.radiologists);
  const place = test.claimType === "institutional" ? institutionalPlace(rng, test.placeOfService) : test.placeOfService;
  addClaim(ctx, test.claimType, place, dxaDiagnoses(ctx, "screening"), [line(test.code, day, test.billedCents, npi)]);
}

/** A visit where DXA was discussed and not ordered, reported as 3096F with 8P. */
function addDeclinedOrder(ctx: CareContext, day: number): void {
  const visit = addClaim(ctx, "professional", "11", dxaDiagnoses(ctx, "screening"), [
    officeVisitLine(ctx, day, ctx.primaryClinician),
  ]);
  reportOrderLine(ctx, day, ctx.primaryClinician, visit, NOT_PERFORMED);
}

function addOfficeVisit(ctx: CareContext, day: number): void {
  const { rng } = ctx;
  const codes = withComorbidities(rng, [rng.pick(VISIT_DIAGNOSES)]);
  addClaim(ctx, "professional", "11", writeDiagnoses(rng, codes), [officeVisitLine(ctx, day, ctx.primaryClinician)]);
}

/** `count` days spread at random over the window, in order. */
function randomDays(ctx: CareContext, count: number): number[] {
  const days: number[] = [];
  for (let i = 0; i < count; i++) days.push(ctx.rng.int(ctx.window.start, ctx.window.end));
  return days.sort((a, b) => a - b);
}

/** Appends the member's story over the window to `ctx.orders` and `ctx.claims`. */
export function tellCareStory(ctx: CareContext): void {
  const { rng, member, window } = ctx;
  const years = (window.end - window.start + 1) / 365.25;
  const age = ageOn(member, (window.start + window.end) / 2);

  let lastOrder = -Infinity;
  for (const day of randomDays(ctx, rng.poisson(yearlyOrderRate(member, age) * years))) {
    if (day - lastOrder < MIN_DAYS_BETWEEN_ORDERS) continue;
    placeEhrOrder(ctx, day, INDICATIONS.draw(rng));
    lastOrder = day;
  }
  for (const day of randomDays(ctx, rng.poisson(CLAIM_ONLY_ORDERS_PER_YEAR * years))) placeClaimOnlyOrder(ctx, day);
  for (const day of randomDays(ctx, rng.poisson(STUDIES_WITHOUT_ORDER_PER_YEAR * years))) {
    addStudy(ctx, day, "screening");
  }
  for (const day of randomDays(ctx, rng.poisson(yearlyFractureRate(member, age) * years))) addFracture(ctx, day);
  for (const day of randomDays(ctx, rng.poisson(OFFICE_VISITS_PER_YEAR * years))) addOfficeVisit(ctx, day);
  if (rng.chance(SHARE_WITH_OTHER_BONE_DENSITY)) addOtherBoneDensity(ctx, rng.int(window.start, window.end));
  if (rng.chance(SHARE_WITH_DECLINED_ORDER)) addDeclinedOrder(ctx, rng.int(window.start, window.end));
}
