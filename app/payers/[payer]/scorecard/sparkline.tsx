import { formatMonth, formatRate } from "@/lib/format";
import type { ScorecardMonth } from "@/lib/views/scorecard";

// A measure's monthly rates in a line the height of a table row (the scorecard's trend column),
// on a 0–100% scale so that lines of different measures read alike. Provisional months hollow;
// months not plotted (still pending, hidden, empty) leave a gap. Plain SVG: it prints.

const W = 132;
const H = 30;
const PAD = 3;

export function Sparkline({ months, target, name }: { months: ScorecardMonth[]; target: number | null; name: string }) {
  const plotted = months.map((m, i) => ({ ...m, i })).filter((m) => m.rate !== null);
  const x = (i: number) => PAD + (months.length <= 1 ? (W - 2 * PAD) / 2 : (i * (W - 2 * PAD)) / (months.length - 1));
  const y = (v: number) => H - PAD - v * (H - 2 * PAD);
  const path = months
    .map((m, i) => (m.rate === null ? null : `${i > 0 && months[i - 1]!.rate !== null ? "L" : "M"}${x(i).toFixed(1)},${y(m.rate).toFixed(1)}`))
    .filter(Boolean)
    .join("");
  const first = plotted[0];
  const last = plotted[plotted.length - 1];
  const label =
    plotted.length === 0
      ? `${name}: no month to plot`
      : `${name} by month: ${formatRate(first!.rate)} in ${formatMonth(first!.month)}${plotted.length > 1 ? ` to ${formatRate(last!.rate)} in ${formatMonth(last!.month)}` : ""}, ${plotted.length} of ${months.length} months plotted`;
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={label} className="sparkline" xmlns="http://www.w3.org/2000/svg">
      <rect x={0} y={0} width={W} height={H} fill="#f4f6f9" />
      {target !== null ? <line x1={0} x2={W} y1={y(target)} y2={y(target)} stroke="#15803d" strokeWidth={1} strokeDasharray="2 2" /> : null}
      <path d={path} fill="none" stroke="#1f5fa8" strokeWidth={1.5} />
      {plotted.map((m) => (
        <circle key={m.month} cx={x(m.i)} cy={y(m.rate!)} r={m.provisional ? 2.2 : 1.8} fill={m.provisional ? "#ffffff" : "#1f5fa8"} stroke="#1f5fa8" strokeWidth={1} />
      ))}
    </svg>
  );
}
