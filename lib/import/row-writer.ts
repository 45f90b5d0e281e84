import type { BinaryCopyWriter } from "./copy-binary";
import { encoderFor, type CellEncoder } from "./encoders";
import { Invalid, type ParseContext } from "./fields";
import { PROVENANCE_COLUMNS, type ColumnSpec, type FileSpec } from "./files";
import { KnownIds, type ReferenceKind } from "./known-ids";
import type { ProblemLog } from "./problems";

// A column whose cells repeat remembers this many distinct ones, then starts afresh: memory
// stays bounded whatever the file, and a file sorted by date keeps hitting.
const REMEMBERED_PER_COLUMN = 20_000;

const REQUIRED_EMPTY = new Invalid("required value is empty");

/** What a cell became: its normalised text, null (empty and optional), or why it is refused. */
export type Verdict = string | null | Invalid;

/** One column's rules and encoding. Rows of one claim or member repeat most cells of the row
 *  before (dates, plan, provider, status), so every column first compares its cell with the
 *  previous row's and reuses that verdict. A column whose cells repeat across the whole file
 *  (modifier and diagnosis lists, `repeats`) also remembers the verdict on each distinct cell:
 *  a large file repeats a few thousand of them millions of times. */
export class ColumnWriter {
  /** The normalised text of the last cell written (for row rules and references). */
  value: string | null = null;
  readonly encode: CellEncoder;
  private readonly remembered: Map<string, Verdict> | null;
  private previousRaw: string | null = null;
  private previous: Verdict = null;

  constructor(
    readonly column: ColumnSpec,
    private readonly ctx: ParseContext,
  ) {
    this.encode = encoderFor(column.type);
    this.remembered = column.repeats ? new Map() : null;
  }

  /** Writes the cell to `out` and returns null, or returns why it is refused. */
  write(raw: string, out: BinaryCopyWriter): Invalid | null {
    const verdict = this.recall(raw);
    if (verdict instanceof Invalid) return verdict;
    if (verdict === null) out.null();
    else this.encode(out, verdict);
    this.value = verdict;
    return null;
  }

  /** The verdict on a cell (remembered as `write` remembers it), writing nothing. */
  recall(raw: string): Verdict {
    if (raw === this.previousRaw) return this.previous;
    const remembered = this.remembered;
    let verdict = remembered === null ? undefined : remembered.get(raw);
    if (verdict === undefined) {
      verdict = this.parse(raw);
      if (remembered !== null) {
        if (remembered.size >= REMEMBERED_PER_COLUMN) remembered.clear();
        remembered.set(raw, verdict);
      }
    }
    this.previousRaw = raw;
    this.previous = verdict;
    return verdict;
  }

  /** The verdict on a cell, surrounding spaces dropped. */
  private parse(raw: string): Verdict {
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
  if (c <= 32) return true;
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0xfeff || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
  );
}

/**
 * Validates rows of one file against its spec and writes the valid ones, normalised, as binary
 * COPY rows `import_batch_id, source_line, <spec columns>`. On a large import this is the
 * hottest loop of the product: no object or string is made per valid cell.
 */
export class RowWriter {
  private readonly columns: ColumnWriter[];
  /** For each column, the references its cells make (most columns: none). */
  private readonly referencesOf: (ReferenceCheck | null)[];
  private readonly defines: { kind: ReferenceKind; column: ColumnWriter } | null;

  constructor(
    private readonly spec: FileSpec,
    /** Position of each spec column in the file's rows (-1: an optional column left out). */
    private readonly columnIndex: readonly number[],
    private readonly batchId: number,
    ctx: ParseContext,
    private readonly known: KnownIds,
  ) {
    this.columns = spec.columns.map((column) => new ColumnWriter(column, ctx));
    this.referencesOf = spec.columns.map((column) => {
      const ref = spec.references.find((r) => r.column === column.name);
      return ref ? { kind: ref.kind, lastKnown: null } : null;
    });
    const key = this.columns.find((c) => c.column.name === spec.key[0]);
    this.defines = spec.defines && key ? { kind: spec.defines, column: key } : null;
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
      const column = columns[i]!;
      const refusal = column.write(raw, out);
      const reference = this.referencesOf[i];
      if (refusal !== null) {
        problems.add(spec.file, line, column.column.name, raw.trim(), refusal.reason);
        valid = false;
      } else if (reference) {
        valid = this.checkReference(reference, column, line, problems) && valid;
      }
    }
    if (valid && spec.checkRow) valid = rowRuleHolds(spec, columns.map((c) => [c.column.name, c.value] as const), line, problems);
    if (!valid) out.rewind(mark);
    else if (this.defines) this.known.add(this.defines.kind, this.defines.column.value!);
    return valid;
  }

  /** The member or plan a valid cell names must exist. Rows of one claim repeat it, so an id
   *  just found is not looked up again. */
  private checkReference(ref: ReferenceCheck, column: ColumnWriter, line: number, problems: ProblemLog): boolean {
    const id = column.value!;
    if (id === ref.lastKnown) {
      this.known.again(ref.kind, line);
      return true;
    }
    if (!this.known.has(ref.kind, id, line)) {
      problems.add(this.spec.file, line, column.column.name, id, KnownIds.unknown(ref.kind));
      return false;
    }
    ref.lastKnown = id;
    return true;
  }
}

type ReferenceCheck = { kind: ReferenceKind; lastKnown: string | null };

/** The file's rule over a row whose every cell is valid (spec.checkRow, e.g. an end date not
 *  before the start), reported to `problems` when broken. Both row writers end a row with it. */
export function rowRuleHolds(spec: FileSpec, values: readonly (readonly [string, string | null])[], line: number, problems: ProblemLog): boolean {
  if (!spec.checkRow) return true;
  const rowProblem = spec.checkRow(Object.fromEntries(values));
  if (rowProblem) problems.add(spec.file, line, rowProblem.column, rowProblem.value, rowProblem.reason);
  return !rowProblem;
}
