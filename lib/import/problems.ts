/** Every problem of an import, formatted as SPEC section 3 asks: `file:line: column: value: reason`.
 *  Keeps the first `cap` messages and counts the rest, so a file of a million bad rows cannot
 *  exhaust memory. */
export class ProblemLog {
  readonly messages: string[] = [];
  count = 0;

  constructor(private readonly cap = 1000) {}

  add(file: string, line: number, column: string, value: string, reason: string): void {
    this.count++;
    if (this.messages.length < this.cap) {
      this.messages.push(`${file}:${line}: ${column}: ${showValue(value)}: ${reason}`);
    }
  }

  /** Problems found by a query that listed only the first of them: counted, not listed. */
  addUnlisted(count: number): void {
    this.count += count;
  }

  /** A problem of the file as a whole (line 0 would be misleading, so line 1, the header). */
  addFile(file: string, reason: string, column = "-", value = ""): void {
    this.add(file, 1, column, value, reason);
  }

  /** Marks the log so that a file read twice (see lib/import/index.ts) reports once. */
  checkpoint(): { count: number; kept: number } {
    return { count: this.count, kept: this.messages.length };
  }

  restore(mark: { count: number; kept: number }): void {
    this.count = mark.count;
    this.messages.length = mark.kept;
  }

  get truncated(): number {
    return this.count - this.messages.length;
  }
}

// Values are shown as given, shortened, with control characters made visible.
function showValue(value: string): string {
  const printable = value.replace(/[\u0000-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return printable.length > 80 ? `${printable.slice(0, 77)}...` : printable;
}
