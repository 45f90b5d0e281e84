"use client";

import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import { AXIS_STROKE, AXIS_TICK, axisTitle, CHART_MARGIN, categoryAxis, chartA11y, ChartContainer, ChartTooltipBox, GRID_STROKE, WrappedTick } from "./chart";

/** A bar: `value` null draws none (a count hidden by suppression); `text` is the count as shown
 *  (`1,234`, `<11`). */
export type BarDatum = { label: string; value: number | null; text: string; colour?: string };

/** Counts as bars: the days-to-scan distribution (columns), the order → scan → result funnel
 *  (rows, labels wrapped on the left). */
export function BarsChart({
  label,
  bars,
  layout = "columns",
  height = 260,
  xTitle,
  yTitle,
  testId,
}: {
  label: string;
  bars: BarDatum[];
  layout?: "columns" | "rows";
  height?: number;
  xTitle: string;
  yTitle?: string;
  testId: string;
}) {
  const rows = layout === "rows";
  const data = bars.map((b) => ({ ...b, drawn: b.value ?? 0 }));
  return (
    <ChartContainer height={height} testId={`${testId}-drawing`}>
      {(width) => {
        const axis = categoryAxis(width);
        return (
          <BarChart width={width} height={height} data={data} layout={rows ? "vertical" : "horizontal"} margin={{ ...CHART_MARGIN, top: rows ? CHART_MARGIN.top : 26, right: rows ? 56 : 20 }} {...chartA11y(label)}>
            <CartesianGrid stroke={GRID_STROKE} horizontal={!rows} vertical={rows} />
            {rows ? (
              <XAxis type="number" allowDecimals={false} tick={AXIS_TICK} stroke={AXIS_STROKE} height={44} label={axisTitle(xTitle, "x")} />
            ) : (
              <XAxis dataKey="label" type="category" interval={0} tick={AXIS_TICK} stroke={AXIS_STROKE} height={44} label={axisTitle(xTitle, "x")} />
            )}
            {rows ? (
              <YAxis type="category" dataKey="label" width={axis.width} interval={0} stroke={AXIS_STROKE} tick={(props: object) => <WrappedTick {...props} maxChars={axis.maxChars} />} />
            ) : (
              <YAxis type="number" allowDecimals={false} width={62} tick={AXIS_TICK} stroke={AXIS_STROKE} label={axisTitle(yTitle ?? "", "y")} />
            )}
            <Tooltip
              cursor={{ fill: "rgba(31, 95, 168, 0.06)" }}
              content={({ active, payload }) => {
                const d = payload?.[0]?.payload as BarDatum | undefined;
                if (!active || !d) return null;
                return <ChartTooltipBox title={d.label} rows={[{ label: xTitle === d.label ? "Count" : rows ? xTitle : (yTitle ?? "Count"), value: d.text }]} />;
              }}
            />
            <Bar dataKey="drawn" isAnimationActive={false} maxBarSize={rows ? 30 : 64} shape={(props: object) => <CountBar {...(props as CountBarProps)} rows={rows} />} />
          </BarChart>
        );
      }}
    </ChartContainer>
  );
}

type CountBarProps = { x: number; y: number; width: number; height: number; background?: { x: number; y: number; width: number; height: number }; payload: BarDatum & { drawn: number } };

/** A bar and its count written beside it (at its end, or above it) — also a hidden count
 *  (`<11`), which has no bar to draw. */
function CountBar({ x, y, width, height, payload, rows }: CountBarProps & { rows: boolean }) {
  return (
    <g>
      {payload.value !== null ? <rect x={x} y={y} width={Math.max(width, 0)} height={Math.max(height, 0)} fill={payload.colour ?? "#1f5fa8"} /> : null}
      <text
        x={rows ? x + Math.max(width, 0) + 6 : x + width / 2}
        y={rows ? y + height / 2 : y - 6}
        dy={rows ? "0.35em" : 0}
        textAnchor={rows ? "start" : "middle"}
        fontSize={12}
        fill="#374151"
        className="bar-count"
      >
        {payload.text}
      </text>
    </g>
  );
}
