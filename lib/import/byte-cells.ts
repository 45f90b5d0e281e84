import { BinaryCopyWriter } from "./copy-binary";
import { encoderFor } from "./encoders";
import type { ParserShape } from "./fields";

/**
 * The usual cells of a file, checked and written straight from the bytes read (ASCII: the byte
 * reader sends any other line to the text path, lib/import/read-file.ts). A cell checker
 * writes the cell's binary COPY value and returns true only for a cell its parser
 * (lib/import/fields.ts) would take as it is, to the same value; for anything else — a space
 * around it, lower case, a leading zero, an invalid cell — it writes nothing and returns false,
 * and the cell goes to the parser as text, which normalises it or says why it is refused.
 * test/unit/import-byte-reader.test.ts checks that both paths write the same bytes.
 */
export type ByteCell = (src: Uint8Array, from: number, to: number, out: BinaryCopyWriter) => boolean;

/** The checker for a column of this parser shape and SQL type, or null (every cell as text). */
export function byteCellFor(shape: ParserShape | null, type: string): ByteCell | null {
  if (!shape) return null;
  switch (shape.kind) {
    case "text":
      return type === "text" ? textCell(shape.min, shape.max) : null;
    case "isoDate":
      return type === "date" ? dateCell : null;
    case "oneOf":
      return oneOfCell(shape.values, type);
    case "integer":
      return type === "integer" || type === "smallint" ? integerCell(shape.min, type === "smallint") : null;
    case "amount":
      return type === "numeric(14,2)" ? amountCell : null;
    case "npi":
      return type === "text" ? npiCell : null;
    case "procedureCode":
      return type === "text" ? procedureCell : null;
    case "placeOfService":
      return type === "text" ? placeCell : null;
  }
}

const SPACE = 32;
const ZERO = 48;
const DASH = 45;
const POINT = 46;

function textCell(min: number, max: number): ByteCell {
  return (src, from, to, out) => {
    const length = to - from;
    if (length < min || length > max || length === 0 || src[from]! <= SPACE || src[to - 1]! <= SPACE) return false;
    out.textBytes(src, from, to);
    return true;
  };
}

/** The number of the digits src[from, to), or -1. */
function digits(src: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = src[i]! - ZERO;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

const dateCell: ByteCell = (src, from, to, out) => {
  if (to - from !== 10 || src[from + 4] !== DASH || src[from + 7] !== DASH) return false;
  const y = digits(src, from, from + 4);
  const m = digits(src, from + 5, from + 7);
  const d = digits(src, from + 8, from + 10);
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return false;
  out.dateOf(y, m, d);
  return true;
};

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** A listed value exactly as listed: its encoding, made once. */
function oneOfCell(values: readonly string[], type: string): ByteCell | null {
  let encode;
  try {
    encode = encoderFor(type);
  } catch {
    return null;
  }
  const listed = values.map((value) => {
    const scratch = new BinaryCopyWriter(64);
    encode(scratch, value);
    return { bytes: Buffer.from(value, "utf8"), encoded: scratch.take() };
  });
  return (src, from, to, out) => {
    const length = to - from;
    for (const { bytes, encoded } of listed) {
      if (bytes.length !== length) continue;
      let i = 0;
      while (i < length && src[from + i] === bytes[i]) i++;
      if (i === length) {
        out.raw(encoded, 0, encoded.length);
        return true;
      }
    }
    return false;
  };
}

function integerCell(min: number, small: boolean): ByteCell {
  return (src, from, to, out) => {
    const length = to - from;
    // A leading zero is normalised by the parser (`007` is `7`): as text.
    if (length < 1 || length > 9 || src[from] === ZERO) return false;
    const n = digits(src, from, to);
    if (n < min) return false; // -1 too: not digits
    if (small) out.int16(n);
    else out.int32(n);
    return true;
  };
}

const amountCell: ByteCell = (src, from, to, out) => {
  let point = -1;
  for (let i = from; i < to; i++) {
    if (src[i] === POINT) {
      point = i;
      break;
    }
  }
  const whole = (point === -1 ? to : point) - from;
  const decimals = point === -1 ? 0 : to - point - 1;
  if (whole < 1 || whole > 12 || (point !== -1 && (decimals < 1 || decimals > 2))) return false;
  const units = digits(src, from, from + whole);
  if (units === -1) return false;
  let hundredths = units * 100;
  if (point !== -1) {
    const part = digits(src, point + 1, to);
    if (part === -1) return false;
    hundredths += decimals === 1 ? part * 10 : part;
  }
  out.numericHundredths(hundredths);
  return true;
};

// Luhn over "80840" + the first 9 digits (lib/npi.ts): the prefix adds 24.
const npiCell: ByteCell = (src, from, to, out) => {
  if (to - from !== 10) return false;
  let sum = 24;
  for (let i = 8, double = true; i >= 0; i--, double = !double) {
    let d = src[from + i]! - ZERO;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  const check = src[from + 9]! - ZERO;
  if (check < 0 || check > 9 || (10 - (sum % 10)) % 10 !== check) return false;
  out.textBytes(src, from, to);
  return true;
};

/** Digits and capitals only: lower case is made upper case by the parser. */
const procedureCell: ByteCell = (src, from, to, out) => {
  if (to - from !== 5) return false;
  for (let i = from; i < to; i++) {
    const c = src[i]!;
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) return false;
  }
  out.textBytes(src, from, to);
  return true;
};

const placeCell: ByteCell = (src, from, to, out) => {
  if (to - from !== 2 || digits(src, from, to) === -1) return false;
  out.textBytes(src, from, to);
  return true;
};
