import { byteCellFor, type ByteCell } from "./byte-cells";
import type { BinaryCopyWriter } from "./copy-binary";
import { Invalid, shapeOf, type ParseContext } from "./fields";
import { hashOf } from "./id-set";
import { PROVENANCE_COLUMNS, type FileSpec } from "./files";
import { KnownIds, type ReferenceKind } from "./known-ids";
import type { ProblemLog } from "./problems";
import { ColumnWriter, rowRuleHolds } from "./row-writer";

/**
 * RowWriter (lib/import/row-writer.ts) for rows read as bytes (lib/import/read-file.ts, ASCII
 * lines without quotes): the same rules, the same binary COPY rows, the same problems, without
 * a string per cell. A cell equal byte for byte to the previous row's is written as that cell
 * was (rows of one claim repeat most cells); a new one is checked from its bytes when it has its
 * usual form (lib/import/byte-cells.ts), else made a string and given to the column's parser.
 */
export class ByteRowWriter {
  private readonly columns: ByteColumn[];
  private readonly referencesOf: (ReferenceCheck | null)[];
  private readonly defines: { kind: ReferenceKind; column: ByteColumn } | null;

  constructor(
    private readonly spec: FileSpec,
    private readonly columnIndex: readonly number[],
    private readonly batchId: number,
    ctx: ParseContext,
    private readonly known: KnownIds,
  ) {
    const valued = new Set<string>(spec.defines ? [spec.key[0]!] : []);
    this.columns = spec.columns.map((column) => new ByteColumn(new ColumnWriter(column, ctx), spec.checkRow !== undefined || valued.has(column.name)));
    this.referencesOf = spec.columns.map((column) => {
      const ref = spec.references.find((r) => r.column === column.name);
      return ref ? { kind: ref.kind, previousKnown: false } : null;
    });
    const key = this.columns.find((c) => c.name === spec.key[0]);
    this.defines = spec.defines && key ? { kind: spec.defines, column: key } : null;
  }

  /** Writes the row whose cells are src[starts[i], ends[i]) to `out` and returns true; or
   *  reports each refused cell (or the row rule) to `problems`, writes nothing, returns false. */
  write(src: Buffer, starts: Int32Array, ends: Int32Array, line: number, problems: ProblemLog, out: BinaryCopyWriter): boolean {
    const { spec, columns } = this;
    const mark = out.beginRow(PROVENANCE_COLUMNS.length + columns.length);
    out.int32(this.batchId);
    out.int32(line);
    let valid = true;
    for (let i = 0; i < columns.length; i++) {
      const position = this.columnIndex[i]!;
      const column = columns[i]!;
      const from = position === -1 ? 0 : starts[position]!;
      const to = position === -1 ? 0 : ends[position]!;
      const refusal = column.write(src, from, to, out);
      if (refusal !== null) {
        problems.add(spec.file, line, column.name, column.shown, refusal.reason);
        valid = false;
        continue;
      }
      const reference = this.referencesOf[i];
      if (reference) valid = this.checkReference(reference, column, src, from, to, line, problems) && valid;
    }
    if (valid && spec.checkRow) valid = rowRuleHolds(spec, columns.map((c) => [c.name, c.value] as const), line, problems);
    if (!valid) out.rewind(mark);
    else if (this.defines) this.known.add(this.defines.kind, this.defines.column.value!);
    return valid;
  }

  /** The member or plan a valid cell names must exist. Rows of one claim repeat it, so an id
   *  just found is not looked up again. */
  private checkReference(ref: ReferenceCheck, column: ByteColumn, src: Buffer, from: number, to: number, line: number, problems: ProblemLog): boolean {
    if (column.repeated && ref.previousKnown) {
      this.known.again(ref.kind, line);
      return true;
    }
    const known = column.textValue === null ? this.known.hasBytes(ref.kind, src, from, to, line) : this.known.has(ref.kind, column.textValue, line);
    ref.previousKnown = known;
    if (!known) problems.add(this.spec.file, line, column.name, column.textValue ?? src.toString("latin1", from, to), KnownIds.unknown(ref.kind));
    return known;
  }
}

/** A column's references; `previousKnown`: its previous cell named one that exists. */
type ReferenceCheck = { kind: ReferenceKind; previousKnown: boolean };

const LENGTH = new Int32Array(1);

class ByteColumn {
  readonly name: string;
  /** The normalised text of the last valid cell, kept only where a rule needs it (references,
   *  the row rule, the key of members and plans). */
  value: string | null = null;
  /** The refused cell as a problem shows it (trimmed). */
  shown = "";
  /** The last cell written was the previous row's. */
  repeated = false;
  /** The normalised text of the last valid cell when it is not the cell's bytes as they are
   *  (made by the parser); null when it is. */
  textValue: string | null = null;
  private readonly cell: ByteCell | null;
  private previous: Uint8Array = new Uint8Array(32);
  private previousLength = -1;
  private encoded: Uint8Array = new Uint8Array(32);
  private encodedLength = 0;
  private refusal: Invalid | null = null;
  private readonly memo: ByteMemo | null;

  constructor(
    private readonly text: ColumnWriter,
    private readonly keepValue: boolean,
  ) {
    this.name = text.column.name;
    this.cell = byteCellFor(shapeOf(text.column.parse), text.column.type);
    this.memo = text.column.repeats && !keepValue ? new ByteMemo() : null;
  }

