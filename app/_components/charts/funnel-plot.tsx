import { formatCount, formatRate } from "@/lib/format";
import type { FunnelPosition } from "@/lib/stats/funnel";
import type { FunnelPlotData, FunnelUnit } from "@/lib/views/comparison";
import {
  ALARM,
  AXIS,
  CENTRE,
  countTicks,
  GRID,
  INK,
  legendHeight,
  LIMIT_95,
  LIMIT_998,
  lineMark,
  MUTED,
  NARROW,
  pct,
  POINT,
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

// The funnel plot (issue 14; Spiegelhalter 2005): each payer or plan's rate against its
// denominator, inside the 95% and 99.8% exact binomial limits around the all-payer rate, so
// that a small unit's 0% or 100% is read for what it is. Drawn on the server as plain SVG.

export const POSITION_WORDS: Record<FunnelPosition, string> = {
  above_998: "above the 99.8% limit",
  above_95: "above the 95% limit",
  within: "within the limits",
  below_95: "below the 95% limit",
  below_998: "below the 99.8% limit",
};

const PLOT_HEIGHT = 260;

export function FunnelPlot({ data, label, testId }: { data: FunnelPlotData; label: string; testId: string }) {
  return <ResponsiveSvg wide={<Drawing data={data} label={label} testId={testId} layout={WIDE} />} narrow={<Drawing data={data} label={label} testId={testId} layout={NARROW} />} />;
}

function Drawing({ data, label, testId, layout }: { data: FunnelPlotData; label: string; testId: string; layout: Omit<Layout, "height"> }) {
  const legend = legendItems(data);
  const legendTop = layout.top + PLOT_HEIGHT + layout.bottom;
  const height = legendTop + legendHeight(legend, layout);
  const values = [
    ...data.units.map((u) => u.rate),
    ...(data.centre !== null ? [data.centre] : []),
    ...(data.target ? [data.target.rate] : []),
    ...data.limits.flatMap((l) => l.points.filter((p) => p.n >= Math.min(10, data.maxN)).flatMap((p) => [p.lower, p.upper])),
  ];
  const domain = rateDomain(values);
  const x = scale(0, data.maxN, layout.left, layout.width - layout.right);
  const yRaw = scale(domain[0], domain[1], layout.top + PLOT_HEIGHT, layout.top);
  const y = (v: number) => yRaw(Math.min(domain[1], Math.max(domain[0], v)));
  const xTicks = countTicks(data.maxN, layout.narrow ? 4 : 7);
  const yTicks = rateTicks(domain);
  const bottom = layout.top + PLOT_HEIGHT;
  const path = (points: { n: number; v: number }[]) => points.map((p, i) => `${i === 0 ? "M" : "L"}${x(p.n).toFixed(1)},${y(p.v).toFixed(1)}`).join("");
  const labels = layout.narrow ? [] : placeLabels(data.units, x, y);

  return (
    <ChartSvg layout={layout} height={height} label={label} testId={testId}>
      <defs>
        <clipPath id={`${testId}-${layout.narrow ? "n" : "w"}-clip`}>
          <rect x={layout.left} y={layout.top} width={layout.width - layout.left - layout.right} height={PLOT_HEIGHT} />
        </clipPath>
      </defs>
      {yTicks.map((t) => (
        <g key={`y${t}`}>
          <line x1={layout.left} x2={layout.width - layout.right} y1={y(t)} y2={y(t)} stroke={GRID} />
          <text x={layout.left - 6} y={y(t)} textAnchor="end" dominantBaseline="middle" fontSize={11} fill={MUTED}>
            {pct(t)}
          </text>
        </g>
      ))}
      {xTicks.map((t) => (
        <g key={`x${t}`}>
          <line x1={x(t)} x2={x(t)} y1={bottom} y2={bottom + 4} stroke={AXIS} />
          <text x={x(t)} y={bottom + 16} textAnchor="middle" fontSize={11} fill={MUTED}>
            {formatCount(t)}
          </text>
        </g>
      ))}
      <line x1={layout.left} x2={layout.width - layout.right} y1={bottom} y2={bottom} stroke={AXIS} />
      <line x1={layout.left} x2={layout.left} y1={layout.top} y2={bottom} stroke={AXIS} />
      <text x={(layout.left + layout.width - layout.right) / 2} y={bottom + 34} textAnchor="middle" fontSize={12} fill={INK}>
        Denominator (n)
      </text>
      <text transform={`translate(12,${layout.top + PLOT_HEIGHT / 2}) rotate(-90)`} textAnchor="middle" fontSize={12} fill={INK}>
        Rate
      </text>
      <g clipPath={`url(#${testId}-${layout.narrow ? "n" : "w"}-clip)`}>
        {data.limits.map((l) => {
          const colour = l.level > 0.99 ? LIMIT_998 : LIMIT_95;
          const dash = l.level > 0.99 ? undefined : "5 4";
          return (
            <g key={l.level} data-limit={l.level}>
              <path d={path(l.points.map((p) => ({ n: p.n, v: p.upper })))} fill="none" stroke={colour} strokeWidth={1.5} strokeDasharray={dash} />
              <path d={path(l.points.map((p) => ({ n: p.n, v: p.lower })))} fill="none" stroke={colour} strokeWidth={1.5} strokeDasharray={dash} />
            </g>
          );
        })}
        {data.centre !== null ? <line x1={layout.left} x2={layout.width - layout.right} y1={y(data.centre)} y2={y(data.centre)} stroke={CENTRE} strokeWidth={1.5} data-centre={data.centre} /> : null}
        {data.target ? (
          <line x1={layout.left} x2={layout.width - layout.right} y1={y(data.target.rate)} y2={y(data.target.rate)} stroke={TARGET} strokeWidth={2} strokeDasharray="2 3" data-target={data.target.rate} />
        ) : null}
        {data.units.map((u) => (
          <g key={u.key} data-unit={u.key} data-position={u.position}>
            <title>{`${u.name}: ${formatRate(u.rate)}, ${formatCount(u.numerator)} of ${formatCount(u.denominator)}, ${POSITION_WORDS[u.position]}`}</title>
            <UnitMark x={x(u.denominator)} y={y(u.rate)} unit={u} />
          </g>
        ))}
      </g>
      {labels.map((l) => (
        <text key={l.key} x={l.x} y={l.y} fontSize={11} fill={INK} textAnchor={l.anchor} dominantBaseline="middle" stroke="#ffffff" strokeWidth={3} paintOrder="stroke">
          {l.text}
        </text>
      ))}
      <SvgLegend items={legend} layout={layout} y={legendTop} />
    </ChartSvg>
  );
}

function UnitMark({ x, y, unit }: { x: number; y: number; unit: FunnelUnit }) {
  const fill = unit.lowVolume ? "#ffffff" : POINT;
  if (unit.position === "above_998" || unit.position === "below_998") {
    return <path d={`M${x},${y - 7}L${x + 7},${y}L${x},${y + 7}L${x - 7},${y}Z`} fill={ALARM} stroke={ALARM} strokeWidth={1.5} />;
  }
  if (unit.position === "above_95" || unit.position === "below_95") {
    return <rect x={x - 5.5} y={y - 5.5} width={11} height={11} fill={WARN} stroke={WARN} strokeWidth={1.5} />;
  }
  return <circle cx={x} cy={y} r={5} fill={fill} stroke={POINT} strokeWidth={1.75} />;
}

/** Names beside the points, moved apart vertically so that they do not overlap. */
function placeLabels(units: FunnelUnit[], x: (n: number) => number, y: (v: number) => number) {
  const placed: { key: string; x: number; y: number; text: string; anchor: "start" | "end"; width: number }[] = [];
  const sorted = [...units].sort((a, b) => y(a.rate) - y(b.rate));
  for (const u of sorted) {
    const px = x(u.denominator);
    const anchor = px > 420 ? ("end" as const) : ("start" as const);
    const text = u.name.length > 24 ? `${u.name.slice(0, 23)}…` : u.name;
    const lx = anchor === "end" ? px - 10 : px + 10;
    let ly = y(u.rate);
    const width = text.length * 6.2;
    const left = anchor === "end" ? lx - width : lx;
    // Moved down past every label it would overlap, until it overlaps none.
    for (let moved = true, tries = 0; moved && tries < 20; tries++) {
      moved = false;
      for (const other of placed) {
        const otherLeft = other.anchor === "end" ? other.x - other.width : other.x;
        const overlapX = left < otherLeft + other.width && otherLeft < left + width;
        if (overlapX && Math.abs(other.y - ly) < 13) {
          ly = other.y + 13;
          moved = true;
        }
      }
    }
    placed.push({ key: u.key, x: lx, y: ly, text, anchor, width });
  }
  return placed;
}

function legendItems(data: FunnelPlotData): SvgLegendItem[] {
  const items: SvgLegendItem[] = [];
  if (data.centre !== null) items.push({ label: `${data.centreLabel} ${formatRate(data.centre)}`, mark: lineMark(CENTRE, undefined, 1.5) });
  if (data.limits.length) {
    items.push({ label: "95% limits", mark: lineMark(LIMIT_95, "5 4", 1.5) });
    items.push({ label: "99.8% limits", mark: lineMark(LIMIT_998, undefined, 1.5) });
  }
  if (data.target) items.push({ label: `${data.target.label} ${formatRate(data.target.rate)}`, mark: lineMark(TARGET, "2 3") });
  const positions = new Set(data.units.map((u) => u.position));
  if (positions.has("within")) items.push({ label: "Within limits", mark: <circle cx={10} cy={4} r={4.5} fill={POINT} stroke={POINT} /> });
  if (data.units.some((u) => u.lowVolume && u.position === "within")) items.push({ label: "n under 20", mark: <circle cx={10} cy={4} r={4.5} fill="#fff" stroke={POINT} strokeWidth={1.75} /> });
  if (positions.has("above_95") || positions.has("below_95")) items.push({ label: "Beyond 95%", mark: <rect x={5} y={-1} width={10} height={10} fill={WARN} /> });
  if (positions.has("above_998") || positions.has("below_998")) items.push({ label: "Beyond 99.8%", mark: <path d="M10,-2L16,4L10,10L4,4Z" fill={ALARM} /> });
  return items;
}
