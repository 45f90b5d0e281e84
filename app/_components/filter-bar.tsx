"use client";

import { usePathname, useRouter } from "next/navigation";
import { defaultPeriod, filtersToSearchParams, type Filters } from "@/lib/filters";
import { MEASURE_NAMES } from "@/lib/format";
import { MEASURE_KEYS, PRODUCT_LINES, WINDOWS } from "@/lib/measures/types";

type Option = { key: string; name: string };

const PRODUCT_LINE_NAMES: Record<string, string> = {
  commercial: "Commercial",
  medicare_advantage: "Medicare Advantage",
  medicare_ffs: "Medicare fee-for-service",
  medicaid: "Medicaid",
  other: "Other",
};

/** The filters of SPEC section 6 as controls. Every change is a new URL (shareable, reload-
 *  and back-button-safe); the page reads it back through lib/filters.ts. */
export function FilterBar({
  filters,
  dataAsOf,
  payers,
  plans = [],
  showMeasure = true,
  showPayer = true,
}: {
  filters: Filters;
  dataAsOf: string;
  payers: Option[];
  /** Plans to choose from (those of the chosen payer, or all); none = no plan control. */
  plans?: (Option & { payerKey: string })[];
  showMeasure?: boolean;
  showPayer?: boolean;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const asOf = filters.asOf ?? dataAsOf;
  const go = (overrides: Partial<Filters>) => {
    const query = filtersToSearchParams(filters, overrides, dataAsOf).toString();
    router.push(query ? `${pathname}?${query}` : pathname);
  };
  const year = Number(asOf.slice(0, 4));
  const presets = {
    last12: defaultPeriod(asOf),
    thisYear: { from: `${year}-01-01`, to: `${year}-12-31` },
    lastYear: { from: `${year - 1}-01-01`, to: `${year - 1}-12-31` },
  };
  const preset = (Object.keys(presets) as (keyof typeof presets)[]).find(
    (k) => presets[k].from === filters.from && presets[k].to === filters.to,
  ) ?? "custom";

  return (
    <form className="filter-bar" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
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
          <option value="thisYear">This year ({year})</option>
          <option value="lastYear">Last year ({year - 1})</option>
          <option value="custom">Custom range</option>
        </select>
      </label>
      <label>
        From
        <input type="date" name="from" value={filters.from} max={filters.to} onChange={(e) => e.target.value && go({ from: e.target.value })} />
      </label>
      <label>
        To
        <input type="date" name="to" value={filters.to} min={filters.from} onChange={(e) => e.target.value && go({ to: e.target.value })} />
      </label>
      {showPayer ? (
        <OneOrAll label="Payer" name="payer" all="All payers" value={filters.payers[0]} options={payers} onChange={(v) => go({ payers: v, plans: [] })} />
      ) : null}
      {plans.length > 0 ? (
        <OneOrAll
          label="Plan"
          name="plan"
          all="All plans"
          value={filters.plans[0]}
          options={plans.filter((p) => filters.payers.length === 0 || filters.payers.includes(p.payerKey))}
          onChange={(v) => go({ plans: v })}
        />
      ) : null}
      <OneOrAll
        label="Product line"
        name="productLine"
        all="All product lines"
        value={filters.productLines[0]}
        options={PRODUCT_LINES.map((line) => ({ key: line, name: PRODUCT_LINE_NAMES[line]! }))}
        onChange={(v) => go({ productLines: v as Filters["productLines"] })}
      />
      <label>
        Follow-up window
        <select name="window" value={filters.window} onChange={(e) => go({ window: Number(e.target.value) as Filters["window"] })}>
          {WINDOWS.map((w) => (
            <option key={w} value={w}>
              {w} days
            </option>
          ))}
        </select>
      </label>
      {showMeasure ? (
        <label>
          Measure
          <select name="measure" value={filters.measure} onChange={(e) => go({ measure: e.target.value as Filters["measure"] })}>
            {MEASURE_KEYS.map((m) => (
              <option key={m} value={m}>
                {MEASURE_NAMES[m]}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <label>
        As of
        <input type="date" name="asOf" value={asOf} max={dataAsOf} onChange={(e) => go({ asOf: e.target.value && e.target.value !== dataAsOf ? e.target.value : null })} />
      </label>
    </form>
  );
}

/** A select of one value or all of them; the filters hold it as a list (empty = all). */
function OneOrAll({
  label,
  name,
  all,
  value,
  options,
  onChange,
}: {
  label: string;
  name: string;
  all: string;
  value: string | undefined;
  options: Option[];
  onChange: (values: string[]) => void;
}) {
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
