import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import Papa from "papaparse";
import { Invalid, type ParseContext } from "./fields";
import type { FileSpec } from "./files";
import type { ProblemLog } from "./problems";
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

/** Receives validated rows as COPY CSV text: `import_batch_id,source_line,<spec columns>`. */
export type ChunkSink = (csv: string) => Promise<void>;

// Rows go to COPY in chunks: large enough that per-statement cost vanishes, small enough that
// memory stays flat whatever the file size (PGlite needs each chunk as one Blob).
const CHUNK_ROWS = 20_000;

/**
 * Streams one CSV file through the cell rules of its spec (Papa Parse, RFC 4180), handing the
 * valid rows, normalised, to `sink` in chunks, and reporting every invalid one to `problems`.
 * Line numbers are physical lines of the file, also when a quoted cell spans lines.
 */
export async function readImportFile(
  spec: FileSpec,
  path: string,
  batchId: number,
  ctx: ParseContext,
  problems: ProblemLog,
  sink: ChunkSink,
): Promise<FileDigest> {
  const digest: FileDigest = { file: spec.file, bytes: 0, sha256: "", rows: 0, validRows: 0, warnings: [] };
  const hash = createHash("sha256");
  const source = createReadStream(path);
  source.on("data", (chunk) => {
    hash.update(chunk);
    digest.bytes += chunk.length;
  });
  const text = source.pipe(new Utf8Text());

  let columnIndex: number[] | null = null;
  let headerLength = 0;
  let nextLine = 1;
  let chunk: string[] = [];
  const onRecord = (record: string[], errors: Papa.ParseError[]): boolean => {
    const line = nextLine;
    nextLine += 1 + countNewlines(record);
    if (errors.length > 0) {
      problems.add(spec.file, line, "-", "", `not valid CSV: ${errors.map((e) => e.message).join("; ")}`);
      return true;
    }
    if (record.length === 1 && record[0] === "") return true; // a blank line
    if (columnIndex === null) {
      columnIndex = readHeader(spec, record, problems, digest.warnings);
      headerLength = record.length;
      return columnIndex.length > 0;
    }
    digest.rows++;
    if (record.length !== headerLength) {
      problems.add(spec.file, line, "-", "", `row has ${record.length} fields, the header has ${headerLength}`);
      return true;
    }
    const csvLine = validateRow(spec, record, columnIndex, line, ctx, problems);
    if (csvLine !== null) {
      digest.validRows++;
      chunk.push(`${batchId},${line},${csvLine}\n`);
    }
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
    const send = (rows: string) => {
      const sending: Promise<void> = sink(rows).then(() => {
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
      skipEmptyLines: false,
      step: (result, parser) => {
        if (failed) return;
        if (!onRecord(result.data, result.errors)) {
          parser.abort();
          return;
        }
        if (chunk.length < CHUNK_ROWS) return;
        const rows = chunk.join("");
        chunk = [];
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
        const rows = chunk.join("");
        chunk = [];
        (inFlight ?? Promise.resolve()).then(() => sink(rows)).then(resolve, fail);
      },
      error: (error) => fail(error),
    });
  }).catch((error) => {
    if (!(error instanceof UnreadableFile)) throw error;
  });

  if (columnIndex === null && problems.count === 0) problems.addFile(spec.file, "the file is empty: a header row is required");
  digest.sha256 = hash.digest("hex");
  return digest;
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

/** The row as one line of COPY CSV (after `import_batch_id,source_line,`), or null when a
 *  cell or a row rule refused it (each problem reported). Built as one string: on a large
 *  import this is the hottest loop of the product. */
function validateRow(
  spec: FileSpec,
  record: string[],
  columnIndex: number[],
  line: number,
  ctx: ParseContext,
  problems: ProblemLog,
): string | null {
  let valid = true;
  const out = scratch;
  out.length = spec.columns.length;
  const cells: (string | null)[] | null = spec.checkRow ? [] : null;
  for (let i = 0; i < spec.columns.length; i++) {
    const column = spec.columns[i]!;
    const position = columnIndex[i]!;
    const raw = position === -1 ? "" : (record[position] ?? "").trim();
    let value: string | null;
    if (raw === "") {
      if (column.required) {
        problems.add(spec.file, line, column.name, raw, "required value is empty");
        valid = false;
      }
      value = column.default ?? null;
    } else {
      const result = column.parse(raw, ctx);
      if (result instanceof Invalid) {
        problems.add(spec.file, line, column.name, raw, result.reason);
        valid = false;
        continue;
      }
      value = result;
    }
    cells?.push(value);
    out[i] = csvCell(value);
  }
  if (!valid) return null;
  if (cells && spec.checkRow) {
    const rowProblem = spec.checkRow(Object.fromEntries(spec.columns.map((c, i) => [c.name, cells[i] ?? null])));
    if (rowProblem) {
      problems.add(spec.file, line, rowProblem.column, rowProblem.value, rowProblem.reason);
      return null;
    }
  }
  return out.join(",");
}

// Reused for every row: one array for the whole file instead of one per row.
const scratch: string[] = [];

// COPY … WITH (FORMAT csv): an unquoted empty cell is NULL; quote anything else that needs it.
function csvCell(value: string | null): string {
  if (value === null) return "";
  if (value === "" || NEEDS_QUOTES.test(value)) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

const NEEDS_QUOTES = /[",\r\n]/;
