"use client";

import { Bar, BarChart, CartesianGrid, Cell, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** A bar; `value` null draws none (a count hidden by suppression). */
export type BarDatum = { label: string; value: number | null; colour?: string };

/** Plain bars: the days-to-scan distribution, the order → scan → result funnel. */
export function BarsChart({ bars, layout = "columns", height = 260, unit }: { bars: BarDatum[]; layout?: "columns" | "rows"; height?: number; unit?: string }) {
  const rows = layout === "rows";
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={bars} layout={rows ? "vertical" : "horizontal"} margin={{ top: 12, right: 48, bottom: 8, left: rows ? 24 : 0 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={!rows} vertical={rows} />
        {rows ? <XAxis type="number" /> : <XAxis dataKey="label" tick={{ fontSize: 12 }} />}
        {rows ? <YAxis type="category" dataKey="label" width={170} tick={{ fontSize: 12 }} /> : <YAxis width={48} unit={unit} />}
        <Tooltip />
        <Bar dataKey="value" name={unit ?? "count"} isAnimationActive={false}>
          {bars.map((b) => (
            <Cell key={b.label} fill={b.colour ?? "#1f5fa8"} />
          ))}
          {rows ? <LabelList dataKey="value" position="right" /> : null}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}
