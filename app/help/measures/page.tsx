import Link from "next/link";
import { MEASURE_NAMES } from "@/lib/format";
import { MEASURE_KEYS } from "@/lib/measures/types";
import { requireViewer } from "../../_lib/request";
import { COMMON_RULES, MEASURE_DEFINITIONS } from "../../_components/measure-definitions";

export const metadata = { title: "Measures — DXA Tracker" };

/** Every measure's definition: what counts, its window, its anchor, and the rules all share. */
export default async function MeasuresHelpPage() {
  await requireViewer();
  return (
    <>
      <h1>What the measures count</h1>
      <p className="lede">
        Every measure is a proportion: a denominator, a numerator and their rate, with a 95% interval. The full rules, with examples, are
        in the product&apos;s documentation (<code>docs/measures.md</code>).
      </p>
      <nav aria-label="Measures" className="panel">
        <ul className="plain-list">
          {MEASURE_KEYS.map((m) => (
            <li key={m}>
              <a href={`#${m}`}>{MEASURE_NAMES[m]}</a>
            </li>
          ))}
          <li>
            <a href="#rules">Rules every measure follows</a>
          </li>
        </ul>
      </nav>
      {MEASURE_KEYS.map((m) => {
        const d = MEASURE_DEFINITIONS[m];
        return (
          <section key={m} id={m} className="panel definition" aria-labelledby={`${m}-title`} data-testid={`help-${m}`}>
            <h2 id={`${m}-title`}>{MEASURE_NAMES[m]}</h2>
            <p>{d.summary}</p>
            <dl>
              <dt>Denominator</dt>
              <dd>{d.denominator}</dd>
              <dt>Numerator</dt>
              <dd>{d.numerator}</dd>
              <dt>Pending (left out of the rate)</dt>
              <dd>{d.pending}</dd>
              <dt>Dated by</dt>
              <dd>{d.anchor}</dd>
              <dt>Window</dt>
              <dd>{d.window}</dd>
            </dl>
            <p>
              <Link href={`/?measure=${m}`}>See this measure on the overview</Link>
            </p>
          </section>
        );
      })}
      <section id="rules" className="panel definition" aria-labelledby="rules-title">
        <h2 id="rules-title">Rules every measure follows</h2>
        <dl>
          {COMMON_RULES.map((r) => (
            <div key={r.term}>
              <dt>{r.term}</dt>
              <dd>{r.text}</dd>
            </div>
          ))}
        </dl>
      </section>
    </>
  );
}
