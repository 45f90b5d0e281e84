import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import Papa from "papaparse";
import type { CopyIn } from "@/db/copy";
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
 * Streams one CSV file through the cell rules of its spec (Papa Parse, RFC 4180), handing the
 * valid rows, normalised, to `sink` in chunks, and reporting every invalid one to `problems`.
 * Line numbers are physical lines of the file, also when a quoted cell spans lines.
 */
export async function readImportFile(
  spec: FileSpec,
  path: string,
  { batchId, ctx, known, problems }: ReadContext,
  sink: ChunkSink,
): Promise<FileDigest> {
  const digest: FileDigest = { file: spec.file, bytes: 0, sha256: "", rows: 0, validRows: 0, warnings: [] };
  const hash = createHash("sha256");
  const source = createReadStream(path);
  source.on("data", (chunk) => {
    hash.update(chunk);
    digest.bytes += chunk.length;
  });
  // Line ends come as LF whatever the file used (CRLF, LF, CR, mixed): lib/import/utf8-text.ts.
  const text = source.pipe(new Utf8Text({ lineEnds: true }));

  let rows: RowWriter | null = null;
  // A header that cannot be used (a required column missing, one repeated) is reported once;
  // the rest of the file is still read, to count its rows for the report, not checked.
  let headerRefused = false;
  let headerLength = 0;
  let nextLine = 1;
  const out = new BinaryCopyWriter();
  const onRecord = (record: string[], errors: Papa.ParseError[]): boolean => {
    const line = nextLine;
    // The text reaches the parser only after passing `text`, so a quote in this record was seen.
    nextLine += text.sawQuote ? 1 + countNewlines(record) : 1;
    if (errors.length > 0) {
      if (rows !== null || headerRefused) digest.rows++;
      problems.add(spec.file, line, "-", "", `not valid CSV: ${errors.map((e) => e.message).join("; ")}`);
      return true;
    }
    if (isBlank(record)) return true;
    if (headerRefused) {
      digest.rows++;
      return true;
    }
    if (rows === null) {
      const columnIndex = readHeader(spec, record, problems, digest.warnings);
      if (columnIndex.length === 0) {
        headerRefused = true;
        return true;
      }
      rows = new RowWriter(spec, columnIndex, batchId, ctx, known);
      headerLength = record.length;
      return true;
    }
    digest.rows++;
    if (record.length !== headerLength) {
      problems.add(spec.file, line, "-", "", `row has ${record.length} fields, the header has ${headerLength}`);
      return true;
    }
    if (rows.write(record, line, problems, out)) digest.validRows++;
    return true;
  };

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      source.destroy();
      reject(error);
    };
    // One chunk may be on its way to the database while the next is parsed, so that parsing
    // (this process) and loading (the database server) use both cores; never more than one,
    // so memory stays flat and chunks arrive in order.
    let inFlight: Promise<void> | null = null;
    const send = (rows: Buffer<ArrayBuffer>) => {
      const sending: Promise<void> = sink.write(rows).then(() => {
        if (inFlight === sending) inFlight = null;
      });
      inFlight = sending;
      sending.catch(fail);
    };
    text.on("error", (error) => {
      problems.addFile(spec.file, error.message);
      fail(new UnreadableFile());
    });
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
        for (let i = 0; i < result.data.length; i++) {
          if (!onRecord(result.data[i]!, errors?.get(i) ?? NO_ERRORS)) {
            parser.abort();
            return;
          }
        }
        if (out.size < sink.chunkBytes) return;
        const rows = out.take();
        if (!inFlight) {
          send(rows);
          return;
        }
        parser.pause();
        inFlight.then(() => {
          send(rows);
          parser.resume();
        }, fail);
      },
      complete: () => {
        if (failed) return;
        const rows = out.size > 0 ? out.take() : null;
        (inFlight ?? Promise.resolve()).then(() => (rows ? sink.write(rows) : undefined)).then(resolve, fail);
      },
      error: (error) => fail(error),
    });
  }).catch((error) => {
    if (!(error instanceof UnreadableFile)) throw error;
  });

  if (rows === null && !headerRefused && problems.count === 0) problems.addFile(spec.file, "the file is empty: a header row is required");
  digest.sha256 = hash.digest("hex");
  return digest;
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

/** The file could not be read as text; its problem is already reported. */
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
