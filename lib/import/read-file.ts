import { createHash, type Hash } from "node:crypto";
import { createReadStream, readSync } from "node:fs";
import { open } from "node:fs/promises";
import Papa from "papaparse";
import type { CopyIn } from "@/db/copy";
import { ByteRowWriter } from "./byte-row-writer";
import { BinaryCopyWriter } from "./copy-binary";
import type { ParseContext } from "./fields";
import type { FileSpec } from "./files";
import type { KnownIds } from "./known-ids";
import type { ProblemLog } from "./problems";
import { RowWriter } from "./row-writer";
import { Utf8Text } from "./utf8-text";

export type FileDigest = {
  file: string;
  bytes: number;
  sha256: string;
  /** Data rows read, valid or not. */
  rows: number;
  /** Rows that passed every cell rule and were handed to `onChunk`. */
  validRows: number;
  warnings: string[];
};

/** What reading a file needs of its import. */
export type ReadContext = {
  batchId: number;
  ctx: ParseContext;
  /** Members and plans that references may name; loaded for the kinds the spec refers to. */
  known: KnownIds;
  problems: ProblemLog;
};

/** Receives validated rows as binary COPY tuples (lib/import/copy-binary.ts) of the columns
 *  `copyColumns(spec)`: `import_batch_id, source_line, <spec columns>`, in chunks of about
 *  `chunkBytes` (db/copy.ts), so that memory stays flat whatever the file size. */
export type ChunkSink = Pick<CopyIn, "write" | "chunkBytes">;

/**
 * Reads one CSV file through the cell rules of its spec, handing the valid rows, normalised, to
 * `sink` in chunks, and reporting every invalid one to `problems`. Line numbers are physical
 * lines of the file, also when a quoted cell spans lines.
 *
 * Two readers, one result. The byte reader (`readLines`) takes the lines nearly every file is
 * made of — ASCII, no quote, no control character, LF or CRLF ends — straight from the bytes
 * read (lib/import/byte-row-writer.ts): no text decoding, no CSV parser, no string per cell.
 * At the first line that is anything else it stops, and the text reader (Papa Parse, RFC 4180,
 * lib/import/utf8-text.ts) reads the file from that line on, with the same rules. `bytes: false`
 * reads the whole file as text (test/unit/import-byte-reader.test.ts compares the two).
 */
export async function readImportFile(
  spec: FileSpec,
  path: string,
  { batchId, ctx, known, problems }: ReadContext,
  sink: ChunkSink,
  options: { bytes?: boolean } = {},
): Promise<FileDigest> {
  const state: FileState = {
    spec,
    digest: { file: spec.file, bytes: 0, sha256: "", rows: 0, validRows: 0, warnings: [] },
    hash: createHash("sha256"),
    hashed: 0,
    problems,
    out: new BinaryCopyWriter(),
    sender: new ChunkSender(sink),
    header: null,
    headerRefused: false,
    nextLine: 1,
    newRows: (columnIndex) => new RowWriter(spec, columnIndex, batchId, ctx, known),
    newByteRows: (columnIndex) => new ByteRowWriter(spec, columnIndex, batchId, ctx, known),
  };
  const mark = problems.checkpoint();
  const rest = options.bytes === false ? 0 : await readLines(path, state);
  const { digest } = state;
  if (rest !== null) {
    await readText(path, rest, state).catch((error) => {
      if (!(error instanceof UnreadableFile)) throw error;
      // A file that is not text is that one problem, wherever its first bad byte lies: what
      // the lines before it said (its header's too), and how many there were, are no report on it.
      problems.restore(mark);
      known.restart();
      problems.addFile(spec.file, error.message);
      digest.rows = 0;
      digest.validRows = 0;
      digest.warnings.length = 0;
    });
  }
  if (state.header === null && !state.headerRefused && problems.count === 0) problems.addFile(spec.file, "the file is empty: a header row is required");
  digest.sha256 = state.hash.digest("hex");
  return digest;
}

