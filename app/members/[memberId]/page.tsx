import Link from "next/link";
import { notFound } from "next/navigation";
import { connection } from "next/server";
import { canSeeMemberLevel, MemberLevelAccessError } from "@/lib/access";
import { filtersToSearchParams, type SearchParams } from "@/lib/filters";
import { formatDate, PRODUCT_LINE_NAMES, UNKNOWN_PLAN_NAME } from "@/lib/format";
import { getMemberRecord, type Attribution, type ClaimVersion, type MemberRecord } from "@/lib/members";
import type { ViewContext } from "@/lib/views/context";
import { ActiveFilters } from "../../_components/active-filters";
import { EmptyWarehouse } from "../../_components/empty-warehouse";
import { payerOptions, planOptions } from "../../_components/filter-options";
import { FilterBar } from "../../_components/filter-bar";
import { Notices } from "../../_components/notices";
import { ScrollArea } from "../../_components/scroll-area";
import { auditPage, denyPage, pageContext } from "../../_lib/request";
import { MemberTimeline } from "./timeline";
import { VERDICT_LEGEND, VerdictCell } from "./verdict";
import "./member.css";

// One member's record and why each of their orders, episodes and the screening population
// counts or not (issue 14). Member-level: quality officers and admins; every view is audited
// with the member id, a view of an id that is not loaded too (probing is worth seeing).

/** A member id as the import accepts one: 1–64 characters, no control character. */
const MEMBER_ID = /^[^\u0000-\u001f\u007f]{1,64}$/u;

const FREQUENCY_NAMES: Record<ClaimVersion["frequencyCode"], string> = { 1: "original (1)", 7: "replacement (7)", 8: "void (8)" };
const STATE_NAMES: Record<ClaimVersion["state"], string> = {
  winning: "counts (latest version)",
  superseded: "superseded",
  after_as_of: "received after the as-of date",
};
const SEX_NAMES: Record<string, string> = { F: "female", M: "male", U: "unknown" };

export default async function MemberPage({ params, searchParams }: { params: Promise<{ memberId: string }>; searchParams: Promise<SearchParams> }) {
  await connection();
  const [{ memberId: raw }, query] = await Promise.all([params, searchParams]);
  const memberId = safeDecode(raw);
  const route = `/members/${raw}`;
  const ctx = await pageContext(route, query);
  if (!ctx) return <EmptyWarehouse />;
  const { viewer } = ctx;
  if (!canSeeMemberLevel(viewer, "orders")) return denyPage(viewer, route, query, new MemberLevelAccessError(viewer, "orders"));
  const record = memberId !== null && MEMBER_ID.test(memberId) ? await getMemberRecord(ctx, memberId) : null;
  await auditPage(viewer, "member_view", route, query, record ? record.orders.length : 0, record ? `member record ${memberId}` : `member record ${memberId ?? raw}: not found`);
  if (!record) notFound();

  const base = filtersToSearchParams(ctx.filters, {}, ctx.dataAsOf);
  const worklist = new URLSearchParams(base);
  worklist.set("member", record.member.memberId);
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <Link href={`/orders?${worklist.toString()}`}>Open orders</Link>
          </li>
          <li>
            <span aria-current="page">Member {record.member.memberId}</span>
          </li>
        </ol>
      </nav>
      <h1>Member {record.member.memberId}</h1>
      <ActiveFilters ctx={ctx} />
      <FilterBar
        filters={ctx.filters}
        dataAsOf={ctx.dataAsOf}
        payers={payerOptions(ctx)}
        plans={planOptions(ctx)}
        showMeasure={false}
      />
      <Notices notices={ctx.notices} />
      <dl className="member-facts" data-testid="member-facts">
        <div>
          <dt>Born</dt>
          <dd>{formatDate(record.member.birthDate)}</dd>
        </div>
        <div>
          <dt>Sex</dt>
          <dd>{SEX_NAMES[record.member.sex] ?? record.member.sex}</dd>
        </div>
        <div>
          <dt>Age on {formatDate(ctx.asOf)}</dt>
          <dd>{record.member.ageOnAsOf}</dd>
        </div>
      </dl>
      <section className="panel" aria-labelledby="member-timeline-title">
        <h2 id="member-timeline-title">Timeline</h2>
        <MemberTimeline record={record} from={ctx.filters.from} to={ctx.filters.to} asOf={ctx.asOf} />
        <p className="chart-note">
          Shaded: the period of the filters. Circles: orders (hollow when cancelled); squares: DXA studies; diamonds: 3095F results; triangles: fracture
          episodes. Bars: coverage.
        </p>
      </section>
      <p className="chart-note">{VERDICT_LEGEND} The filters above decide which units count, as they do on every page.</p>
      <OrdersSection record={record} window={ctx.filters.window} />
      <EpisodesSection record={record} />
      <ScreeningSection record={record} ctx={ctx} />
      <CoverageSection record={record} />
      <StudiesSection record={record} />
      <ClaimsSection record={record} />
    </>
  );
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function AttributionText({ a }: { a: Attribution }) {
  const plan = a.planName ?? UNKNOWN_PLAN_NAME;
  const how =
    a.how === "coverage"
      ? `coverage ${formatDate(a.span!.start)} – ${a.span!.end ? formatDate(a.span!.end) : "open"}`
      : a.how === "billed_plan"
        ? "no coverage on the date: the plan billed on its first line"
        : "no coverage on the date";
  return (
    <>
      {a.payerName}
      {a.planId ? ` · ${plan}` : ""}
      <br />
      <span className="verdict-rule">{how}</span>
    </>
  );
}

