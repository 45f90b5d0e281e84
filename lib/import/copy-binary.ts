/**
 * Tuples of PostgreSQL's binary COPY format (db/copy.ts frames them), written from the text
 * forms the cell parsers return (lib/import/fields.ts).
 *
 * Why binary: once validation is fast the server is the import's other half, and reading
 * binary costs it far less than CSV (no quoting, no date, number or array parsing): measured
 * on 590,223 claim lines, 1.05 s instead of 1.6–1.8 s. Each value is its type's `send` form
 * (PostgreSQL manual, "COPY", "Binary Format").
 *
 * Values arrive already validated, so the encoders only convert; they never judge.
 */

import { readDigits } from "../digits";

const TEXT_OID = 25;
// PostgreSQL counts dates in days from 2000-01-01.
const POSTGRES_EPOCH_DAYS = daysFromCivil(2000, 1, 1);

export class BinaryCopyWriter {
  private buf: Buffer<ArrayBuffer>;
  private pos: number;

  constructor(initialBytes = 1 << 17) {
    this.buf = Buffer.allocUnsafe(initialBytes);
    this.pos = 0;
  }

  /** Bytes written since the last `take`. */
  get size(): number {
    return this.pos;
  }

  /** Starts a row of `fields` values; returns a mark to `rewind` to should the row be refused. */
  beginRow(fields: number): number {
    const mark = this.pos;
    this.ensure(2);
    this.putInt16(fields);
    return mark;
  }

  /** Forgets everything written since `mark` (a row that turned out invalid). */
  rewind(mark: number): void {
    this.pos = mark;
  }