  /** Writes the cell src[from, to) and returns null, or returns why it is refused. */
  write(src: Buffer, from: number, to: number, out: BinaryCopyWriter): Invalid | null {
    const length = to - from;
    if (length === this.previousLength) {
      const previous = this.previous;
      let i = 0;
      while (i < length && src[from + i] === previous[i]) i++;
      if (i === length) {
        this.repeated = true;
        if (this.refusal === null) out.raw(this.encoded, 0, this.encodedLength);
        return this.refusal;
      }
    }
    this.repeated = false;
    return this.writeNew(src, from, to, out);
  }

  /** A cell unlike the previous row's. */
  private writeNew(src: Buffer, from: number, to: number, out: BinaryCopyWriter): Invalid | null {
    const length = to - from;
    if (this.previous.length < length) this.previous = new Uint8Array(2 * length);
    const previous = this.previous;
    for (let i = 0; i < length; i++) previous[i] = src[from + i]!;
    this.previousLength = length;

    const mark = out.size;
    let refusal: Invalid | null = null;
    const memo = this.memo;
    const remembered = memo === null ? -1 : memo.find(src, from, to);
    if (remembered !== -1) {
      // A cell of a column whose cells repeat over the file, seen before.
      refusal = memo!.refusal(remembered);
      if (refusal === null) memo!.write(remembered, out);
      else this.shown = memo!.shown(remembered);
      this.textValue = null;
    } else if (this.cell !== null && this.cell(src, from, to, out)) {
      // Taken as it is: its text is the cell's.
      this.textValue = null;
      if (this.keepValue) this.value = src.toString("latin1", from, to);
    } else {
      const raw = src.toString("latin1", from, to);
      const verdict = this.text.recall(raw);
      if (verdict instanceof Invalid) {
        refusal = verdict;
        this.shown = raw.trim();
      } else {
        if (verdict === null) out.null();
        else this.text.encode(out, verdict);
        this.value = verdict;
        this.textValue = verdict;
      }
    }
    this.refusal = refusal;
    if (refusal === null) {
      this.encoded = out.written(mark, this.encoded, LENGTH);
      this.encodedLength = LENGTH[0]!;
    }
    if (memo !== null && remembered === -1) memo.remember(src, from, to, refusal, this.shown, this.encoded, this.encodedLength);
    return refusal;
  }
}

// As lib/import/row-writer.ts: a column whose cells repeat remembers this many distinct ones,
// then starts afresh.
const REMEMBERED = 20_000;

/** The verdicts on the distinct cells of a column whose cells repeat over the file (lists of
 *  modifiers and of diagnosis codes): keyed by the cell's bytes, each its encoded value or its
 *  refusal. */
class ByteMemo {
  private keys: Uint8Array = new Uint8Array(1 << 16);
  private values: Uint8Array = new Uint8Array(1 << 16);
  private keysUsed = 0;
  private valuesUsed = 0;
  /** Per entry: key start and end, value start and end. */
  private entries = new Int32Array(4 * REMEMBERED);
  private readonly refusals: (Invalid | null)[] = [];
  private readonly shownCells: string[] = [];
  private count = 0;
  // A power of two, over twice REMEMBERED.
  private readonly slots = new Int32Array(1 << 16);

  /** The entry of the cell src[from, to), or -1. */
  find(src: Uint8Array, from: number, to: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hashOf(src, from, to) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]! - 1;
      if (entry === -1) return -1;
      const start = this.entries[4 * entry]!;
      if (this.entries[4 * entry + 1]! - start !== to - from) continue;
      const keys = this.keys;
      let i = from;
      while (i < to && keys[start + i - from] === src[i]) i++;
      if (i === to) return entry;
    }
  }

  refusal(entry: number): Invalid | null {
    return this.refusals[entry]!;
  }

  shown(entry: number): string {
    return this.shownCells[entry]!;
  }

  write(entry: number, out: BinaryCopyWriter): void {
    out.raw(this.values, this.entries[4 * entry + 2]!, this.entries[4 * entry + 3]!);
  }

  remember(src: Uint8Array, from: number, to: number, refusal: Invalid | null, shown: string, encoded: Uint8Array, encodedLength: number): void {
    if (this.count === REMEMBERED) this.clear();
    const valueLength = refusal === null ? encodedLength : 0;
    if (this.keysUsed + to - from > this.keys.length) this.keys = grownBytes(this.keys, this.keysUsed + to - from);
    if (this.valuesUsed + valueLength > this.values.length) this.values = grownBytes(this.values, this.valuesUsed + valueLength);
    const entry = this.count++;
    const e = 4 * entry;
    this.entries[e] = this.keysUsed;
    for (let i = from; i < to; i++) this.keys[this.keysUsed++] = src[i]!;
    this.entries[e + 1] = this.keysUsed;
    this.entries[e + 2] = this.valuesUsed;
    for (let i = 0; i < valueLength; i++) this.values[this.valuesUsed++] = encoded[i]!;
    this.entries[e + 3] = this.valuesUsed;
    this.refusals[entry] = refusal;
    this.shownCells[entry] = refusal === null ? "" : shown;
    const mask = this.slots.length - 1;
    let slot = hashOf(src, from, to) & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = entry + 1;
  }

  private clear(): void {
    this.count = 0;
    this.keysUsed = 0;
    this.valuesUsed = 0;
    this.slots.fill(0);
    this.refusals.length = 0;
    this.shownCells.length = 0;
  }
}

function grownBytes(array: Uint8Array, needed: number): Uint8Array {
  const grown = new Uint8Array(Math.max(needed, 2 * array.length));
  grown.set(array);
  return grown;
}