function OrdersSection({ record, window }: { record: MemberRecord; window: number }) {
  const columns: Record<string, string> = {
    order_follow_up: `Follow-up within ${window} days`,
    result_documented: "Result documented",
    order_capture: "3096F capture",
  };
  return (
    <section className="panel" aria-labelledby="member-orders" data-testid="member-orders">
      <h2 id="member-orders">Orders</h2>
      {record.orders.length === 0 ? (
        <p className="not-available">No DXA order for this member up to the as-of date.</p>
      ) : (
        <ScrollArea label="Orders">
          <table className="stack-on-phone">
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Attributed to</th>
                {Object.values(columns).map((name) => (
                  <th key={name} scope="col">
                    {name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {record.orders.map((o) => (
                <tr key={o.orderId} data-order={o.orderId}>
                  <th scope="row" data-label="Order">
                    {o.orderId}
                    <br />
                    <span className="verdict-rule">
                      {formatDate(o.orderDate)} · {o.source === "ehr" ? "EHR order" : "from a 3096F claim line"}
                      {o.status === "cancelled" ? " · cancelled" : ""}
                      {o.orderingNpi ? ` · NPI ${o.orderingNpi}` : ""}
                    </span>
                  </th>
                  <td data-label="Attributed to">
                    <AttributionText a={o.attribution} />
                  </td>
                  {o.verdicts.map((v) => (
                    <td key={v.measure} data-label={columns[v.measure]}>
                      <VerdictCell verdict={v} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollArea>
      )}
    </section>
  );
}

function EpisodesSection({ record }: { record: MemberRecord }) {
  if (record.episodes.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="member-episodes" data-testid="member-episodes">
      <h2 id="member-episodes">Fracture episodes</h2>
      <ScrollArea label="Fracture episodes">
        <table className="stack-on-phone">
          <thead>
            <tr>
              <th scope="col">Episode</th>
              <th scope="col">Attributed to</th>
              <th scope="col">DXA within 180 days</th>
            </tr>
          </thead>
          <tbody>
            {record.episodes.map((e) => (
              <tr key={e.episodeDate}>
                <th scope="row" data-label="Episode">
                  {formatDate(e.episodeDate)}
                </th>
                <td data-label="Attributed to">
                  <AttributionText a={e.attribution} />
                </td>
                <td data-label="DXA within 180 days">
                  <VerdictCell verdict={e.verdict} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollArea>
    </section>
  );
}

function ScreeningSection({ record, ctx }: { record: MemberRecord; ctx: ViewContext }) {
  const a = record.screeningAttribution;
  return (
    <section className="panel" aria-labelledby="member-screening" data-testid="member-screening">
      <h2 id="member-screening">Screening ordering, period ending {formatDate(ctx.filters.to)}</h2>
      <VerdictCell verdict={record.screening} />
      {a ? (
        <p className="chart-note member-screening-plan">
          On the period end: <AttributionText a={a} />
        </p>
      ) : null}
    </section>
  );
}

function CoverageSection({ record }: { record: MemberRecord }) {
  return (
    <section className="panel" aria-labelledby="member-coverage" data-testid="member-coverage">
      <h2 id="member-coverage">Coverage</h2>
      {record.coverage.length === 0 ? (
        <p className="not-available">No coverage loaded: orders and the screening population have no plan (Unknown payer).</p>
      ) : (
        <ScrollArea label="Coverage">
          <table className="stack-on-phone">
            <thead>
              <tr>
                <th scope="col">Plan</th>
                <th scope="col">Payer</th>
                <th scope="col">Product line</th>
                <th scope="col">From</th>
                <th scope="col">To</th>
              </tr>
            </thead>
            <tbody>
              {record.coverage.map((c) => (
                <tr key={`${c.planId}|${c.start}`}>
                  <th scope="row" data-label="Plan">
                    {c.planName} <span className="verdict-rule">({c.planId})</span>
                  </th>
                  <td data-label="Payer">{c.payerName}</td>
                  <td data-label="Product line">{PRODUCT_LINE_NAMES[c.productLine] ?? c.productLine}</td>
                  <td data-label="From">{formatDate(c.start)}</td>
                  <td data-label="To">{c.end ? formatDate(c.end) : "still enrolled"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollArea>
      )}
    </section>
  );
}

function StudiesSection({ record }: { record: MemberRecord }) {
  return (
    <section className="panel" aria-labelledby="member-studies" data-testid="member-studies">
      <h2 id="member-studies">DXA studies and documented results</h2>
      {record.studies.length === 0 ? (
        <p className="not-available">No central DXA study in the claims up to the as-of date.</p>
      ) : (
        <ScrollArea label="DXA studies">
          <table className="stack-on-phone">
            <thead>
              <tr>
                <th scope="col">Study date</th>
                <th scope="col">Billed</th>
                <th scope="col">Billing complete</th>
                <th scope="col" className="num">
                  Lines (denied)
                </th>
                <th scope="col">First 3095F result</th>
              </tr>
            </thead>
            <tbody>
              {record.studies.map((s) => (
                <tr key={s.studyDate}>
                  <th scope="row" data-label="Study date">
                    {formatDate(s.studyDate)}
                  </th>
                  <td data-label="Billed">
                    {s.components.join(" + ")} · {s.payerName}
                  </td>
                  <td data-label="Billing complete">{s.billingComplete ? "yes" : "no: a TC or 26 line is missing"}</td>
                  <td className="num" data-label="Lines (denied)">
                    {s.lineCount} ({s.deniedLineCount})
                  </td>
                  <td data-label="First 3095F result">{s.resultDate ? formatDate(s.resultDate) : "none within 30 days"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollArea>
      )}
      {record.results.length > 0 ? (
        <p className="chart-note member-results">3095F result lines: {record.results.map((r) => `${formatDate(r.serviceDate)} (claim ${r.claimId})`).join(", ")}.</p>
      ) : null}
    </section>
  );
}

function ClaimsSection({ record }: { record: MemberRecord }) {
  return (
    <section className="panel" aria-labelledby="member-claims" data-testid="member-claims">
      <h2 id="member-claims">Claim lines DXA tracking reads, every version</h2>
      <p className="chart-note">
        Of each claim the latest version received counts (on the same day a void over a replacement over an original); the lines of earlier versions, and of
        versions received after the as-of date, are shown struck through. Other lines of these claims are not shown.
      </p>
      {record.claims.length === 0 ? (
        <p className="not-available">No DXA, 3096F, 3095F or fracture claim line.</p>
      ) : (
        <ScrollArea label="Claim lines">
          <table data-testid="member-claim-lines">
            <thead>
              <tr>
                <th scope="col">Claim</th>
                <th scope="col">Version</th>
                <th scope="col">Line</th>
                <th scope="col">Service date</th>
                <th scope="col">Code</th>
                <th scope="col">Status</th>
                <th scope="col">Diagnoses</th>
                <th scope="col">Read as</th>
              </tr>
            </thead>
            <tbody>
              {record.claims.flatMap((c) =>
                c.versions.flatMap((v) => {
                  const state = v.state === "winning" && v.frequencyCode === 8 ? "latest version, a void: the claim counts for nothing" : STATE_NAMES[v.state];
                  const version = `${formatDate(v.receivedDate)}, ${FREQUENCY_NAMES[v.frequencyCode]}: ${state}`;
                  const key = `${c.claimId}|${v.receivedDate}|${v.frequencyCode}`;
                  // A winning void's lines count for nothing either: struck through like a superseded version's.
                  const rowClass = `claim-version-${v.state === "winning" && v.frequencyCode === 8 ? "void" : v.state}`;
                  if (v.lines.length === 0) {
                    return [
                      <tr key={key} className={rowClass} data-claim={c.claimId} data-state={v.state}>
                        <th scope="row">{c.claimId}</th>
                        <th scope="row">{version}</th>
                        <td colSpan={6}>no line DXA tracking reads</td>
                      </tr>,
                    ];
                  }
                  return v.lines.map((l) => (
                    <tr key={`${key}|${l.lineNumber}`} className={rowClass} data-claim={c.claimId} data-state={v.state}>
                      <th scope="row">{c.claimId}</th>
                      <th scope="row">{version}</th>
                      <td>{l.lineNumber}</td>
                      <td>{formatDate(l.serviceDate)}</td>
                      <td>
                        {l.procedureCode}
                        {l.modifiers.length ? `-${l.modifiers.join("-")}` : ""}
                      </td>
                      <td>{l.lineStatus}</td>
                      <td>{l.diagnosisCodes.join(", ") || "—"}</td>
                      <td>{l.tracked}</td>
                    </tr>
                  ));
                }),
              )}
            </tbody>
          </table>
        </ScrollArea>
      )}
    </section>
  );
}