/** What the two readers of one file share. */
type FileState = {
  spec: FileSpec;
  digest: FileDigest;
  hash: Hash;
  /** Bytes of the file hashed and counted so far (from its start). */
  hashed: number;
  problems: ProblemLog;
  out: BinaryCopyWriter;
  sender: ChunkSender;
  /** The header once read and usable: each spec column's position, and the number of fields. */
  header: { columnIndex: number[]; length: number } | null;
  /** A header that cannot be used (a required column missing, one repeated) is reported once;
   *  the rest of the file is still read, to count its rows for the report, not checked. */
  headerRefused: boolean;
  nextLine: number;
  newRows: (columnIndex: number[]) => RowWriter;
  newByteRows: (columnIndex: number[]) => ByteRowWriter;
};

/** Sends chunks of rows, one on its way to the database while the next is made, so that this
 *  process and the database server use both cores; never more than one, so memory stays flat
 *  and chunks arrive in order. */
class ChunkSender {
  private inFlight: Promise<void> | null = null;
  private failure: unknown = null;

  constructor(private readonly sink: ChunkSink) {}

  get chunkBytes(): number {
    return this.sink.chunkBytes;
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }

  /** Starts sending `rows` (nothing may be in flight); a failure is thrown by the next `idle`. */
  start(rows: Buffer<ArrayBuffer>): void {
    const sending: Promise<void> = this.sink.write(rows).then(
      () => {
        if (this.inFlight === sending) this.inFlight = null;
      },
      (error: unknown) => {
        this.failure ??= error;
        if (this.inFlight === sending) this.inFlight = null;
      },
    );
    this.inFlight = sending;
  }

  /** Resolves when nothing is in flight; rejects with the failure of a chunk sent. */
  async idle(): Promise<void> {
    if (this.inFlight) await this.inFlight;
    if (this.failure !== null) throw this.failure;
  }

  async send(rows: Buffer<ArrayBuffer>): Promise<void> {
    await this.idle();
    this.start(rows);
  }
}

// The byte reader's reads, and the longest line it keeps looking at before deciding it is one
// for the text reader (a file of lone-CR line ends has no LF for the byte reader to find).
const READ_BYTES = 1 << 18;
const LONG_LINE = 1 << 16;
const LF = 10;
const CR = 13;
const COMMA = 44;
const QUOTE = 34;
const SPACE = 32;

/**
 * Reads the file's lines from its start as bytes while they are plain (see readImportFile).
 * Returns null when it read the whole file, else the byte offset of the first line it left for
 * the text reader (`state.nextLine` is that line's number).
 */
