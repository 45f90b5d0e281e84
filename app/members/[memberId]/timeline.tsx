import { formatCountOf, formatDate } from "@/lib/format";
import type { MemberRecord } from "@/lib/members";

// The member's events on one time axis (issue 14): coverage spans as bars, orders, studies,
// 3095F results and fracture episodes as marks, the filtered period shaded. Drawn as plain SVG
// on the server (no chart library: nothing here is interactive), scaled to the panel's width;
// the tables below hold the same facts for a screen reader and for exact reading.

const WIDTH = 1000;
const LABEL_WIDTH = 120;
const ROW = 30;
const AXIS = 24;
const ROWS = ["Coverage", "Orders", "DXA studies", "3095F results", "Fractures"] as const;
const DAY_MS = 86_400_000;

const toDay = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;

export function MemberTimeline({ record, from, to, asOf }: { record: MemberRecord; from: string; to: string; asOf: string }) {
  const dates = [
    from,
    asOf,
    ...record.orders.map((o) => o.orderDate),
    ...record.studies.map((s) => s.studyDate),
    ...record.results.map((r) => r.serviceDate),
    ...record.episodes.map((e) => e.episodeDate),
  ];
  const first = dates.reduce((a, b) => (a < b ? a : b));
  const start = toDay(first) - 30;
  const end = toDay(asOf) + 15;
  const x = (iso: string) => LABEL_WIDTH + ((Math.min(Math.max(toDay(iso), start), end) - start) / (end - start)) * (WIDTH - LABEL_WIDTH - 10);
  const y = (row: (typeof ROWS)[number]) => AXIS + ROWS.indexOf(row) * ROW + ROW / 2;
  const height = AXIS + ROWS.length * ROW + 4;
  const ticks = axisTicks(first, asOf);
  const summary =
    `Timeline ${formatDate(first)} to ${formatDate(asOf)}: ${formatCountOf(record.coverage.length, "coverage span")}, ${formatCountOf(record.orders.length, "order")}, ` +
    `${formatCountOf(record.studies.length, "DXA study", "DXA studies")}, ${formatCountOf(record.results.length, "3095F result")}, ` +
    `${formatCountOf(record.episodes.length, "fracture episode")}. The tables below list each.`;

  return (
    <svg viewBox={`0 0 ${WIDTH} ${height}`} className="member-timeline" role="img" aria-label={summary} data-testid="member-timeline">
      <rect x={x(from)} y={AXIS - 4} width={Math.max(1, x(to) - x(from))} height={ROWS.length * ROW + 4} className="timeline-period" />
      {ticks.map((t) => (
        <g key={t.date}>
          <line x1={x(t.date)} x2={x(t.date)} y1={AXIS - 6} y2={height} className="timeline-grid" />
          <text x={x(t.date) + 3} y={14} className="timeline-tick">
            {t.label}
          </text>
        </g>
      ))}
      {ROWS.map((row) => (
        <text key={row} x={0} y={y(row) + 4} className="timeline-label">
          {row}
        </text>
      ))}
      {record.coverage.map((c) => (
        <rect key={`${c.planId}|${c.start}`} x={x(c.start)} y={y("Coverage") - 7} width={Math.max(2, x(c.end ?? asOf) - x(c.start))} height={14} rx={3} className="timeline-coverage">
          <title>{`${c.payerName} · ${c.planName}: ${formatDate(c.start)} – ${c.end ? formatDate(c.end) : "open"}`}</title>
        </rect>
      ))}
      {record.orders.map((o) => (
        <circle key={o.orderId} cx={x(o.orderDate)} cy={y("Orders")} r={6} className={o.status === "cancelled" ? "timeline-mark timeline-cancelled" : "timeline-mark"}>
          <title>{`Order ${o.orderId}, ${formatDate(o.orderDate)}${o.status === "cancelled" ? " (cancelled)" : ""}`}</title>
        </circle>
      ))}
      {record.studies.map((s) => (
        <rect key={s.studyDate} x={x(s.studyDate) - 6} y={y("DXA studies") - 6} width={12} height={12} className="timeline-mark">
          <title>{`DXA study ${formatDate(s.studyDate)} (${s.components.join(" + ")})`}</title>
        </rect>
      ))}
      {record.results.map((r) => (
        <path key={`${r.claimId}|${r.serviceDate}`} d={diamond(x(r.serviceDate), y("3095F results"))} className="timeline-mark">
          <title>{`3095F result ${formatDate(r.serviceDate)}`}</title>
        </path>
      ))}
      {record.episodes.map((e) => (
        <path key={e.episodeDate} d={triangle(x(e.episodeDate), y("Fractures"))} className="timeline-mark timeline-fracture">
          <title>{`Fracture episode ${formatDate(e.episodeDate)}`}</title>
        </path>
      ))}
    </svg>
  );
}

const diamond = (cx: number, cy: number) => `M${cx} ${cy - 7}L${cx + 7} ${cy}L${cx} ${cy + 7}L${cx - 7} ${cy}Z`;
const triangle = (cx: number, cy: number) => `M${cx} ${cy - 7}L${cx + 7} ${cy + 6}L${cx - 7} ${cy + 6}Z`;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Gridlines at each year's start, and at each quarter's when the span is under three years
 *  (a year's events would otherwise sit between two lines with nothing to read them by). */
function axisTicks(first: string, last: string): { date: string; label: string }[] {
  const quarterly = toDay(last) - toDay(first) < 3 * 365;
  const ticks: { date: string; label: string }[] = [];
  for (let year = Number(first.slice(0, 4)); year <= Number(last.slice(0, 4)); year++) {
    for (const month of quarterly ? [1, 4, 7, 10] : [1]) {
      const date = `${year}-${String(month).padStart(2, "0")}-01`;
      if (date <= first || date > last) continue;
      ticks.push({ date, label: month === 1 ? String(year) : MONTHS[month - 1]! });
    }
  }
  return ticks;
}
