// Buffered CSV output. Rows are appended to a string and written with one writeSync per
// ~64 KB: a synchronous write cannot outrun the disk (no backpressure to manage) and memory
// stays at one chunk per file whatever the size of the data set.
import { closeSync, openSync, writeSync } from "node:fs";

const NEEDS_QUOTES = /[",\r\n]/;
const CHUNK_CHARS = 64 * 1024;

/** One field, quoted per RFC 4180 only when it has to be. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export class CsvFileWriter {
  private readonly fd: number;
  private chunk = "";
  private dataRows = 0;
  private writtenBytes = 0;

  constructor(
    readonly path: string,
    columns: readonly string[],
  ) {
    this.fd = openSync(path, "w");
    this.chunk = columns.map(csvField).join(",") + "\n";
  }

  writeRow(fields: readonly string[]): void {
    let text = csvField(fields[0] ?? "");
    for (let i = 1; i < fields.length; i++) text += "," + csvField(fields[i] ?? "");
    this.chunk += text + "\n";
    this.dataRows++;
    if (this.chunk.length >= CHUNK_CHARS) this.flush();
  }

  /** Rows written, not counting the header. */
  get rows(): number {
    return this.dataRows;
  }

  get bytes(): number {
    return this.writtenBytes + Buffer.byteLength(this.chunk);
  }

  private flush(): void {
    if (this.chunk === "") return;
    const buffer = Buffer.from(this.chunk, "utf8");
    // writeSync may write less than asked; loop until the whole chunk is on disk.
    for (let offset = 0; offset < buffer.length; ) offset += writeSync(this.fd, buffer, offset);
    this.writtenBytes += buffer.length;
    this.chunk = "";
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