async function readLines(path: string, state: FileState): Promise<number | null> {
  const { spec, problems, out, sender, digest } = state;
  const file = await open(path, "r");
  try {
    let buf = Buffer.allocUnsafe(READ_BYTES);
    let starts: Int32Array = new Int32Array(64);
    let ends: Int32Array = new Int32Array(64);
    let rows: ByteRowWriter | null = null;
    let filled = 0; // bytes in buf
    let offset = 0; // file offset of buf[0]
    let eof = false;
    let first = true;
    for (;;) {
      if (!eof) {
        if (filled === buf.length) {
          const grown = Buffer.allocUnsafe(2 * buf.length);
          buf.copy(grown, 0, 0, filled);
          buf = grown;
        }
        // Read in this thread: a read from the page cache is a copy, and a hop to the thread pool
        // per read, with no read ahead, cost more than the copy on a busy machine.
        const bytesRead = readSync(file.fd, buf, filled, buf.length - filled, offset + filled);
        if (bytesRead === 0) eof = true;
        else {
          state.hash.update(buf.subarray(filled, filled + bytesRead));
          filled += bytesRead;
          state.hashed = offset + filled;
          digest.bytes = state.hashed;
        }
      }
      let pos = 0;
      // A byte-order mark is not text (TextDecoder drops it too).
      if (first && filled >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
      if (first && (filled >= 3 || eof)) first = false;
      else if (first) continue;
      for (;;) {
        let lineEnd = buf.indexOf(LF, pos);
        if (lineEnd === -1 || lineEnd >= filled) {
          if (!eof) break;
          if (pos >= filled) break;
          lineEnd = filled; // the last line, without a line end
        }
        const contentEnd = lineEnd > pos && buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
        let fields = scanLine(buf, pos, contentEnd, starts, ends);
        if (fields === TOO_MANY_FIELDS) {
          starts = new Int32Array(contentEnd - pos + 1);
          ends = new Int32Array(contentEnd - pos + 1);
          fields = scanLine(buf, pos, contentEnd, starts, ends);
        }
        if (fields === NOT_PLAIN) return offset + pos;
        const line = state.nextLine++;
        pos = lineEnd + 1;
        // A line with nothing on it (spaces and commas at most) is skipped wherever it is.
        if (fields === BLANK) continue;
        if (state.headerRefused) {
          digest.rows++;
          continue;
        }
        if (rows === null) {
          const header: string[] = [];
          for (let f = 0; f < fields; f++) header.push(buf.toString("latin1", starts[f], ends[f]));
          const columnIndex = readHeader(spec, header, problems, digest.warnings);
          if (columnIndex.length === 0) state.headerRefused = true;
          else {
            state.header = { columnIndex, length: fields };
            rows = state.newByteRows(columnIndex);
          }
          continue;
        }
        digest.rows++;
        if (fields !== state.header!.length) {
          problems.add(spec.file, line, "-", "", `row has ${fields} fields, the header has ${state.header!.length}`);
          continue;
        }
        if (rows.write(buf, starts, ends, line, problems, out)) digest.validRows++;
        if (out.size >= sender.chunkBytes) await sender.send(out.take());
      }
      if (eof) break;
      // The line not yet ended: to the front, and read on after it. A long one is looked at
      // first: a character the byte reader leaves to the text reader ends the reading here.
      if (filled - pos > LONG_LINE) {
        for (let i = pos; i < filled; i++) {
          const c = buf[i]!;
          if ((c < SPACE && c !== LF && c !== CR) || c > 126 || c === QUOTE || (c === CR && i + 1 < filled && buf[i + 1] !== LF)) return offset + pos;
        }
      }
      buf.copy(buf, 0, pos, filled);
      offset += pos;
      filled -= pos;
    }
    if (out.size > 0) await sender.send(out.take());
    await sender.idle();
    return null;
  } finally {
    await file.close();
  }
}

const NOT_PLAIN = -1;
const BLANK = -2;
const TOO_MANY_FIELDS = -3;

/** Splits the line buf[from, to) at its commas into starts and ends; returns the number of
 *  fields, or NOT_PLAIN (a quote, a control character or a byte beyond ASCII: the text reader's),
 *  BLANK (spaces and commas at most), or TOO_MANY_FIELDS (longer arrays needed). */
function scanLine(buf: Buffer, from: number, to: number, starts: Int32Array, ends: Int32Array): number {
  const capacity = starts.length;
  let fields = 0;
  let blank = true;
  starts[0] = from;
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if (c === COMMA) {
      ends[fields++] = i;
      if (fields === capacity) return TOO_MANY_FIELDS;
      starts[fields] = i + 1;
    } else if (c > SPACE && c <= 126 && c !== QUOTE) blank = false;
    else if (c !== SPACE) return NOT_PLAIN;
  }
  ends[fields++] = to;
  return blank ? BLANK : fields;
}

