"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, useTransition } from "react";
import { defaultPeriod, filtersToSearchParams, type Filters } from "@/lib/filters";
import { lastFourQuarters, quarterToDate, yearEarlier, yearToDate } from "@/lib/periods";
import { formatDate, MEASURE_NAMES, parseDateInput, PRODUCT_LINE_NAMES } from "@/lib/format";
import { MEASURE_KEYS, PRODUCT_LINES, WINDOWS } from "@/lib/measures/types";
import "./filter-bar.css";

type Option = { key: string; name: string };

/** The filters of SPEC section 6 as controls. Every change is a new URL (shareable, reload-
 *  and back-button-safe); the page reads it back through lib/filters.ts. A control shows the
 *  value just chosen at once, and the bar says it is updating, while the page loads. */
export function FilterBar({
  filters,
  dataAsOf,
  payers,
  plans = [],
  showMeasure = true,
  showPayer = true,
  showWindow = true,
  preserve,
}: {
  filters: Filters;
  dataAsOf: string;
  payers: Option[];
  /** Plans to choose from (those of the chosen payer, or all); none = no plan control. */
  plans?: (Option & { payerKey: string })[];
  showMeasure?: boolean;
  showPayer?: boolean;
  /** The follow-up window, where it changes what the page shows. */
  showWindow?: boolean;
  /** Parameters of the page's own (a worklist's status, …) kept when a filter changes. */
  preserve?: Record<string, string>;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const [updating, startTransition] = useTransition();
  // The values shown: the URL's, or the one just chosen while its page loads. Reset whenever the
  // page's filters change (a navigation, back, reload).
  const shown = JSON.stringify(filters);
  const [draft, setDraft] = useState<{ of: string; filters: Filters }>({ of: shown, filters });
  const current = draft.of === shown ? draft.filters : filters;
  if (draft.of !== shown) setDraft({ of: shown, filters });

  const asOf = current.asOf ?? dataAsOf;
  const go = (overrides: Partial<Filters>) => {
    const next = { ...current, ...overrides };
    setDraft({ of: shown, filters: next });
    const query = filtersToSearchParams(next, {}, dataAsOf);
    for (const [k, v] of Object.entries(preserve ?? {})) if (v !== "") query.set(k, v);
    const text = query.toString();
    startTransition(() => router.push(text ? `${pathname}?${text}` : pathname));
  };
  const year = Number(asOf.slice(0, 4));
  // Periods people use (issue 14), from the as-of date: the data are complete up to it.
  const presets = {
    last12: defaultPeriod(asOf),
    quarterToDate: quarterToDate(asOf),
    yearToDate: yearToDate(asOf),
    lastFourQuarters: lastFourQuarters(asOf),
    thisYear: { from: `${year}-01-01`, to: `${year}-12-31` },
    lastYear: { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` },
  };
  const earlier = yearEarlier(current);
  const preset = (Object.keys(presets) as (keyof typeof presets)[]).find((k) => presets[k].from === current.from && presets[k].to === current.to) ?? "custom";

  return (
    <form className="filter-bar" aria-label="Filters" aria-busy={updating} onSubmit={(e) => e.preventDefault()} data-testid="filter-bar">
      <label>
        Period
        <select
          name="preset"
          value={preset}
          onChange={(e) => {
            const choice = e.target.value as keyof typeof presets | "custom";
            if (choice !== "custom") go(presets[choice]);
          }}
        >
          <option value="last12">Last 12 complete months</option>
          <option value="quarterToDate">Quarter to date</option>
          <option value="yearToDate">Year to date</option>
          <option value="lastFourQuarters">Last four complete quarters</option>
          <option value="thisYear">This year ({year})</option>
          <option value="lastYear">Last year ({year - 1})</option>
          <option value="custom">Custom range</option>
        </select>
      </label>
      <DateField label="From" name="from" value={current.from} onChange={(v) => go({ from: v })} />
      <DateField label="To" name="to" value={current.to} onChange={(v) => go({ to: v })} />
      {showPayer ? <OneOrAll label="Payer" name="payer" all="All payers" value={current.payers[0]} options={payers} onChange={(v) => go({ payers: v, plans: [] })} /> : null}
      {plans.length > 0 ? (
        <OneOrAll
          label="Plan"
          name="plan"
          all="All plans"
          value={current.plans[0]}
          options={plans.filter((p) => current.payers.length === 0 || current.payers.includes(p.payerKey))}
          onChange={(v) => go({ plans: v })}
        />
      ) : null}
      <OneOrAll
        label="Product line"
        name="productLine"
        all="All product lines"
        value={current.productLines[0]}
        options={PRODUCT_LINES.map((line) => ({ key: line, name: PRODUCT_LINE_NAMES[line]! }))}
        onChange={(v) => go({ productLines: v as Filters["productLines"] })}
      />
      {showWindow ? (
        <label>
          Follow-up window
          <select name="window" value={current.window} onChange={(e) => go({ window: Number(e.target.value) as Filters["window"] })}>
            {WINDOWS.map((w) => (
              <option key={w} value={w}>
                {w} days
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {showMeasure ? (
        <label>
          Measure
          <select name="measure" value={current.measure} onChange={(e) => go({ measure: e.target.value as Filters["measure"] })}>
            {MEASURE_KEYS.map((m) => (
              <option key={m} value={m}>
                {MEASURE_NAMES[m]}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <DateField label="As of" name="asOf" value={asOf} onChange={(v) => go({ asOf: v !== dataAsOf ? v : null })} />
      <div className="filter-actions">
        <button
          type="button"
          className="secondary small"
          data-testid="preset-year-earlier"
          onClick={() => go(earlier)}
          title={`${formatDate(earlier.from)} to ${formatDate(earlier.to)}`}
        >
          Same period a year earlier
        </button>
        <CopyLink />
      </div>
      <p className="filter-status" role="status" data-testid="filter-busy" hidden={!updating}>
        {updating ? "Updating…" : ""}
      </p>
    </form>
  );
}

/** A date written as every page writes dates (`1 Jul 2025`); `2025-07-01` is accepted too. The
 *  change applies on Enter or on leaving the field; a date that is not one says so. */
function DateField({ label, name, value, onChange }: { label: string; name: string; value: string; onChange: (iso: string) => void }) {
  const id = useId();
  const [text, setText] = useState<{ of: string; text: string; error: boolean }>({ of: value, text: formatDate(value), error: false });
  const state = text.of === value ? text : { of: value, text: formatDate(value), error: false };
  if (text.of !== value) setText(state);
  const apply = () => {
    const iso = parseDateInput(state.text);
    if (iso === null) return setText({ ...state, error: true });
    setText({ of: value, text: formatDate(iso), error: false });
    if (iso !== value) onChange(iso);
  };
  return (
    <label className="date-field">
      {label}
      <input
        type="text"
        name={name}
        value={state.text}
        size={11}
        autoComplete="off"
        aria-invalid={state.error}
        aria-describedby={state.error ? `${id}-error` : undefined}
        onChange={(e) => setText({ of: value, text: e.target.value, error: false })}
        onBlur={apply}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            apply();
          }
        }}
      />
      {state.error ? (
        <span id={`${id}-error`} className="field-error">
          Write a date like {formatDate(value)}
        </span>
      ) : null}
    </label>
  );
}

/** A select of one value or all of them; the filters hold it as a list (empty = all). */
function OneOrAll({ label, name, all, value, options, onChange }: { label: string; name: string; all: string; value: string | undefined; options: Option[]; onChange: (values: string[]) => void }) {
  return (
    <label>
      {label}
      <select name={name} value={value ?? ""} onChange={(e) => onChange(e.target.value ? [e.target.value] : [])}>
        <option value="">{all}</option>
        {options.map((o) => (
          <option key={o.key} value={o.key}>
            {o.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Copies the page's address (every filter is in it) and says so where a screen reader hears
 *  it; where the clipboard is not available (an older browser, a page not served securely), the
 *  address is shown selected, to copy by hand. */
function CopyLink() {
  const [state, setState] = useState<{ kind: "idle" } | { kind: "copied" } | { kind: "manual"; url: string }>({ kind: "idle" });
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (state.kind === "manual") field.current?.select();
    if (state.kind !== "copied") return;
    const timer = setTimeout(() => setState({ kind: "idle" }), 4000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = async () => {
    const url = window.location.href;
    try {
      await navigator.clipboard.writeText(url);
      setState({ kind: "copied" });
    } catch {
      setState({ kind: "manual", url });
    }
  };
  return (
    <>
      <button type="button" className="secondary small" data-testid="copy-link" onClick={() => void copy()}>
        Copy link
      </button>
      <span className="copy-status" role="status" data-testid="copy-link-status">
        {state.kind === "copied" ? "Link copied: it opens this view with these filters." : state.kind === "manual" ? "Copy this link:" : ""}
      </span>
      {state.kind === "manual" ? (
        <input ref={field} className="copy-field" readOnly value={state.url} aria-label="Link to this view" onFocus={(e) => e.target.select()} />
      ) : null}
    </>
  );
}
