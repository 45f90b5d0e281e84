import { isIsoDate } from "../dates";
import { isValidNpi } from "../npi";

/** What a field parser returns: the value as it is staged (null = empty), or why it is invalid. */
export type FieldResult = { value: string | null } | { error: string };

export type FieldParser = (raw: string, ctx: ParseContext) => FieldResult;

export type ParseContext = {
  /** Today's date (`YYYY-MM-DD`), for "not after today" rules. */
  today: string;
};

const ok = (value: string | null): FieldResult => ({ value });
const fail = (error: string): FieldResult => ({ error });

export function text(min: number, max: number): FieldParser {
  return (raw) =>
    raw.length >= min && raw.length <= max ? ok(raw) : fail(`must be ${min}–${max} characters (got ${raw.length})`);
}

export const isoDate: FieldParser = (raw) =>
  isIsoDate(raw) ? ok(raw) : fail("not a calendar date in the form YYYY-MM-DD");

export const pastDate: FieldParser = (raw, ctx) => {
  if (!isIsoDate(raw)) return fail("not a calendar date in the form YYYY-MM-DD");
  return raw <= ctx.today ? ok(raw) : fail(`is after today (${ctx.today})`);
};

export function oneOf(values: readonly string[], options: { caseInsensitive?: boolean } = {}): FieldParser {
  const lookup = new Map(values.map((v) => [options.caseInsensitive ? v.toLowerCase() : v, v]));
  return (raw) => {
    const match = lookup.get(options.caseInsensitive ? raw.toLowerCase() : raw);
    return match === undefined ? fail(`must be one of ${values.join(", ")}`) : ok(match);
  };
}

export function integer(min: number): FieldParser {
  return (raw) => {
    if (!/^\d{1,9}$/.test(raw)) return fail(`must be a whole number ≥ ${min}`);
    const n = Number(raw);
    return n >= min ? ok(String(n)) : fail(`must be a whole number ≥ ${min}`);
  };
}

export const amount: FieldParser = (raw) =>
  /^\d{1,12}(\.\d{1,2})?$/.test(raw) ? ok(raw) : fail("must be a decimal ≥ 0 with at most 2 decimal places");

export const npi: FieldParser = (raw) => {
  if (!/^\d{10}$/.test(raw)) return fail("must be a 10-digit NPI");
  return isValidNpi(raw) ? ok(raw) : fail("NPI check digit is wrong");
};

export const procedureCode: FieldParser = (raw) =>
  /^[A-Za-z0-9]{5}$/.test(raw) ? ok(raw.toUpperCase()) : fail("must be a 5-character CPT/HCPCS code (letters and digits)");

export const placeOfService: FieldParser = (raw) =>
  /^\d{2}$/.test(raw) ? ok(raw) : fail("must be a 2-digit place of service code");

/** `TC;59` → the PostgreSQL array literal `{TC,59}`. */
export const modifiers: FieldParser = (raw) => {
  const list = raw.split(";").map((m) => m.trim().toUpperCase());
  if (list.length > 4) return fail("at most 4 modifiers");
  const bad = list.find((m) => !/^[A-Z0-9]{2}$/.test(m));
  if (bad !== undefined) return fail(`modifier "${bad}" is not a two-character code`);
  return ok(`{${list.join(",")}}`);
};

// ICD-10-CM: a letter, a digit, a letter or digit, then up to 4 more characters; the dot after
// the third character is optional. Stored upper case without the dot.
const ICD10 = /^[A-Z][0-9][A-Z0-9][A-Z0-9]{0,4}$/;

export const diagnosisCodes: FieldParser = (raw) => {
  const list = raw.split(";").map((c) => c.trim().toUpperCase().replace(".", ""));
  if (list.length > 12) return fail("at most 12 diagnosis codes");
  const bad = list.find((c) => !ICD10.test(c));
  if (bad !== undefined) return fail(`"${bad}" is not an ICD-10-CM code`);
  return ok(`{${list.join(",")}}`);
};
