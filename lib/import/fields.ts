import { isIsoDate } from "../dates";
import { isValidNpi } from "../npi";

/** Why a cell was refused. Parsers return the normalised value (a string) or one of these:
 *  no wrapper object per valid cell, because a large import checks tens of millions of them. */
export class Invalid {
  constructor(readonly reason: string) {}
}

export type FieldParser = (raw: string, ctx: ParseContext) => string | Invalid;

export type ParseContext = {
  /** Today's date (`YYYY-MM-DD`), for "not after today" rules. */
  today: string;
};

export function text(min: number, max: number): FieldParser {
  return (raw) =>
    raw.length >= min && raw.length <= max ? raw : new Invalid(`must be ${min}–${max} characters (got ${raw.length})`);
}

const NOT_A_DATE = new Invalid("not a calendar date in the form YYYY-MM-DD");

export const isoDate: FieldParser = (raw) => (isIsoDate(raw) ? raw : NOT_A_DATE);

export const pastDate: FieldParser = (raw, ctx) => {
  if (!isIsoDate(raw)) return NOT_A_DATE;
  return raw <= ctx.today ? raw : new Invalid(`is after today (${ctx.today})`);
};

/** One of a fixed list; with `caseInsensitive`, `PAID` is read as `paid`. */
export function oneOf(values: readonly string[], options: { caseInsensitive?: boolean } = {}): FieldParser {
  const lookup = new Map<string, string>();
  for (const v of values) {
    lookup.set(v, v);
    if (options.caseInsensitive) lookup.set(v.toLowerCase(), v).set(v.toUpperCase(), v);
  }
  const refusal = new Invalid(`must be one of ${values.join(", ")}`);
  return (raw) => lookup.get(raw) ?? (options.caseInsensitive ? lookup.get(raw.toLowerCase()) : undefined) ?? refusal;
}

export function integer(min: number): FieldParser {
  const refusal = new Invalid(`must be a whole number ≥ ${min}`);
  return (raw) => {
    if (!/^\d{1,9}$/.test(raw)) return refusal;
    const n = Number(raw);
    return n >= min ? String(n) : refusal;
  };
}

const NOT_AN_AMOUNT = new Invalid("must be a decimal ≥ 0 with at most 2 decimal places");

export const amount: FieldParser = (raw) => (/^\d{1,12}(\.\d{1,2})?$/.test(raw) ? raw : NOT_AN_AMOUNT);

const NOT_TEN_DIGITS = new Invalid("must be a 10-digit NPI");
const WRONG_CHECK_DIGIT = new Invalid("NPI check digit is wrong");

export const npi: FieldParser = (raw) => {
  if (!/^\d{10}$/.test(raw)) return NOT_TEN_DIGITS;
  return isValidNpi(raw) ? raw : WRONG_CHECK_DIGIT;
};

const NOT_A_PROCEDURE = new Invalid("must be a 5-character CPT/HCPCS code (letters and digits)");

export const procedureCode: FieldParser = (raw) => (/^[A-Za-z0-9]{5}$/.test(raw) ? raw.toUpperCase() : NOT_A_PROCEDURE);

const NOT_A_PLACE = new Invalid("must be a 2-digit place of service code");

export const placeOfService: FieldParser = (raw) => (/^\d{2}$/.test(raw) ? raw : NOT_A_PLACE);

/** `TC;59` → the PostgreSQL array literal `{TC,59}`. */
export const modifiers: FieldParser = (raw) => {
  if (/^[A-Z0-9]{2}(;[A-Z0-9]{2}){0,3}$/.test(raw)) return `{${raw.replaceAll(";", ",")}}`; // the usual form
  const list = raw.split(";").map((m) => m.trim().toUpperCase());
  if (list.length > 4) return new Invalid("at most 4 modifiers");
  const bad = list.find((m) => !/^[A-Z0-9]{2}$/.test(m));
  if (bad !== undefined) return new Invalid(`modifier "${bad}" is not a two-character code`);
  return `{${list.join(",")}}`;
};

// ICD-10-CM: a letter, a digit, a letter or digit, then up to 4 more characters, with an
// optional dot after the third. Stored upper case without the dot (`s52.501a` → `S52501A`).
const ICD10 = /^[A-Z][0-9][A-Z0-9](\.?[A-Z0-9]{1,4})?$/;

const ICD10_LIST = /^[A-Za-z][0-9][A-Za-z0-9](\.?[A-Za-z0-9]{1,4})?(;[A-Za-z][0-9][A-Za-z0-9](\.?[A-Za-z0-9]{1,4})?){0,11}$/;

export const diagnosisCodes: FieldParser = (raw) => {
  // The usual form, checked and normalised without splitting into an array.
  if (ICD10_LIST.test(raw)) return `{${raw.toUpperCase().replaceAll(".", "").replaceAll(";", ",")}}`;
  const list = raw.split(";").map((c) => c.trim().toUpperCase());
  if (list.length > 12) return new Invalid("at most 12 diagnosis codes");
  const bad = list.find((c) => !ICD10.test(c));
  if (bad !== undefined) return new Invalid(`"${bad}" is not an ICD-10-CM code`);
  return `{${list.join(",").replaceAll(".", "")}}`;
};
