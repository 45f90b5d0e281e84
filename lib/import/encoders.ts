import * as enums from "@/db/schema/enums";
import type { BinaryCopyWriter } from "./copy-binary";

/** Writes one parsed cell (its PostgreSQL text form, lib/import/fields.ts) in binary. */
export type CellEncoder = (out: BinaryCopyWriter, value: string) => void;

const asText: CellEncoder = (out, value) => out.text(value);

const BY_TYPE: Record<string, CellEncoder> = {
  text: asText,
  date: (out, value) => out.date(value),
  integer: (out, value) => out.int32(Number(value)),
  smallint: (out, value) => out.int16(Number(value)),
  "numeric(14,2)": (out, value) => out.numeric2(value),
  "text[]": (out, value) => out.textArray(value),
};

// An enum's binary form is its label.
const ENUM_TYPES = new Set(Object.values(enums).map((e) => e.enumName));

/** The encoder for a column of SQL type `type` (as the file specs name it). */
export function encoderFor(type: string): CellEncoder {
  const encoder = BY_TYPE[type] ?? (ENUM_TYPES.has(type) ? asText : undefined);
  if (!encoder) throw new Error(`no binary COPY encoder for SQL type ${type}`);
  return encoder;
}
