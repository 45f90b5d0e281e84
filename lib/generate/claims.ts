// From claim drafts to claim lines as a payer's extract shows them: each claim billed to the
// member's plan of the day, received after a payer-specific lag (and not at all when that is
// after the end date, so the latest months are incomplete), adjudicated paid, denied or
// pending, and sometimes replaced (frequency 7) or voided (frequency 8) by a later version.
import type { ClaimDraft, ServiceLine } from "./care";
import type { PayerBehaviour, Plan } from "./catalog";
import { isoDate, type DataWindow } from "./calendar";
import { billedPlan, type MemberCoverage } from "./coverage";
import type { CsvFileWriter } from "./csv";
import { formatCents } from "./files";
import type { Member } from "./people";
import type { Random } from "./prng";

type Frequency = "1" | "7" | "8";
type LineStatus = "paid" | "denied" | "pending";

interface AdjudicatedLine {
  line: ServiceLine;
  serviceDate: number;
  status: LineStatus;
  paidCents: number;
}

interface ClaimVersion {
  claimId: string;
  frequency: Frequency;
  received: number;
  lines: AdjudicatedLine[];
}

export interface ClaimContext {
  rng: Random;
  member: Member;
  coverage: MemberCoverage;
  window: DataWindow;
  sink: CsvFileWriter;
}

const SHARE_REPLACED = 0.05;
const SHARE_VOIDED = 0.025;
const SHARE_REBILLED_AFTER_VOID = 0.5;
/** Claims received this close to the end date are often still being adjudicated. */
const RECENT_DAYS = 30;
const INSTITUTIONAL_EXTRA_LAG = 6;

function adjudicate(rng: Random, behaviour: PayerBehaviour, window: DataWindow, received: number, lines: readonly { line: ServiceLine; serviceDate: number }[]): AdjudicatedLine[] {
  const pending = rng.chance(window.end - received < RECENT_DAYS ? 0.4 : 0.003);
  return lines.map(({ line, serviceDate }) => {
    const status: LineStatus = pending ? "pending" : rng.chance(behaviour.denialRate) ? "denied" : "paid";
    const share = behaviour.paidShare * (0.85 + 0.3 * rng.next());
    const paidCents = status === "paid" ? Math.round(line.billedCents * share) : 0;
    return { line, serviceDate, status, paidCents };
  });
}

/** A corrected claim: a service date fixed, a line taken off, or simply re-adjudicated. */
function replacementLines(rng: Random, previous: readonly AdjudicatedLine[]): { line: ServiceLine; serviceDate: number }[] {
  const roll = rng.next();
  if (roll < 0.3) {
    const shift = rng.int(1, 3);
    return previous.map((l) => ({ line: l.line, serviceDate: l.serviceDate - shift }));
  }
  const kept = roll < 0.45 && previous.length > 1 ? previous.slice(0, -1) : previous;
  return kept.map((l) => ({ line: l.line, serviceDate: l.serviceDate }));
}

function writeVersion(ctx: ClaimContext, plan: Plan, draft: ClaimDraft, version: ClaimVersion): void {
  const { rng, member, sink } = ctx;
  const received = isoDate(version.received);
  for (let i = 0; i < version.lines.length; i++) {
    const l = version.lines[i] as AdjudicatedLine;
    sink.writeRow([
      version.claimId,
      String(i + 1),
      version.frequency,
      received,
      member.id,
      plan.planId,
      draft.claimType,
      isoDate(l.serviceDate),
      l.line.code,
      l.line.modifiers,
      draft.placeOfService,
      l.status,
      rng.chance(0.05) ? "" : "1", // units are optional and default to 1
      formatCents(l.line.billedCents),
      l.status === "pending" ? "" : formatCents(l.paidCents),
      l.line.renderingNpi,
      draft.diagnosisCodes,
    ]);
  }
}

/** `C0000123-04`: the member's number and the claim's sequence, unique without global state. */
function claimId(member: Member, sequence: number): string {
  return `C${member.id.slice(1)}-${sequence < 10 ? "0" : ""}${sequence}`;
}

/** Writes every version of the member's claims that the payer has received by the end date. */
export function writeClaims(ctx: ClaimContext, drafts: readonly ClaimDraft[]): void {
  const { rng, window, member } = ctx;
  let claimsOfMember = 0;

  for (const draft of drafts) {
    const first = draft.lines[0];
    if (!first) continue;
    let lastService = first.serviceDate;
    for (const l of draft.lines) if (l.serviceDate > lastService) lastService = l.serviceDate;
    const plan = billedPlan(ctx.coverage, first.serviceDate);
    const behaviour = plan.behaviour;
    const lag = rng.skewedDays(
      behaviour.medianClaimsLag + (draft.claimType === "institutional" ? INSTITUTIONAL_EXTRA_LAG : 0),
      0.55,
      2,
      365,
    );
    const received = lastService + lag;
    if (received > window.end) continue; // not received yet

    const asBilled = draft.lines.map((line) => ({ line, serviceDate: line.serviceDate }));
    let latest: ClaimVersion = {
      claimId: claimId(member, ++claimsOfMember),
      frequency: "1",
      received,
      lines: adjudicate(rng, behaviour, window, received, asBilled),
    };
    writeVersion(ctx, plan, draft, latest);

    if (rng.chance(SHARE_REPLACED)) {
      const replacedOn = latest.received + rng.int(10, 90);
      if (replacedOn <= window.end) {
        const lines = replacementLines(rng, latest.lines);
        latest = { ...latest, frequency: "7", received: replacedOn, lines: adjudicate(rng, behaviour, window, replacedOn, lines) };
        writeVersion(ctx, plan, draft, latest);
      }
    }

    if (rng.chance(SHARE_VOIDED)) {
      // Now and then the void arrives the same day as the replacement: 8 wins the tie (D1).
      const sameDay = latest.frequency === "7" && rng.chance(0.15);
      const voidedOn = latest.received + (sameDay ? 0 : rng.int(5, 60));
      if (voidedOn > window.end) continue;
      writeVersion(ctx, plan, draft, { ...latest, frequency: "8", received: voidedOn });
      if (rng.chance(SHARE_REBILLED_AFTER_VOID)) {
        const rebilledOn = voidedOn + rng.int(0, 20);
        if (rebilledOn > window.end) continue;
        const lines = latest.lines.map((l) => ({ line: l.line, serviceDate: l.serviceDate }));
        writeVersion(ctx, plan, draft, {
          claimId: claimId(member, ++claimsOfMember),
          frequency: "1",
          received: rebilledOn,
          lines: adjudicate(rng, behaviour, window, rebilledOn, lines),
        });
      }
    }
  }
}
