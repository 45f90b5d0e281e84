import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Transform, type TransformCallback } from "node:stream";
import { parse } from "csv-parse";
import type { Sql } from "@/db/client";
import type { ParseContext } from "./fields";
import { stageTable, type FileSpec } from "./files";
import type { ProblemLog } from "./problems";

export type StagedFile = {
  file: string;
  bytes: number;
  sha256: string;
  /** Data rows read (valid or not). */
  rows: number;
  warnings: string[];
};

// Rows are sent to COPY in chunks: large enough that per-statement cost vanishes, small enough
// that memory stays flat whatever the file size (PGlite needs each chunk as one Blob).
const CHUNK_ROWS = 20_000;

/** Streams one CSV file through validation into its staging table (line number first).
 *  Invalid rows are reported to `problems` and not staged. */
export async function stageFile(
  sql: Sql,
  spec: FileSpec,
  path: string,
  ctx: ParseContext,
  problems: ProblemLog,
): Promise<StagedFile> {
  const hash = createHash("sha256");
  let bytes = 0;
  const source = createReadStream(path);
  source.on("data", (chunk) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  const staged: StagedFile = { file: spec.file, bytes: 0, sha256: "", rows: 0, warnings: [] };
  const parser = source.pipe(new StrictUtf8()).pipe(
    parse({ bom: true, relax_column_count: true, info: true, skip_empty_lines: true }),
  );

  let columnIndex: number[] | null = null;
  let headerLength = 0;
  let chunk: string[] = [];
  const flush = async () => {
    await sql.copyCsv(stageTable(spec), ["line", ...spec.columns.map((c) => c.name)], chunk.join(""));
    chunk = [];
  };

  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (columnIndex === null) {
        columnIndex = readHeader(spec, record, problems, staged.warnings);
        headerLength = record.length;
        if (columnIndex.length === 0) break; // the header is unusable: no row can be read
        continue;
      }
      staged.rows++;
      const line = info.lines;
      if (record.length !== headerLength) {
        problems.add(spec.file, line, "-", "", `row has ${record.length} fields, the header has ${headerLength}`);
        continue;
      }
      const cells = validateRow(spec, record, columnIndex, line, ctx, problems);
      if (cells) {
        chunk.push(`${line},${cells.map(csvCell).join(",")}\n`);
        if (chunk.length >= CHUNK_ROWS) await flush();
      }
    }
    if (columnIndex === null) problems.addFile(spec.file, "the file is empty: a header row is required");
    await flush();
  } catch (error) {
    source.destroy();
    problems.addFile(spec.file, `not a valid CSV file: ${describeParseError(error)}`);
  }
  staged.bytes = bytes;
  staged.sha256 = hash.digest("hex");
  return staged;
}

/** Maps each spec column to its position in the file (-1 when an optional column is absent).
 *  Returns [] when a required column is missing or a column is repeated. */
function readHeader(spec: FileSpec, header: string[], problems: ProblemLog, warnings: string[]): number[] {
  const names = header.map((h) => h.trim().toLowerCase());
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

function validateRow(
  spec: FileSpec,
  record: string[],
  columnIndex: number[],
  line: number,
  ctx: ParseContext,
  problems: ProblemLog,
): (string | null)[] | null {
  let valid = true;
  const row: Record<string, string | null> = {};
  const cells = spec.columns.map((column, i) => {
    const position = columnIndex[i] ?? -1;
    const raw = position === -1 ? "" : (record[position] ?? "").trim();
    if (raw === "") {
      if (column.required) {
        problems.add(spec.file, line, column.name, raw, "required value is empty");
        valid = false;
      }
      row[column.name] = column.default ?? null;
      return row[column.name] ?? null;
    }
    const result = column.parse(raw, ctx);
    if ("error" in result) {
      problems.add(spec.file, line, column.name, raw, result.error);
      valid = false;
      return null;
    }
    row[column.name] = result.value;
    return result.value;
  });
  if (!valid) return null;
  const rowProblem = spec.checkRow?.(row);
  if (rowProblem) {
    problems.add(spec.file, line, rowProblem.column, rowProblem.value, rowProblem.reason);
    return null;
  }
  return cells;
}

// COPY … WITH (FORMAT csv): an unquoted empty cell is NULL; quote anything else that needs it.
function csvCell(value: string | null): string {
  if (value === null) return "";
  if (value === "" || /[",\r\n]/.test(value)) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

function describeParseError(error: unknown): string {
  if (error instanceof Error) {
    const lines = (error as { lines?: number }).lines;
    return lines ? `${error.message} (near line ${lines})` : error.message;
  }
  return String(error);
}

/** Passes bytes through unchanged, failing on anything that is not UTF-8 text (a spreadsheet
 *  saved as .xlsx, a zip, a Latin-1 export) rather than letting the parser invent characters. */
class StrictUtf8 extends Transform {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const text = this.decoder.decode(chunk, { stream: true });
      if (text.includes("\u0000")) throw new Error("the file contains NUL bytes (a binary file, not CSV text)");
      callback(null, chunk);
    } catch (error) {
      callback(error instanceof TypeError ? new Error("the file is not UTF-8 text") : (error as Error));
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.decode();
      callback();
    } catch {
      callback(new Error("the file is not UTF-8 text (it ends inside a character)"));
    }
  }
}
