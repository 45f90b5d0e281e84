import { isIsoDate } from "../dates";
import { readDigits } from "../digits";
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

/** What a parser accepts, for the byte reader (lib/import/byte-cells.ts), which checks the
 *  usual cells of a file without making a string of them and hands every other cell to the
 *  parser itself. */
export type ParserShape =
  | { kind: "text"; min: number; max: number }
  | { kind: "isoDate" }
  | { kind: "oneOf"; values: readonly string[] }
  | { kind: "integer"; min: number }
  | { kind: "amount" }
  | { kind: "npi" }
  | { kind: "procedureCode" }
  | { kind: "placeOfService" };

const SHAPES = new WeakMap<FieldParser, ParserShape>();

function shaped<P extends FieldParser>(parse: P, shape: ParserShape): P {
  SHAPES.set(parse, shape);
  return parse;
}

export function shapeOf(parse: FieldParser): ParserShape | null {
  return SHAPES.get(parse) ?? null;
}

export function text(min: number, max: number): FieldParser {
  return shaped(
    (raw) => (raw.length >= min && raw.length <= max ? raw : new Invalid(`must be ${min}–${max} characters (got ${raw.length})`)),
    { kind: "text", min, max },
  );
}

const NOT_A_DATE = new Invalid("not a calendar date in the form YYYY-MM-DD");

export const isoDate: FieldParser = shaped((raw) => (isIsoDate(raw) ? raw : NOT_A_DATE), { kind: "isoDate" });

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
  return shaped(
    (raw) => {
      // The cell as listed, nearly always: compared first, because a lookup hashes the cell.
      for (let i = 0; i < values.length; i++) if (raw === values[i]) return values[i]!;
      return lookup.get(raw) ?? (options.caseInsensitive ? lookup.get(raw.toLowerCase()) : undefined) ?? refusal;
    },
    { kind: "oneOf", values },
  );
}

// The rules below read character codes rather than regular expressions: an import checks
// tens of millions of cells, and these are the common ones.

export function integer(min: number): FieldParser {
  const refusal = new Invalid(`must be a whole number ≥ ${min}`);
  return shaped(
    (raw) => {
      if (raw.length > 9 || !allDigits(raw, 0, raw.length)) return refusal;
      const n = Number(raw);
      return n < min ? refusal : raw.charCodeAt(0) === ZERO ? String(n) : raw;
    },
    { kind: "integer", min },
  );
}

const NOT_AN_AMOUNT = new Invalid("must be a decimal ≥ 0 with at most 2 decimal places");

/** `12`, `12.5`, `12.50`: up to 12 whole digits and 2 decimals. */
export const amount: FieldParser = shaped(
  (raw) => {
    const point = raw.indexOf(".");
    const whole = point === -1 ? raw.length : point;
    const decimals = point === -1 ? 0 : raw.length - point - 1;
    const shape = whole >= 1 && whole <= 12 && (point === -1 || (decimals >= 1 && decimals <= 2));
    return shape && allDigits(raw, 0, whole) && allDigits(raw, whole + 1, raw.length) ? raw : NOT_AN_AMOUNT;
  },
  { kind: "amount" },
);

const NOT_TEN_DIGITS = new Invalid("must be a 10-digit NPI");
const WRONG_CHECK_DIGIT = new Invalid("NPI check digit is wrong");

export const npi: FieldParser = shaped(
  (raw) => {
    if (raw.length !== 10 || !allDigits(raw, 0, 10)) return NOT_TEN_DIGITS;
    return isValidNpi(raw) ? raw : WRONG_CHECK_DIGIT;
  },
  { kind: "npi" },
);

const NOT_A_PROCEDURE = new Invalid("must be a 5-character CPT/HCPCS code (letters and digits)");

/** Stored upper case: `g0130` is `G0130`. */
export const procedureCode: FieldParser = shaped(
  (raw) => {
    if (raw.length !== 5) return NOT_A_PROCEDURE;
    let lower = false;
    for (let i = 0; i < 5; i++) {
      const c = raw.charCodeAt(i);
      if (c >= 97 && c <= 122) lower = true;
      else if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) return NOT_A_PROCEDURE;
    }
    return lower ? raw.toUpperCase() : raw;
  },
  { kind: "procedureCode" },
);

const NOT_A_PLACE = new Invalid("must be a 2-digit place of service code");

export const placeOfService: FieldParser = shaped((raw) => (raw.length === 2 && allDigits(raw, 0, 2) ? raw : NOT_A_PLACE), { kind: "placeOfService" });

const ZERO = 48;

const allDigits = (value: string, from: number, to: number) => readDigits(value, from, to) !== -1;

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