  /** A copy of the tuples written so far; the buffer is then reused. On a server chunks are
   *  small (db/copy.ts), so the copy is cheap and comes from memory the allocator already
   *  holds, where a fresh multi-megabyte buffer per chunk cost page faults. */
  take(): Buffer<ArrayBuffer> {
    // Not Buffer.from(view): that zero-fills a fresh buffer before copying into it, which
    // profiled at a tenth of reading a claims file.
    const out = Buffer.allocUnsafeSlow(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    this.pos = 0;
    return out;
  }

  /** A text value from bytes already known to be UTF-8 (a cell of the file, as read). */
  textBytes(src: Uint8Array, from: number, to: number): void {
    this.ensure(4 + to - from);
    this.putInt32(to - from);
    this.copyIn(src, from, to);
  }

  /** Bytes as they are: values encoded before (lib/import/byte-row-writer.ts), with their lengths. */
  raw(src: Uint8Array, from: number, to: number): void {
    this.ensure(to - from);
    this.copyIn(src, from, to);
  }

  /** Copies what was written from `mark` on into `into` (grown when short); returns it and the
   *  length through `lengthOut[0]`. */
  written(mark: number, into: Uint8Array, lengthOut: Int32Array): Uint8Array {
    const length = this.pos - mark;
    const target = into.length >= length ? into : new Uint8Array(Math.max(length, 2 * into.length));
    const buf = this.buf;
    for (let i = 0; i < length; i++) target[i] = buf[mark + i]!;
    lengthOut[0] = length;
    return target;
  }

  /** Short copies (a cell) byte by byte: cheaper than a call into the native copy. */
  private copyIn(src: Uint8Array, from: number, to: number): void {
    const buf = this.buf;
    let p = this.pos;
    if (to - from > 64) {
      buf.set(src.subarray(from, to), p);
      this.pos = p + to - from;
      return;
    }
    for (let i = from; i < to; i++) buf[p++] = src[i]!;
    this.pos = p;
  }

  null(): void {
    this.ensure(4);
    this.putInt32(-1);
  }

  int32(value: number): void {
    this.ensure(8);
    this.putInt32(4);
    this.putInt32(value);
  }

  int16(value: number): void {
    this.ensure(6);
    this.putInt32(2);
    this.putInt16(value);
  }

  /** text, varchar and enum labels: UTF-8 bytes. */
  text(value: string): void {
    const lengthAt = this.pos;
    this.pos += 4;
    this.writeUtf8(value, 0, value.length);
    this.patchLength(lengthAt);
  }

  /** jsonb from JSON text (lib/fhir): the format version (1), then the text, which the server
   *  parses. */
  jsonb(json: string): void {
    const lengthAt = this.pos;
    this.ensure(5);
    this.pos += 4;
    this.buf[this.pos++] = 1;
    this.writeUtf8(json, 0, json.length);
    this.patchLength(lengthAt);
  }

  /** `YYYY-MM-DD` (a valid calendar date). */
  date(iso: string): void {
    this.dateOf(readDigits(iso, 0, 4), readDigits(iso, 5, 7), readDigits(iso, 8, 10));
  }

  /** A valid calendar date given as year, month and day. */
  dateOf(year: number, month: number, day: number): void {
    this.int32(daysFromCivil(year, month, day) - POSTGRES_EPOCH_DAYS);
  }

  /** A non-negative decimal with at most 2 decimals and 12 whole digits (`147.02`, `5`, `0.5`),
   *  for numeric(14,2): base-10,000 digit groups, weight, sign and display scale. */
  numeric2(decimal: string): void {
    this.numericHundredths(parseHundredths(decimal));
  }

  /** The same from the amount in hundredths (a whole number, at most 14 digits). */
  numericHundredths(hundredths: number): void {
    const fraction = (hundredths % 100) * 100; // the one base-10,000 group after the point
    let whole = Math.floor(hundredths / 100);
    // Whole groups, least significant first (at most 3 for 12 digits).
    let wholeGroups = 0;
    while (whole > 0) {
      GROUPS[wholeGroups++] = whole % 10_000;
      whole = Math.floor(whole / 10_000);
    }
    // Trailing zero groups are left out, as PostgreSQL stores them.
    let lowest = 0;
    if (fraction === 0) while (lowest < wholeGroups && GROUPS[lowest] === 0) lowest++;
    const count = wholeGroups - lowest + (fraction === 0 ? 0 : 1);
    this.ensure(12 + 2 * count);
    this.putInt32(8 + 2 * count);
    this.putInt16(count);
    this.putInt16(count === 0 ? 0 : wholeGroups - 1); // weight of the first group
    this.putInt16(0); // sign: positive
    this.putInt16(2); // display scale
    for (let g = wholeGroups - 1; g >= lowest; g--) this.putInt16(GROUPS[g]!);
    if (fraction !== 0) this.putInt16(fraction);
  }

  /** A one-dimensional text[] from its literal `{A,B}` (elements that need no quoting, as the
   *  cell parsers produce). */
  textArray(literal: string): void {
    const lengthAt = this.pos;
    const end = literal.length - 1; // the closing brace
    this.ensure(24);
    this.pos += 4;
    if (end <= 1) {
      this.putInt32(0); // no dimensions
      this.putInt32(0); // no nulls
      this.putInt32(TEXT_OID);
      this.patchLength(lengthAt);
      return;
    }
    this.putInt32(1);
    this.putInt32(0);
    this.putInt32(TEXT_OID);
    const countAt = this.pos;
    this.pos += 4;
    this.putInt32(1); // lower bound
    let count = 0;
    for (let from = 1; from < end; count++) {
      let to = literal.indexOf(",", from);
      if (to === -1 || to > end) to = end;
      const elementAt = this.pos;
      this.pos += 4;
      this.writeUtf8(literal, from, to);
      this.patchLength(elementAt);
      from = to + 1;
    }
    const after = this.pos;
    this.pos = countAt;
    this.putInt32(count);
    this.pos = after;
    this.patchLength(lengthAt);
  }

  /** Writes the length of the field whose 4-byte length slot is at `at` and which ends here. */
  private patchLength(at: number): void {
    const after = this.pos;
    this.pos = at;
    this.putInt32(after - at - 4);
    this.pos = after;
  }

  // Big-endian, byte by byte: Buffer's writeInt32BE checks its arguments on every call, which
  // showed in profiles at tens of millions of calls; `ensure` has made room already.
  private putInt32(value: number): void {
    const buf = this.buf;
    const p = this.pos;
    buf[p] = value >>> 24;
    buf[p + 1] = value >>> 16;
    buf[p + 2] = value >>> 8;
    buf[p + 3] = value;
    this.pos = p + 4;
  }

  private putInt16(value: number): void {
    const buf = this.buf;
    const p = this.pos;
    buf[p] = value >>> 8;
    buf[p + 1] = value;
    this.pos = p + 2;
  }

  /** Writes `value[from, to)` at `pos` (whose 4-byte length slot the caller reserved). ASCII,
   *  nearly every cell, is copied char by char: cheaper than a call into the encoder. */
  private writeUtf8(value: string, from: number, to: number): void {
    this.ensure(3 * (to - from));
    const buf = this.buf;
    let p = this.pos;
    // A long text (a FHIR resource's JSON) is copied by the native encoder: per character here
    // it cost a fifth of reading a bulk export.
    if (to - from > 256) {
      this.pos = p + buf.write(from === 0 && to === value.length ? value : value.slice(from, to), p, "utf8");
      return;
    }
    let i = from;
    for (; i < to; i++) {
      const c = value.charCodeAt(i);
      if (c > 0x7f) break;
      buf[p++] = c;
    }
    if (i < to) p += buf.write(value.slice(i, to), p, "utf8");
    this.pos = p;
  }

  /** Room for `bytes` more after `pos`. */
  private ensure(bytes: number): void {
    const needed = this.pos + bytes;
    if (needed <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.buf.length));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}

const GROUPS = [0, 0, 0, 0];

function parseHundredths(decimal: string): number {
  const point = decimal.indexOf(".");
  if (point === -1) return readDigits(decimal, 0, decimal.length) * 100;
  const fraction = decimal.length - point - 1;
  const whole = readDigits(decimal, 0, point);
  const part = readDigits(decimal, point + 1, decimal.length);
  return whole * 100 + (fraction === 1 ? part * 10 : part);
}

/** Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