/** Reads the file from byte `from` on as text with Papa Parse (see readImportFile). */
async function readText(path: string, from: number, state: FileState): Promise<void> {
  const { spec, problems, out, sender, digest } = state;
  const source = createReadStream(path, { start: from });
  let at = from;
  source.on("data", (chunk) => {
    const bytes = chunk as Buffer;
    // Bytes the byte reader read are hashed and counted already.
    const skip = Math.max(0, Math.min(bytes.length, state.hashed - at));
    if (skip < bytes.length) {
      state.hash.update(skip === 0 ? bytes : bytes.subarray(skip));
      state.hashed = at + bytes.length;
      digest.bytes = state.hashed;
    }
    at += bytes.length;
  });
  // Line ends come as LF whatever the file used (CRLF, LF, CR, mixed): lib/import/utf8-text.ts.
  const text = source.pipe(new Utf8Text({ lineEnds: true, midFile: from > 0 }));

  let rows: RowWriter | null = state.header ? state.newRows(state.header.columnIndex) : null;
  const onRecord = (record: string[], errors: Papa.ParseError[]): void => {
    const line = state.nextLine;
    // The text reaches the parser only after passing `text`, so a quote in this record was seen.
    state.nextLine += text.sawQuote ? 1 + countNewlines(record) : 1;
    if (errors.length > 0) {
      if (rows !== null || state.headerRefused) digest.rows++;
      problems.add(spec.file, line, "-", "", `not valid CSV: ${errors.map((e) => e.message).join("; ")}`);
      return;
    }
    if (isBlank(record)) return;
    if (state.headerRefused) {
      digest.rows++;
      return;
    }
    if (rows === null) {
      const columnIndex = readHeader(spec, record, problems, digest.warnings);
      if (columnIndex.length === 0) {
        state.headerRefused = true;
        return;
      }
      state.header = { columnIndex, length: record.length };
      rows = state.newRows(columnIndex);
      return;
    }
    digest.rows++;
    if (record.length !== state.header!.length) {
      problems.add(spec.file, line, "-", "", `row has ${record.length} fields, the header has ${state.header!.length}`);
      return;
    }
    if (rows.write(record, line, problems, out)) digest.validRows++;
  };

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      source.destroy();
      reject(error);
    };
    text.on("error", (error) => fail(new UnreadableFile(error.message)));
    Papa.parse<string[]>(text as unknown as NodeJS.ReadableStream, {
      header: false,
      // SPEC section 3: comma separated. Never guessed: a guess fails on short or sparse files.
      delimiter: ",",
      // Every line end is an LF by now; never guessed from the first chunk, which would make a
      // file whose first lines end in CRLF one long row wherever a line ends in LF alone.
      newline: "\n",
      skipEmptyLines: false,
      // Whole chunks of the stream at a time: cheaper than a callback per row.
      chunk: (result, parser) => {
        if (failed) return;
        const errors = errorsByRow(result.errors);
        for (let i = 0; i < result.data.length; i++) onRecord(result.data[i]!, errors?.get(i) ?? NO_ERRORS);
        if (out.size < sender.chunkBytes) return;
        const rows = out.take();
        if (!sender.busy) {
          sender.start(rows);
          return;
        }
        parser.pause();
        sender.send(rows).then(() => parser.resume(), fail);
      },
      complete: () => {
        if (failed) return;
        const rows = out.size > 0 ? out.take() : null;
        (rows ? sender.send(rows) : Promise.resolve()).then(() => sender.idle()).then(resolve, fail);
      },
      error: (error) => fail(error),
    });
  });
}

const NO_ERRORS: Papa.ParseError[] = [];

/** A line with nothing on it — empty, spaces only, or only commas (a spreadsheet's empty row) —
 *  is skipped wherever it is, such as the empty lines an editor leaves at the end. */
function isBlank(record: string[]): boolean {
  if (record[0] !== "" && (record.length > 1 || record[0]!.trim() !== "")) return false;
  for (const cell of record) if (cell.trim() !== "") return false;
  return true;
}

/** Papa Parse's errors of one chunk by row index within it; null when there are none. */
function errorsByRow(errors: Papa.ParseError[]): Map<number, Papa.ParseError[]> | null {
  if (errors.length === 0) return null;
  const byRow = new Map<number, Papa.ParseError[]>();
  for (const error of errors) {
    const row = error.row ?? 0;
    byRow.set(row, [...(byRow.get(row) ?? []), error]);
  }
  return byRow;
}

/** The file could not be read as text (the message says why). */
class UnreadableFile extends Error {}

function countNewlines(record: string[]): number {
  let n = 0;
  for (const cell of record) {
    for (let i = cell.indexOf("\n"); i !== -1; i = cell.indexOf("\n", i + 1)) n++;
  }
  return n;
}

/** Maps each spec column to its position in the file (-1 when an optional column is absent).
 *  Returns [] when a required column is missing or a column is repeated. */
function readHeader(spec: FileSpec, header: string[], problems: ProblemLog, warnings: string[]): number[] {
  const names = header.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, "") : h).trim().toLowerCase());
  let usable = true;
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) {
      problems.addFile(spec.file, "column appears more than once in the header", name);
      usable = false;
    }
  });
  const index = spec.columns.map((c) => names.indexOf(c.name));
  spec.columns.forEach((c, i) => {
    if (c.required && index[i] === -1) {
      problems.addFile(spec.file, "required column is missing from the header", c.name);
      usable = false;
    }
  });
  const known = new Set(spec.columns.map((c) => c.name));
  for (const name of names) {
    if (!known.has(name)) warnings.push(`${spec.file}: unknown column "${name}" ignored`);
  }
  return usable ? index : [];
}
