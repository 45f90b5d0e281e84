import { formatCount, formatMonth, formatRate } from "@/lib/format";
import type { SpcChartData, SpcMonth } from "@/lib/views/comparison";
import {
  ALARM,
  AXIS,
  CENTRE,
  GRID,
  INK,
  legendHeight,
  LIMIT_998,
  lineMark,
  MUTED,
  NARROW,
  pct,
  POINT,
  PROVISIONAL,
  rateDomain,
  rateTicks,
  ResponsiveSvg,
  ChartSvg,
  scale,
  SvgLegend,
  TARGET,
  WARN,
  WIDE,
  type Layout,
  type SvgLegendItem,
} from "./svg-parts";

// The monthly trend as a Laney p′ control chart (issue 14): centre line, the month-by-month
// limits, provisional months shaded and hollow (plotted, not in the limits), points beyond the
// limits and the months of an over-long run (Anhøj) marked. Plain SVG drawn on the server.

const PLOT_HEIGHT = 230;

export function SpcChart({ data, label, testId }: { data: SpcChartData; label: string; testId: string }) {
  return <ResponsiveSvg wide={<Drawing data={data} label={label} testId={testId} layout={WIDE} />} narrow={<Drawing data={data} label={label} testId={testId} layout={NARROW} />} />;
}

/** What a month is on the chart, in words (tooltips and the table). */
export function spcMonthWords(m: SpcMonth): string {
  const marks = [m.outside ? "beyond the limits" : null, m.inLongRun ? "in a long run" : null].filter(Boolean).join(", ");
  switch (m.state) {
    case "counted":
      return marks || "within the limits";
    case "provisional":
      return `provisional, not in the limits${marks ? `; ${marks}` : ""}`;
    case "early":
      return "not plotted: more of it pending than counted";
    case "hidden":
      return "not plotted: small numbers hidden";
    case "empty":
      return "nothing to count";
  }
}

function Drawing({ data, label, testId, layout }: { data: SpcChartData; label: string; testId: string; layout: Omit<Layout, "height"> }) {
  const legend = legendItems(data);
  const legendTop = layout.top + PLOT_HEIGHT + layout.bottom;
  const height = legendTop + legendHeight(legend, layout);
  const months = data.months;
  const plotted = months.filter((m) => m.rate !== null);
  const values = [
    ...plotted.map((m) => m.rate!),
    ...months.flatMap((m) => (m.lower !== null && m.upper !== null ? [m.lower, m.upper] : [])),
    ...(data.centre !== null ? [data.centre] : []),
    ...(data.target ? [data.target.rate] : []),
  ];
  const domain = rateDomain(values);
  const slot = (layout.width - layout.left - layout.right) / Math.max(1, months.length);
  const x = (i: number) => layout.left + slot * (i + 0.5);
  const y = scale(domain[0], domain[1], layout.top + PLOT_HEIGHT, layout.top);
  const bottom = layout.top + PLOT_HEIGHT;
  const every = Math.max(1, Math.ceil((months.length * (layout.narrow ? 40 : 52)) / (layout.width - layout.left - layout.right)));
  const monthLabel = (m: string) => (layout.narrow ? formatMonth(m).replace(/ (\d\d)(\d\d)$/, " ’$2") : formatMonth(m));
  // The limits as steps: each month's limits across its own slot.
  const steps = (pick: (m: SpcMonth) => number | null) =>
    months
      .map((m, i) => {
        const v = pick(m);
        return v === null ? "" : `M${(x(i) - slot / 2).toFixed(1)},${y(v).toFixed(1)}H${(x(i) + slot / 2).toFixed(1)}`;
      })
      .join("");
  // The line joins consecutive plotted months only.
  const line = months
    .map((m, i) => (m.rate === null ? null : `${i > 0 && months[i - 1]!.rate !== null ? "L" : "M"}${x(i).toFixed(1)},${y(m.rate).toFixed(1)}`))
    .filter((s) => s !== null)
    .join("");

  return (
    <ChartSvg layout={layout} height={height} label={label} testId={testId}>
      {months.map((m, i) =>
        m.state === "provisional" ? <rect key={`p${m.month}`} x={x(i) - slot / 2} y={layout.top} width={slot} height={PLOT_HEIGHT} fill={PROVISIONAL} fillOpacity={0.18} data-provisional={m.month} /> : null,
      )}
      {rateTicks(domain).map((t) => (
        <g key={`y${t}`}>
          <line x1={layout.left} x2={layout.width - layout.right} y1={y(t)} y2={y(t)} stroke={GRID} />
          <text x={layout.left - 6} y={y(t)} textAnchor="end" dominantBaseline="middle" fontSize={11} fill={MUTED}>
            {pct(t)}
          </text>
        </g>
      ))}
      {months.map((m, i) =>
        i % every === 0 ? (
          <g key={`x${m.month}`}>
            <line x1={x(i)} x2={x(i)} y1={bottom} y2={bottom + 4} stroke={AXIS} />
            <text x={x(i)} y={bottom + 16} textAnchor="middle" fontSize={11} fill={MUTED}>
              {monthLabel(m.month)}
            </text>
          </g>
        ) : null,
      )}
      <line x1={layout.left} x2={layout.width - layout.right} y1={bottom} y2={bottom} stroke={AXIS} />
      <line x1={layout.left} x2={layout.left} y1={layout.top} y2={bottom} stroke={AXIS} />
      <text x={(layout.left + layout.width - layout.right) / 2} y={bottom + 34} textAnchor="middle" fontSize={12} fill={INK}>
        Month
      </text>
      <text transform={`translate(12,${layout.top + PLOT_HEIGHT / 2}) rotate(-90)`} textAnchor="middle" fontSize={12} fill={INK}>
        Rate
      </text>
      {data.centre !== null ? (
        <>
          <path d={steps((m) => m.upper)} fill="none" stroke={LIMIT_998} strokeWidth={1.5} strokeDasharray="5 3" data-limit="upper" />
          <path d={steps((m) => m.lower)} fill="none" stroke={LIMIT_998} strokeWidth={1.5} strokeDasharray="5 3" data-limit="lower" />
          <line x1={layout.left} x2={layout.width - layout.right} y1={y(data.centre)} y2={y(data.centre)} stroke={CENTRE} strokeWidth={1.5} data-centre={data.centre} />
        </>
      ) : null}
      {data.target ? (
        <line x1={layout.left} x2={layout.width - layout.right} y1={y(data.target.rate)} y2={y(data.target.rate)} stroke={TARGET} strokeWidth={2} strokeDasharray="2 3" data-target={data.target.rate} />
      ) : null}
      <path d={line} fill="none" stroke="#6b7280" strokeWidth={1.5} />
      {months.map((m, i) => (m.rate === null ? null : <MonthMark key={m.month} month={m} x={x(i)} y={y(m.rate)} />))}
      <SvgLegend items={legend} layout={layout} y={legendTop} />
    </ChartSvg>
  );
}

