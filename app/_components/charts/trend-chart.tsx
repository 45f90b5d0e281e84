"use client";

import { CartesianGrid, Legend, Line, LineChart, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export type TrendSeries = { key: string; label: string; colour: string; dashed?: boolean; points: (number | null)[] };

/** Monthly rates per series, with provisional months (claims still arriving) shaded. */
export function TrendChart({ months, series, provisional }: { months: string[]; series: TrendSeries[]; provisional: string[] }) {
  const data = months.map((month, i) => {
    const row: Record<string, string | number | null> = { month };
    for (const s of series) row[s.key] = s.points[i] === null || s.points[i] === undefined ? null : Math.round(s.points[i]! * 1000) / 10;
    return row;
  });
  const firstProvisional = provisional[0];
  const lastProvisional = provisional[provisional.length - 1];
  return (
    <ResponsiveContainer width="100%" height={320}>
      <LineChart data={data} margin={{ top: 16, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="month" tick={{ fontSize: 12 }} />
        <YAxis domain={[0, 100]} unit="%" width={48} />
        <Tooltip formatter={(v) => (v === null ? "Data not available" : `${v}%`)} />
        <Legend />
        {firstProvisional && lastProvisional ? (
          <ReferenceArea x1={firstProvisional} x2={lastProvisional} fill="#f59e0b" fillOpacity={0.12} label={{ value: "provisional", position: "insideTop", fontSize: 12 }} />
        ) : null}
        {series.map((s) => (
          <Line
            key={s.key}
            dataKey={s.key}
            name={s.label}
            stroke={s.colour}
            strokeWidth={s.dashed ? 2.5 : 1.75}
            strokeDasharray={s.dashed ? "6 4" : undefined}
            dot={false}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
