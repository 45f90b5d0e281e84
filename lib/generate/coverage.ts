// Enrolment spans. Real enrolment is messy and the attribution rule (SPEC D7) exists because
// of it, so the spans include plan switches (at January 1 and mid-year), the switch to
// Medicare at 65, overlapping spans, gaps, disenrolment, open-ended spans and members with
// no coverage at all.
import { SENIOR_PLAN_MIX, WORKING_AGE_PLAN_MIX, type Plan } from "./catalog";
import { addYears, firstOfMonth, fromParts, parts, type DataWindow } from "./calendar";
import { ageOn, type Member } from "./people";
import { WeightedChoice, type Random } from "./prng";

export interface CoverageSpan {
  plan: Plan;
  start: number;
  /** null = still enrolled. */
  end: number | null;
}

export interface MemberCoverage {
  spans: CoverageSpan[];
  /** The plan billed when no span is active (coverage files are never complete). */
  fallbackPlan: Plan;
}

const seniorPlans = new WeightedChoice(SENIOR_PLAN_MIX);
const workingAgePlans = new WeightedChoice(WORKING_AGE_PLAN_MIX);

const SHARE_WITHOUT_COVERAGE = 0.04;
const SHARE_ENROLLED_BEFORE_WINDOW = 0.9;
const SWITCH_COUNTS = new WeightedChoice([
  [0, 70],
  [1, 22],
  [2, 8],
]);
const SHARE_MOVING_TO_MEDICARE_AT_65 = 0.85;
const SHARE_WITH_SECOND_PLAN = 0.08; // about 5% get one: some draws are the same product line
const SHARE_DISENROLLED = 0.06;
const MIN_DAYS_BETWEEN_CHANGES = 60;

function planFor(rng: Random, member: Member, day: number): Plan {
  return (ageOn(member, day) >= 65 ? seniorPlans : workingAgePlans).draw(rng);
}

function differentPlan(rng: Random, member: Member, day: number, current: Plan): Plan {
  for (let attempt = 0; attempt < 8; attempt++) {
    const candidate = planFor(rng, member, day);
    if (candidate.planId !== current.planId) return candidate;
  }
  return current;
}

/** Days on which the member changes plan, in order, at least two months apart. */
function changeDays(rng: Random, member: Member, firstStart: number, window: DataWindow, firstPlan: Plan): number[] {
  const last = window.end - 30;
  const candidates: number[] = [];
  const onEmployerPlan = firstPlan.productLine === "commercial" || firstPlan.productLine === "medicaid";
  // Cheap age test first: exact birthday arithmetic is only needed for the few who turn 65 here.
  if (onEmployerPlan && ageOn(member, firstStart) < 66 && ageOn(member, last) >= 64) {
    const turns65 = firstOfMonth(addYears(member.birthDay, 65));
    if (turns65 > firstStart && turns65 <= last && rng.chance(SHARE_MOVING_TO_MEDICARE_AT_65)) candidates.push(turns65);
  }
  const switches = SWITCH_COUNTS.draw(rng);
  for (let i = 0; i < switches; i++) {
    const day = rng.int(Math.max(firstStart, window.start) + MIN_DAYS_BETWEEN_CHANGES, last);
    // Most plan changes take effect at open enrolment, on January 1.
    candidates.push(rng.chance(0.6) ? fromParts(parts(day).year, 1, 1) : day);
  }
  candidates.sort((a, b) => a - b);
  const days: number[] = [];
  let previous = firstStart;
  for (const day of candidates) {
    if (day - previous < MIN_DAYS_BETWEEN_CHANGES || day > last) continue;
    days.push(day);
    previous = day;
  }
  return days;
}

function firstStartDay(rng: Random, window: DataWindow): number {
  if (rng.chance(SHARE_ENROLLED_BEFORE_WINDOW)) {
    const yearsBefore = rng.int(0, 8);
    return fromParts(parts(window.start).year - yearsBefore, 1, 1);
  }
  const day = rng.int(window.start, window.end - 90);
  return rng.chance(0.7) ? firstOfMonth(day) : day;
}

/** End of the span being left on `changeDay`: usually the day before, sometimes overlapping or leaving a gap. */
function endBeforeChange(rng: Random, spanStart: number, changeDay: number): number {
  const roll = rng.next();
  if (roll < 0.1) return changeDay + rng.int(1, 45); // overlap: old plan not yet terminated
  if (roll < 0.17) return Math.max(spanStart, changeDay - rng.int(15, 120)); // gap without coverage
  return changeDay - 1;
}

/** A second plan alongside the main one (e.g. Medicare plus an employer plan), of another product line. */
function secondPlanSpan(rng: Random, member: Member, window: DataWindow, spans: readonly CoverageSpan[]): CoverageSpan | null {
  const start = rng.int(window.start - 365, window.end - 60);
  const main = attributedPlan(spans, start) ?? spans[0]?.plan;
  const plan = planFor(rng, member, start);
  if (plan.productLine === main?.productLine || spans.some((s) => s.plan.planId === plan.planId)) return null;
  const end = rng.chance(0.4) ? null : start + rng.int(30, 720);
  return { plan, start, end };
}

export function makeCoverage(rng: Random, member: Member, window: DataWindow): MemberCoverage {
  const fallbackPlan = planFor(rng, member, window.start);
  if (rng.chance(SHARE_WITHOUT_COVERAGE)) return { spans: [], fallbackPlan };

  const firstStart = firstStartDay(rng, window);
  let current: CoverageSpan = { plan: planFor(rng, member, firstStart), start: firstStart, end: null };
  const spans: CoverageSpan[] = [current];
  for (const day of changeDays(rng, member, firstStart, window, current.plan)) {
    current.end = endBeforeChange(rng, current.start, day);
    current = { plan: differentPlan(rng, member, day, current.plan), start: day, end: null };
    spans.push(current);
  }
  if (rng.chance(SHARE_DISENROLLED) && window.end - current.start > 60) {
    current.end = rng.int(current.start + 30, window.end);
  }
  if (rng.chance(SHARE_WITH_SECOND_PLAN)) {
    const second = secondPlanSpan(rng, member, window, spans);
    if (second) spans.push(second);
  }
  return { spans, fallbackPlan };
}

/**
 * The plan the member is attributed to on `day` (SPEC D7): of the active spans, the latest
 * start; on a tie, the smallest plan_id in byte order.
 */
export function attributedPlan(spans: readonly CoverageSpan[], day: number): Plan | undefined {
  let best: CoverageSpan | undefined;
  for (const span of spans) {
    if (span.start > day || (span.end !== null && span.end < day)) continue;
    if (!best || span.start > best.start || (span.start === best.start && span.plan.planId < best.plan.planId)) {
      best = span;
    }
  }
  return best?.plan;
}

/** The plan a claim on `day` is billed to: the attributed one, else the most recent one, else the fallback. */
export function billedPlan(coverage: MemberCoverage, day: number): Plan {
  const attributed = attributedPlan(coverage.spans, day);
  if (attributed) return attributed;
  let latest: CoverageSpan | undefined;
  for (const span of coverage.spans) {
    if (span.start <= day && (!latest || span.start > latest.start)) latest = span;
  }
  return latest?.plan ?? coverage.fallbackPlan;
}
