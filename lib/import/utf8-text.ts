import { Transform, type TransformCallback } from "node:stream";

/** Bytes in, text out, failing on anything that is not UTF-8 text (a spreadsheet saved as
 *  .xlsx, a zip, a Latin-1 export) instead of letting the parser invent characters. Decodes
 *  across chunk boundaries, so a character split between two reads stays whole. A byte-order
 *  mark at the start is dropped (TextDecoder does that).
 *
 *  With `lineEnds`, every line end — CRLF, LF or a lone CR, mixed in one file as editors and
 *  spreadsheet programs leave them (SPEC section 11) — comes out as one LF, so that the CSV
 *  parser splits on LF alone and counts one physical line per line end. A CR that ends a chunk
 *  waits for the next one, which may begin with its LF. */
export class Utf8Text extends Transform {
  private readonly decoder: TextDecoder;
  private readonly lineEnds: boolean;
  private pendingCr = false;
  /** Whether any text so far held a double quote: until one does, no CSV cell can span lines
   *  (lib/import/read-file.ts then skips looking for line breaks inside cells). */
  sawQuote = false;

  /** `midFile`: the bytes start inside a file (lib/import/read-file.ts reads its first lines
   *  itself), where U+FEFF is a character of the text, not a byte-order mark to drop. */
  constructor(options: { lineEnds?: boolean; midFile?: boolean } = {}) {
    super({ readableObjectMode: true });
    this.lineEnds = options.lineEnds ?? false;
    this.decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: options.midFile ?? false });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      callback(new Error("the file is not UTF-8 text"));
      return;
    }
    if (text.includes("\u0000")) {
      callback(new Error("the file contains NUL bytes (a binary file, not CSV text)"));
      return;
    }
    if (!this.sawQuote && text.includes('"')) this.sawQuote = true;
    callback(null, this.lineEnds ? this.normalise(text, false) : text);
  }

  override _flush(callback: TransformCallback): void {
    let rest: string;
    try {
      rest = this.decoder.decode();
    } catch {
      callback(new Error("the file is not UTF-8 text (it ends inside a character)"));
      return;
    }
    if (rest.includes('"')) this.sawQuote = true;
    if (this.lineEnds) rest = this.normalise(rest, true);
    callback(null, rest.length > 0 ? rest : undefined);
  }

  /** The text with CRLF and lone CR as LF. Most files have no CR at all (one scan, no copy);
   *  a Windows file is one replace per chunk. */
  private normalise(text: string, last: boolean): string {
    if (this.pendingCr) {
      text = `\r${text}`;
      this.pendingCr = false;
    }
    if (!last && text.charCodeAt(text.length - 1) === 13) {
      this.pendingCr = true;
      text = text.slice(0, -1);
    }
    return text.includes("\r") ? text.replace(CR_LINE_END, "\n") : text;
  }
}

const CR_LINE_END = /\r\n?/g;
