import type { ReactNode } from "react";

// Parts of the charts drawn as plain SVG on the server (the funnel plot and the control chart,
// issue 14): they need no script, so they print, appear in a PDF and download as they are
// shown. Each chart is drawn twice, for a wide panel and for a phone; CSS shows one of them
// (comparison.css), the print always the wide one. Colours and marks are attributes, never
// classes, so that a downloaded SVG looks the same outside the page.

export const INK = "#1d2430";
export const MUTED = "#4b5563";
export const GRID = "#e5e7eb";
export const AXIS = "#6b7280";
export const CENTRE = "#1d2430";
export const LIMIT_95 = "#6b7280";
export const LIMIT_998 = "#b45309";
export const TARGET = "#15803d";
export const POINT = "#1f5fa8";
export const WARN = "#c2410c";
export const ALARM = "#b91c1c";
export const PROVISIONAL = "#f59e0b";
export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

export type Layout = { width: number; height: number; left: number; right: number; top: number; bottom: number; narrow: boolean };

export const WIDE: Omit<Layout, "height"> = { width: 640, left: 56, right: 16, top: 14, bottom: 52, narrow: false };
export const NARROW: Omit<Layout, "height"> = { width: 360, left: 46, right: 10, top: 12, bottom: 52, narrow: true };

export const pct = (v: number, digits = 0) => `${(v * 100).toFixed(digits)}%`;

/** A linear scale from a domain to a pixel range. */
export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v: number) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** Round tick values for a count axis from 0 to max (about `count` of them). */
export function countTicks(max: number, count: number): number[] {
  const raw = max / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let v = 0; v <= max + 1e-9; v += step) ticks.push(Math.round(v * 100) / 100);
  return ticks;
}

/** A rate axis domain padded to tenths around every value (0 to 1 at most). */
export function rateDomain(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  const low = Math.max(0, Math.floor((Math.min(...values) - 0.02) * 10) / 10);
  const high = Math.min(1, Math.ceil((Math.max(...values) + 0.02) * 10) / 10);
  return high - low < 0.2 ? [Math.max(0, high - 0.2), Math.max(0.2, high)] : [low, high];
}

export function rateTicks([low, high]: [number, number]): number[] {
  const step = high - low > 0.5 ? 0.25 : high - low > 0.25 ? 0.1 : 0.05;
  const ticks: number[] = [];
  for (let v = Math.ceil(low / step - 1e-9) * step; v <= high + 1e-9; v += step) ticks.push(Math.round(v * 1000) / 1000);
  return ticks;
}

export type SvgLegendItem = { label: string; mark: ReactNode };

/** The legend drawn inside the SVG, under the plot, wrapping to as many rows as it needs; its
 *  height is what `legendHeight` gives. */
export function SvgLegend({ items, layout, y }: { items: SvgLegendItem[]; layout: Omit<Layout, "height">; y: number }) {
  const rows = legendRows(items, layout);
  return (
    <g fontFamily={FONT} fontSize={11} fill={INK}>
      {rows.map((row, r) => (
        <g key={r}>
          {row.map(({ item, x }) => (
            <g key={item.label} transform={`translate(${x},${y + r * 16})`}>
              <g transform="translate(0,-4)">{item.mark}</g>
              <text x={24} y={0} dominantBaseline="middle">
                {item.label}
              </text>
            </g>
          ))}
        </g>
      ))}
    </g>
  );
}

export function legendHeight(items: SvgLegendItem[], layout: Omit<Layout, "height">): number {
  return legendRows(items, layout).length * 16 + 4;
}

function legendRows(items: SvgLegendItem[], layout: Omit<Layout, "height">) {
  const rows: { item: SvgLegendItem; x: number }[][] = [[]];
  let x = 8;
  for (const item of items) {
    const width = 24 + item.label.length * 5.9 + 14;
    if (x + width > layout.width - 4 && rows[rows.length - 1]!.length > 0) {
      rows.push([]);
      x = 8;
    }
    rows[rows.length - 1]!.push({ item, x });
    x += width;
  }
  return rows;
}

export const lineMark = (colour: string, dash?: string, width = 2) => <line x1={0} x2={20} y1={4} y2={4} stroke={colour} strokeWidth={width} strokeDasharray={dash} />;

/** Wraps the two drawings of a chart: the wide one and the phone's. */
export function ResponsiveSvg({ wide, narrow }: { wide: ReactNode; narrow: ReactNode }) {
  return (
    <div className="svg-chart">
      <div className="svg-wide">{wide}</div>
      <div className="svg-narrow">{narrow}</div>
    </div>
  );
}

/** The root of a server-drawn chart: its own white ground (a downloaded file has no page
 *  behind it), the spoken label, and the test ids of the wide or the phone drawing. */
export function ChartSvg({ layout, height, label, testId, children }: { layout: Omit<Layout, "height">; height: number; label: string; testId: string; children: ReactNode }) {
  return (
    <svg
      viewBox={`0 0 ${layout.width} ${height}`}
      width="100%"
      role="img"
      aria-label={label}
      data-chart-svg={testId}
      data-testid={`${testId}-svg${layout.narrow ? "-narrow" : ""}`}
      xmlns="http://www.w3.org/2000/svg"
      fontFamily={FONT}
    >
      <rect x={0} y={0} width={layout.width} height={height} fill="#ffffff" />
      {children}
    </svg>
  );
}
