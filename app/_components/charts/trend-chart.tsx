"use client";

import { Area, CartesianGrid, ComposedChart, Line, ReferenceArea, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import { formatInterval, formatMonth, formatRate } from "@/lib/format";
import {
  AXIS_STROKE,
  AXIS_TICK,
  axisTitle,
  CHART_MARGIN,
  chartA11y,
  ChartContainer,
  ChartLegend,
  ChartTooltipBox,
  GRID_STROKE,
  percentTick,
  PROVISIONAL_FILL,
  RATE_TICKS,
  type LegendItem,
} from "./chart";

/** One month of a line: the rate plotted (null = no point), its 95% interval, the denominator as
 *  shown (`35`, `<11`), and whether it is low volume (drawn hollow). */
export type TrendChartPoint = { rate: number | null; ciLow: number | null; ciHigh: number | null; lowVolume: boolean; n: string };

export type TrendLine = {
  key: string;
  label: string;
  colour: string;
  /** The all-payer reference: dashed. */
  dashed?: boolean;
  /** Draw the 95% interval as a band around the line. */
  band?: boolean;
  points: TrendChartPoint[];
};

type Row = Record<string, number | string | boolean | null | [number, number]>;

/** Rates by month, one line per series, with the 95% interval as a band, low-volume months as
 *  hollow points and provisional months (claims still arriving) shaded. The x axis is the
 *  month's position, so that a single month has a column of its own to shade. */
export function TrendChart({
  label,
  months,
  lines,
  provisional,
  xTitle,
  testId,
  goal = null,
}: {
  label: string;
  months: string[];
  lines: TrendLine[];
  provisional: string[];
  xTitle: string;
  testId: string;
  /** The measure's goal (config/targets.json, issue 14), drawn as a dotted green line. */
  goal?: { rate: number; label: string } | null;
}) {
  const data: Row[] = months.map((month, i) => {
    const row: Row = { i, month };
    for (const line of lines) {
      const p = line.points[i];
      row[line.key] = p?.rate ?? null;
      row[`${line.key}__low`] = p?.lowVolume ?? false;
      row[`${line.key}__ci`] = p && p.rate !== null && p.ciLow !== null && p.ciHigh !== null ? [p.ciLow, p.ciHigh] : null;
    }
    return row;
  });
  const bands = provisionalRuns(months, provisional);
  const legend: LegendItem[] = [
    ...lines.map((l) => ({ label: l.label, colour: l.colour, mark: l.dashed ? ("dashed" as const) : ("line" as const) })),
    ...lines.filter((l) => l.band).map((l) => ({ label: `95% interval of ${l.label}`, colour: l.colour, mark: "band" as const })),
    ...(lines.some((l) => l.points.some((p) => p.rate !== null && p.lowVolume)) ? [{ label: "Low volume (n under 20)", colour: "#4b5563", mark: "hollow" as const }] : []),
    ...(bands.length ? [{ label: "Provisional: claims still arriving", colour: PROVISIONAL_FILL, mark: "provisional" as const }] : []),
    ...(goal ? [{ label: `${goal.label} ${formatRate(goal.rate)}`, colour: "#15803d", mark: "dashed" as const }] : []),
  ];

  return (
    <>
      <ChartContainer height={300} testId={`${testId}-drawing`}>
        {(width) => (
          <ComposedChart width={width} height={300} data={data} margin={CHART_MARGIN} {...chartA11y(label)}>
            <CartesianGrid stroke={GRID_STROKE} vertical={false} />
            {bands.map(([first, last]) => (
              <ReferenceArea
                key={first}
                x1={first - 0.5}
                x2={last + 0.5}
                ifOverflow="hidden"
                shape={(props: { x?: number; y?: number; width?: number; height?: number }) => (
                  <rect x={props.x} y={props.y} width={props.width} height={props.height} fill={PROVISIONAL_FILL} fillOpacity={0.18} data-provisional-band={months[first]} />
                )}
              />
            ))}
            <XAxis
              type="number"
              dataKey="i"
              domain={[-0.5, months.length - 0.5]}
              ticks={months.map((_, i) => i)}
              tickFormatter={(i: number) => (months[i] ? formatMonth(months[i]!) : "")}
              interval="preserveStartEnd"
              minTickGap={10}
              tick={AXIS_TICK}
              stroke={AXIS_STROKE}
              height={44}
              label={axisTitle(xTitle, "x")}
              allowDecimals={false}
            />
            {goal ? <ReferenceLine y={goal.rate} stroke="#15803d" strokeDasharray="2 3" strokeWidth={2} className="goal-line" /> : null}
            <YAxis type="number" domain={[0, 1]} ticks={RATE_TICKS} tickFormatter={percentTick} tick={AXIS_TICK} stroke={AXIS_STROKE} width={62} label={axisTitle("Rate", "y")} />
            <Tooltip
              cursor={{ stroke: "#9ca3af" }}
              content={({ active, payload }) => {
                const row = payload?.[0]?.payload as Row | undefined;
                if (!active || !row) return null;
                const i = Number(row.i);
                return (
                  <ChartTooltipBox
                    title={`${formatMonth(months[i]!)}${provisional.includes(months[i]!) ? " (provisional)" : ""}`}
                    rows={lines.map((l) => {
                      const p = l.points[i];
                      return {
                        label: l.label,
                        colour: l.colour,
                        value: !p || p.rate === null ? "not plotted" : `${formatRate(p.rate)} (${formatInterval(p.ciLow, p.ciHigh)}; n=${p.n})`,
                      };
                    })}
                  />
                );
              }}
            />
            {lines
              .filter((l) => l.band)
              .map((l) => (
                <Area
                  key={`${l.key}-band`}
                  dataKey={`${l.key}__ci`}
                  type="linear"
                  stroke="none"
                  fill={l.colour}
                  fillOpacity={0.16}
                  connectNulls={false}
                  isAnimationActive={false}
                  activeDot={false}
                  legendType="none"
                  tooltipType="none"
                  className="ci-band"
                />
              ))}
            {lines.map((l) => (
              <Line
                key={l.key}
                dataKey={l.key}
                name={l.label}
                type="linear"
                stroke={l.colour}
                strokeWidth={l.dashed ? 2.25 : 2}
                strokeDasharray={l.dashed ? "6 4" : undefined}
                connectNulls={false}
                isAnimationActive={false}
                activeDot={{ r: 5 }}
                dot={(props: { cx?: number | null; cy?: number | null; index?: number; payload?: Row }) => {
                  const key = `${l.key}-${props.index}`;
                  if (props.cx == null || props.cy == null || props.payload?.[l.key] == null) return <g key={key} />;
                  const low = props.payload[`${l.key}__low`] === true;
                  return (
                    <circle
                      key={key}
                      cx={props.cx}
                      cy={props.cy}
                      r={low ? 4 : 3.5}
                      fill={low ? "#ffffff" : l.colour}
                      stroke={l.colour}
                      strokeWidth={1.75}
                      data-series={l.key}
                      data-low-volume={low ? "true" : "false"}
                    />
                  );
                }}
              />
            ))}
          </ComposedChart>
        )}
      </ChartContainer>
      <ChartLegend items={legend} testId={`${testId}-legend`} />
    </>
  );
}

/** Consecutive provisional months as [first, last] positions: one shaded column each run. */
function provisionalRuns(months: string[], provisional: string[]): [number, number][] {
  const runs: [number, number][] = [];
  months.forEach((m, i) => {
    if (!provisional.includes(m)) return;
    const last = runs[runs.length - 1];
    if (last && last[1] === i - 1) last[1] = i;
    else runs.push([i, i]);
  });
  return runs;
}
