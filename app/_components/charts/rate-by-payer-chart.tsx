"use client";

import { Bar, BarChart, CartesianGrid, ErrorBar, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import { formatInterval, formatRate } from "@/lib/format";
import {
  AXIS_STROKE,
  AXIS_TICK,
  axisTitle,
  CHART_MARGIN,
  categoryAxis,
  chartA11y,
  ChartContainer,
  ChartLegend,
  ChartTooltipBox,
  GRID_STROKE,
  percentTick,
  RATE_TICKS,
  REFERENCE_COLOUR,
  WrappedTick,
} from "./chart";

export type PayerRate = {
  key: string;
  label: string;
  /** 0–1, null when not available or hidden. */
  rate: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  /** What the bar shows instead of a rate (`Data not available`, `Hidden (small numbers)`). */
  rateText: string;
  /** The denominator as shown (`35`, `<11`). */
  n: string;
  lowVolume: boolean;
  colour: string;
  /** The payer's page; null for Unknown payer, which has none. */
  href: string | null;
};

type Datum = PayerRate & { value: number; err: [number, number] | null };

/** Rate by payer: a horizontal bar per payer with its 95% interval as a whisker, the all-payer
 *  rate as a dashed line, low-volume bars hatched. Each bar is a link to its payer's page, so
 *  that the drill-down works by keyboard (Tab, Enter) as well as by pointer. */
/** The goal line's colour (the targets of config/targets.json, issue 14). */
const GOAL_COLOUR = "#15803d";

export function RateByPayerChart({
  label,
  payers,
  overall,
  testId,
  goal = null,
}: {
  label: string;
  payers: PayerRate[];
  overall: { rate: number; label: string } | null;
  testId: string;
  /** The measure's goal, drawn as a dotted green line. */
  goal?: { rate: number; label: string } | null;
}) {
  const data: Datum[] = payers.map((p) => ({
    ...p,
    value: p.rate ?? 0,
    err: p.rate !== null && p.ciLow !== null && p.ciHigh !== null ? [p.rate - p.ciLow, p.ciHigh - p.rate] : null,
  }));
  const height = Math.max(160, payers.length * 40 + 56);
  return (
    <>
      <ChartContainer height={height} testId={`${testId}-drawing`}>
        {(width) => {
          const axis = categoryAxis(width);
          return (
            <BarChart width={width} height={height} data={data} layout="vertical" margin={{ ...CHART_MARGIN, right: 28 }} barCategoryGap="22%" {...chartA11y(label, true)}>
              <defs>
                <pattern id={`${testId}-hatch`} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                  <rect width="6" height="6" fill="#ffffff" />
                  <line x1="0" y1="0" x2="0" y2="6" stroke="#4b5563" strokeWidth="3" />
                </pattern>
              </defs>
              <CartesianGrid stroke={GRID_STROKE} horizontal={false} />
              <XAxis type="number" domain={[0, 1]} ticks={RATE_TICKS} tickFormatter={percentTick} tick={AXIS_TICK} stroke={AXIS_STROKE} height={44} label={axisTitle("Rate", "x")} />
              <YAxis type="category" dataKey="label" width={axis.width} interval={0} stroke={AXIS_STROKE} tick={(props: object) => <WrappedTick {...props} maxChars={axis.maxChars} />} />
              <Tooltip
                cursor={{ fill: "rgba(31, 95, 168, 0.06)" }}
                content={({ active, payload }) => {
                  const d = payload?.[0]?.payload as Datum | undefined;
                  if (!active || !d) return null;
                  return (
                    <ChartTooltipBox
                      title={d.label}
                      rows={[
                        { label: "Rate", value: d.rate === null ? d.rateText : formatRate(d.rate) },
                        { label: "95% interval", value: formatInterval(d.ciLow, d.ciHigh) },
                        { label: "Denominator", value: d.lowVolume ? `${d.n} (low volume)` : d.n },
                      ]}
                    />
                  );
                }}
              />
              {overall ? <ReferenceLine x={overall.rate} stroke={REFERENCE_COLOUR} strokeDasharray="6 4" strokeWidth={2} ifOverflow="extendDomain" /> : null}
              {goal ? <ReferenceLine x={goal.rate} stroke={GOAL_COLOUR} strokeDasharray="2 3" strokeWidth={2} ifOverflow="extendDomain" className="goal-line" /> : null}
              <Bar dataKey="value" isAnimationActive={false} maxBarSize={30} shape={(props: object) => <BarLink {...(props as BarShapeProps)} hatch={`url(#${testId}-hatch)`} />}>
                <ErrorBar dataKey="err" direction="x" width={8} stroke={REFERENCE_COLOUR} strokeWidth={1.5} />
              </Bar>
            </BarChart>
          );
        }}
      </ChartContainer>
      <ChartLegend
        testId={`${testId}-legend`}
        items={[
          { label: "Rate (bar) and its 95% interval (whisker)", colour: "#0072B2", mark: "bar" },
          ...(payers.some((p) => p.lowVolume && p.rate !== null) ? [{ label: "Hatched: low volume (n under 20)", colour: "#4b5563", mark: "hatched" as const }] : []),
          ...(overall ? [{ label: `${overall.label} ${formatRate(overall.rate)}`, colour: REFERENCE_COLOUR, mark: "dashed" as const }] : []),
          ...(goal ? [{ label: `${goal.label} ${formatRate(goal.rate)}`, colour: GOAL_COLOUR, mark: "dashed" as const }] : []),
        ]}
      />
    </>
  );
}

type BarShapeProps = { x: number; y: number; width: number; height: number; payload: Datum };

/** One payer's bar: a link to its page (an SVG `<a>`, focusable and opened with Enter). A rate
 *  not shown is written where the bar would be. */
function BarLink({ x, y, width, height, payload, hatch }: BarShapeProps & { hatch: string }) {
  const d = payload;
  const name = `${d.label}: ${d.rate === null ? d.rateText : `${formatRate(d.rate)}, 95% interval ${formatInterval(d.ciLow, d.ciHigh)}`}, n=${d.n}${d.lowVolume ? ", low volume" : ""}`;
  const shape = (
    <g data-payer={d.key}>
      {d.rate === null ? (
        <text x={x + 6} y={y + height / 2} dy="0.35em" fontSize={12} fill="#4b5563" fontStyle="italic">
          {d.rateText}
        </text>
      ) : (
        <>
          <rect x={x} y={y} width={Math.max(width, 1)} height={height} fill={d.lowVolume ? hatch : d.colour} stroke={d.colour} strokeWidth={d.lowVolume ? 2 : 0} className="bar" />
          {/* A transparent strip over the whole row: an easy target, also for a short bar. */}
        </>
      )}
      <rect x={x} y={y} width={Math.max(width, 120)} height={height} fill="transparent" />
    </g>
  );
  if (!d.href) return shape;
  return (
    <a href={d.href} aria-label={`${name}. Open ${d.label}`} className="chart-link" data-payer-link={d.key}>
      {shape}
    </a>
  );
}
