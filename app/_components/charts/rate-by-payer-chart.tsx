"use client";

import { useRouter } from "next/navigation";
import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export type PayerRate = {
  key: string;
  label: string;
  /** 0–1, null when not available (or hidden). */
  rate: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  colour: string;
  href: string | null;
};

const pct = (v: number) => Math.round(v * 1000) / 10;

type BarShapeProps = { x: number; y: number; width: number; height: number; fill: string; payload: PayerRate & { value: number | null } };

/** A bar with its 95% interval drawn as a whisker. The bar's own geometry gives the scale:
 *  its top is at its value and its bottom at 0. */
function BarWithWhisker({ x, y, width, height, fill, payload }: BarShapeProps) {
  const value = payload.value;
  const bottom = y + height;
  const perUnit = value ? height / value : 0;
  const at = (v: number) => bottom - pct(v) * perUnit;
  const cx = x + width / 2;
  return (
    <g>
      <rect x={x} y={y} width={width} height={height} fill={fill} />
      {value && payload.ciLow !== null && payload.ciHigh !== null ? (
        <g stroke="#1d2430" strokeWidth={1.5} data-whisker={payload.key}>
          <line x1={cx} x2={cx} y1={at(payload.ciLow)} y2={at(payload.ciHigh)} />
          <line x1={cx - 7} x2={cx + 7} y1={at(payload.ciLow)} y2={at(payload.ciLow)} />
          <line x1={cx - 7} x2={cx + 7} y1={at(payload.ciHigh)} y2={at(payload.ciHigh)} />
        </g>
      ) : null}
    </g>
  );
}

/** Rate by payer as bars with their 95% interval as whiskers and the all-payer rate as a
 *  reference line; a bar links to its payer's page. */
export function RateByPayerChart({ payers, overall }: { payers: PayerRate[]; overall: number | null }) {
  const router = useRouter();
  const data = payers.map((p) => ({ ...p, value: p.rate === null ? null : pct(p.rate) }));
  return (
    <ResponsiveContainer width="100%" height={320}>
      <BarChart data={data} margin={{ top: 16, right: 16, bottom: 8, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="label" interval={0} tick={{ fontSize: 12 }} angle={-25} textAnchor="end" height={70} />
        <YAxis domain={[0, 100]} unit="%" width={48} />
        <Tooltip
          formatter={(v, _name, item) => {
            const p = item.payload as PayerRate;
            return v === null || v === undefined
              ? "Data not available"
              : `${v}% (95% CI ${p.ciLow === null ? "—" : pct(p.ciLow)}–${p.ciHigh === null ? "—" : pct(p.ciHigh)}%)`;
          }}
        />
        {overall !== null ? (
          <ReferenceLine y={pct(overall)} stroke="#1d2430" strokeDasharray="6 4" label={{ value: `All payers ${pct(overall)}%`, position: "insideTopRight", fontSize: 12 }} />
        ) : null}
        <Bar
          dataKey="value"
          name="Rate"
          isAnimationActive={false}
          cursor="pointer"
          shape={(props: unknown) => <BarWithWhisker {...(props as BarShapeProps)} />}
          onClick={(entry) => {
            const href = (entry as unknown as { payload?: PayerRate }).payload?.href ?? (entry as unknown as PayerRate).href;
            if (href) router.push(href);
          }}
        >
          {data.map((d) => (
            <Cell key={d.key} fill={d.colour} data-payer={d.key} />
          ))}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}
