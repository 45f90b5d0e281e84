import { BinaryCopyWriter } from "./copy-binary";
import { encoderFor, type CellEncoder } from "./encoders";
import { Invalid, type ParseContext } from "./fields";
import { PROVENANCE_COLUMNS, type ColumnSpec, type FileSpec } from "./files";
import { KnownIds, type ReferenceKind } from "./known-ids";
import type { ProblemLog } from "./problems";

/** A cell that passed: its binary COPY field and its normalised text (for row rules). */
type Accepted = { field: Uint8Array; value: string | null };

// A column whose cells repeat remembers this many distinct ones, then starts afresh: memory
// stays bounded whatever the file, and a file sorted by date keeps hitting.
const REMEMBERED_PER_COLUMN = 20_000;

const REQUIRED_EMPTY = new Invalid("required value is empty");

/** One column's rules and encoding. A column whose cells repeat (codes, dates, NPIs) also
 *  remembers what each distinct cell became: a large file repeats a few thousand of them
 *  millions of times, and files sorted by claim repeat them row after row, so comparing with
 *  the previous row's cell, then looking the cell up, costs a fraction of checking,
 *  normalising and encoding it again. */
class ColumnWriter {
  /** The normalised text of the last cell written (for row rules and references). */
  value: string | null = null;
  /** Whether the cell names a member or plan (set by RowWriter). */
  checksReference = false;
  private readonly encode: CellEncoder;
  private readonly remembered: Map<string, Accepted | Invalid> | null;
  private previousRaw: string | null = null;
  private previous: Accepted | Invalid = REQUIRED_EMPTY;

  constructor(
    readonly column: ColumnSpec,
    private readonly ctx: ParseContext,
    private readonly scratch: BinaryCopyWriter,
  ) {
    this.encode = encoderFor(column.type);
    this.remembered = column.repeats ? new Map() : null;
  }

  /** Writes the cell to `out` and returns null, or returns why it is refused. */
  write(raw: string, out: BinaryCopyWriter): Invalid | null {
    if (this.remembered === null) {
      const value = this.parse(raw);
      if (value instanceof Invalid) return value;
      if (value === null) out.null();
      else this.encode(out, value);
      this.value = value;
      return null;
    }
    if (raw !== this.previousRaw) {
      let known = this.remembered.get(raw);
      if (known === undefined) {
        known = this.accept(raw);
        if (this.remembered.size >= REMEMBERED_PER_COLUMN) this.remembered.clear();
        this.remembered.set(raw, known);
      }
      this.previousRaw = raw;
      this.previous = known;
    }
    const known = this.previous;
    if (known instanceof Invalid) return known;
    if (known.value === null) out.null();
    else this.encode(out, known.value);
    this.value = known.value;
    return null;
  }

  private accept(raw: string): Accepted | Invalid {
    const value = this.parse(raw);
    if (value instanceof Invalid) return value;
    const mark = this.scratch.mark();
    if (value === null) this.scratch.null();
    else this.encode(this.scratch, value);
    return { field: this.scratch.cut(mark), value };
  }

  /** The normalised text of a cell (surrounding spaces dropped), null for an empty optional
   *  cell without a default, or why it is refused. */
  private parse(raw: string): string | null | Invalid {
    const cell = hasOuterSpace(raw) ? raw.trim() : raw;
    if (cell === "") return this.column.required ? REQUIRED_EMPTY : (this.column.default ?? null);
    return this.column.parse(cell, this.ctx);
  }
}

/** Whether trim() would change the cell: checked first because trim() is a call per cell and
 *  nearly no cell needs it. */
function hasOuterSpace(raw: string): boolean {
  return raw.length > 0 && (isSpace(raw.charCodeAt(0)) || isSpace(raw.charCodeAt(raw.length - 1)));
}

// What String.prototype.trim removes that a CSV cell may hold: ASCII controls and space, the
// no-break space, the byte-order mark and the Unicode spaces and separators.
function isSpace(c: number): boolean {
  return c <= 32 || c === 0xa0 || c === 0xfeff || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/**
 * Validates rows of one file against its spec and writes the valid ones, normalised, as binary
 * COPY rows `import_batch_id, source_line, <spec columns>`. On a large import this is the
 * hottest loop of the product: no object or string is made per valid cell.
 */
export class RowWriter {
  private readonly columns: ColumnWriter[];
  private readonly references: ReferenceCheck[];
  private readonly defines: { kind: ReferenceKind; column: ColumnWriter } | null;

  constructor(
    private readonly spec: FileSpec,
    /** Position of each spec column in the file's rows (-1: an optional column left out). */
    private readonly columnIndex: readonly number[],
    private readonly batchId: number,
    ctx: ParseContext,
    private readonly known: KnownIds,
  ) {
    const scratch = new BinaryCopyWriter(1 << 12);
    this.columns = spec.columns.map((column) => new ColumnWriter(column, ctx, scratch));
    const columnNamed = (name: string) => this.columns.find((c) => c.column.name === name)!;
    this.references = spec.references.map((ref) => ({ kind: ref.kind, column: columnNamed(ref.column), lastKnown: null }));
    this.defines = spec.defines ? { kind: spec.defines, column: columnNamed(spec.key[0]!) } : null;
    for (const ref of this.references) ref.column.checksReference = true;
  }

  /** Writes the row to `out` and returns true; or reports each refused cell (or the row rule)
   *  to `problems`, writes nothing and returns false. */
  write(record: readonly string[], line: number, problems: ProblemLog, out: BinaryCopyWriter): boolean {
    const { spec, columns } = this;
    const mark = out.beginRow(PROVENANCE_COLUMNS.length + columns.length);
    out.int32(this.batchId);
    out.int32(line);
    let valid = true;
    for (let i = 0; i < columns.length; i++) {
      const position = this.columnIndex[i]!;
      const raw = position === -1 ? "" : (record[position] ?? "");
      const refusal = columns[i]!.write(raw, out);
      if (refusal !== null) {
        problems.add(spec.file, line, spec.columns[i]!.name, raw.trim(), refusal.reason);
        valid = false;
      } else if (columns[i]!.checksReference) {
        valid = this.checkReferences(columns[i]!, line, problems) && valid;
      }
    }
    if (valid && spec.checkRow) {
      const rowProblem = spec.checkRow(Object.fromEntries(columns.map((c) => [c.column.name, c.value])));
      if (rowProblem) {
        problems.add(spec.file, line, rowProblem.column, rowProblem.value, rowProblem.reason);
        valid = false;
      }
    }
    if (!valid) out.rewind(mark);
    else if (this.defines) this.known.add(this.defines.kind, this.defines.column.value!);
    return valid;
  }

  /** The member or plan a valid cell names must exist. Rows of one claim repeat it, so an id
   *  just found is not looked up again. */
  private checkReferences(column: ColumnWriter, line: number, problems: ProblemLog): boolean {
    let valid = true;
    for (const ref of this.references) {
      if (ref.column !== column) continue;
      const id = column.value!;
      if (id === ref.lastKnown) continue;
      if (this.known.has(ref.kind, id)) ref.lastKnown = id;
      else {
        problems.add(this.spec.file, line, column.column.name, id, KnownIds.unknown(ref.kind));
        valid = false;
      }
    }
    return valid;
  }
}

type ReferenceCheck = { kind: ReferenceKind; column: ColumnWriter; lastKnown: string | null };
