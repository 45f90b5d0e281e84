"use client";

import { useEffect, useRef, useState, type ReactElement, type ReactNode } from "react";

// The one chart wrapper (the shape of shadcn's chart.tsx): every chart of the product is drawn
// inside ChartContainer and takes its axes, margins, colours, tooltip and legend from here, so
// that they look and read the same everywhere. Charts draw typed props and never fetch; the
// server page passes them the numbers and puts the table of the same numbers beside them.

/** What a series is called and how it is drawn, by series key. */
export type ChartConfig = Record<string, { label: string; colour: string; dashed?: boolean }>;

/** Room for the axis titles and the widest tick ("100%") inside the drawing, so that nothing is
 *  cut at an edge. */
export const CHART_MARGIN = { top: 14, right: 20, bottom: 6, left: 6 } as const;

/** Axis text: 12 px, #4b5563 on white (7.6:1). */
export const AXIS_TICK = { fontSize: 12, fill: "#4b5563" } as const;
export const AXIS_STROKE = "#6b7280";
export const GRID_STROKE = "#e5e7eb";
export const REFERENCE_COLOUR = "#1d2430";
export const PROVISIONAL_FILL = "#f59e0b";

/** An axis title as Recharts draws it. */
export function axisTitle(value: string, axis: "x" | "y"): { value: string; position: "insideBottom" | "insideLeft"; angle?: number; offset?: number; className: string; fill: string; fontSize: number; style?: Record<string, string> } {
  return axis === "x"
    ? { value, position: "insideBottom", offset: 0, className: "axis-title", fill: "#374151", fontSize: 12 }
    : { value, position: "insideLeft", angle: -90, offset: 4, className: "axis-title", fill: "#374151", fontSize: 12, style: { textAnchor: "middle" } };
}

export const RATE_TICKS = [0, 0.25, 0.5, 0.75, 1];
export const percentTick = (v: number) => `${Math.round(v * 100)}%`;

/** The accessibility props of a chart's SVG: no Recharts keyboard layer (role="application",
 *  a focus stop that does nothing useful here), an accessible name, and `img` for a picture or
 *  `group` for one whose marks are links. */
export function chartA11y(label: string, interactive = false) {
  return { accessibilityLayer: false, role: interactive ? "group" : "img", "aria-label": label } as const;
}

/** The drawing area of a chart: a fixed height and the width of its panel, measured here (a
 *  chart never overflows its panel, at 390 px or at 1440 px). */
export function ChartContainer({ height, testId, children }: { height: number; testId?: string; children: (width: number) => ReactElement }) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setWidth(Math.floor(element.getBoundingClientRect().width));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return (
    <div ref={ref} className="chart-container" style={{ height }} data-testid={testId}>
      {width > 0 ? children(width) : null}
    </div>
  );
}

export type LegendItem = { label: string; colour: string; mark: "line" | "dashed" | "bar" | "band" | "hollow" | "hatched" | "provisional" };

/** The legend, in HTML under the chart: it wraps on a phone instead of being cut, and is read
 *  by screen readers as a list. */
export function ChartLegend({ items, testId }: { items: LegendItem[]; testId?: string }) {
  if (items.length === 0) return null;
  return (
    <ul className="chart-legend" data-testid={testId}>
      {items.map((item) => (
        <li key={`${item.mark}-${item.label}`}>
          <svg width="22" height="12" aria-hidden="true" focusable="false">
            <LegendMark item={item} />
          </svg>
          {item.label}
        </li>
      ))}
    </ul>
  );
}

function LegendMark({ item }: { item: LegendItem }) {
  switch (item.mark) {
    case "line":
      return <line x1="1" x2="21" y1="6" y2="6" stroke={item.colour} strokeWidth="2.5" />;
    case "dashed":
      return <line x1="1" x2="21" y1="6" y2="6" stroke={item.colour} strokeWidth="2.5" strokeDasharray="5 3" />;
    case "bar":
      return <rect x="3" y="1" width="16" height="10" fill={item.colour} />;
    case "band":
      return <rect x="1" y="2" width="20" height="8" fill={item.colour} fillOpacity="0.2" />;
    case "hollow":
      return <circle cx="11" cy="6" r="4" fill="#fff" stroke={item.colour} strokeWidth="1.75" />;
    case "hatched":
      return (
        <g>
          <rect x="3" y="1" width="16" height="10" fill="#fff" stroke={item.colour} strokeWidth="1.5" />
          <line x1="5" y1="11" x2="13" y2="1" stroke={item.colour} strokeWidth="1.5" />
          <line x1="11" y1="11" x2="19" y2="1" stroke={item.colour} strokeWidth="1.5" />
        </g>
      );
    case "provisional":
      return <rect x="1" y="0" width="20" height="12" fill={PROVISIONAL_FILL} fillOpacity="0.22" />;
  }
}

/** Tooltip content of every chart: a plain box, not a live region (a tooltip that follows the
 *  pointer must not interrupt a screen reader; the table carries the same numbers). */
export function ChartTooltipBox({ title, rows }: { title: string; rows: { label: string; value: string; colour?: string }[] }) {
  return (
    <div className="chart-tooltip">
      <p className="chart-tooltip-title">{title}</p>
      {rows.map((r) => (
        <p key={r.label} className="chart-tooltip-row">
          {r.colour ? <span className="chart-tooltip-swatch" style={{ background: r.colour }} aria-hidden="true" /> : null}
          <span>{r.label}</span> <strong>{r.value}</strong>
        </p>
      ))}
    </div>
  );
}

/** A category label wrapped onto at most three lines of `maxChars`, right-aligned against a
 *  vertical axis (payer names, funnel steps): long names neither overlap nor run off the edge. */
export function WrappedTick({ x, y, payload, maxChars }: { x?: number; y?: number; payload?: { value: string }; maxChars: number }): ReactNode {
  const lines = wrapWords(String(payload?.value ?? ""), maxChars);
  return (
    <text x={x} y={y} textAnchor="end" fontSize={AXIS_TICK.fontSize} fill={AXIS_TICK.fill} className="recharts-cartesian-axis-tick-value">
      {lines.map((line, i) => (
        <tspan key={i} x={x} dy={i === 0 ? `${0.35 - (lines.length - 1) * 0.6}em` : "1.2em"}>
          {line}
        </tspan>
      ))}
    </text>
  );
}

export function wrapWords(text: string, maxChars: number, maxLines = 3): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/)) {
    const last = lines[lines.length - 1];
    if (last !== undefined && (last + " " + word).length <= maxChars) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word.length > maxChars ? `${word.slice(0, maxChars - 1)}…` : word);
  }
  if (lines.length > maxLines) return [...lines.slice(0, maxLines - 1), `${lines[maxLines - 1]}…`];
  return lines;
}

/** Characters of a category label per line for a vertical axis of this chart width. */
export function categoryAxis(width: number): { width: number; maxChars: number } {
  const axisWidth = Math.round(Math.min(170, Math.max(118, width * 0.3)));
  return { width: axisWidth, maxChars: Math.max(10, Math.floor((axisWidth - 12) / 6.2)) };
}