function MonthMark({ month: m, x, y }: { month: SpcMonth; x: number; y: number }) {
  const title = `${formatMonth(m.month)}: ${formatRate(m.rate)}${m.numerator !== null && m.denominator !== null ? `, ${formatCount(m.numerator)} of ${formatCount(m.denominator)}` : ""}; ${spcMonthWords(m)}`;
  const provisional = m.state === "provisional";
  let mark;
  if (m.outside) mark = <path d={`M${x},${y - 7}L${x + 7},${y}L${x},${y + 7}L${x - 7},${y}Z`} fill={provisional ? "#ffffff" : ALARM} stroke={ALARM} strokeWidth={2} />;
  else if (m.inLongRun) mark = <rect x={x - 5} y={y - 5} width={10} height={10} fill={provisional ? "#ffffff" : WARN} stroke={WARN} strokeWidth={1.75} />;
  else mark = <circle cx={x} cy={y} r={4.5} fill={provisional ? "#ffffff" : POINT} stroke={POINT} strokeWidth={1.75} />;
  return (
    <g data-month={m.month} data-state={m.state} data-outside={m.outside ? "true" : "false"} data-run={m.inLongRun ? "true" : "false"}>
      <title>{title}</title>
      {mark}
    </g>
  );
}

function legendItems(data: SpcChartData): SvgLegendItem[] {
  const items: SvgLegendItem[] = [];
  if (data.centre !== null) {
    items.push({ label: `Centre ${formatRate(data.centre)}`, mark: lineMark(CENTRE, undefined, 1.5) });
    items.push({ label: "Laney p′ limits", mark: lineMark(LIMIT_998, "5 3", 1.5) });
  }
  if (data.target) items.push({ label: `${data.target.label} ${formatRate(data.target.rate)}`, mark: lineMark(TARGET, "2 3") });
  items.push({ label: "Month", mark: <circle cx={10} cy={4} r={4} fill={POINT} stroke={POINT} /> });
  if (data.months.some((m) => m.outside)) items.push({ label: "Beyond the limits", mark: <path d="M10,-2L16,4L10,10L4,4Z" fill={ALARM} /> });
  if (data.months.some((m) => m.inLongRun)) items.push({ label: "Long run (Anhøj)", mark: <rect x={5} y={-1} width={10} height={10} fill={WARN} /> });
  if (data.months.some((m) => m.state === "provisional")) items.push({ label: "Provisional: not in limits", mark: <rect x={0} y={-2} width={20} height={12} fill={PROVISIONAL} fillOpacity={0.25} /> });
  return items;
}
