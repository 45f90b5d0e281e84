import { Transform, type TransformCallback } from "node:stream";

/** Bytes in, text out, failing on anything that is not UTF-8 text (a spreadsheet saved as
 *  .xlsx, a zip, a Latin-1 export) instead of letting the parser invent characters. Decodes
 *  across chunk boundaries, so a character split between two reads stays whole. */
export class Utf8Text extends Transform {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  /** Whether any text so far held a double quote: until one does, no CSV cell can span lines
   *  (lib/import/read-file.ts then skips looking for line breaks inside cells). */
  sawQuote = false;

  constructor() {
    super({ readableObjectMode: true });
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
    callback(null, text);
  }

  override _flush(callback: TransformCallback): void {
    try {
      const rest = this.decoder.decode();
      if (rest.includes('"')) this.sawQuote = true;
      callback(null, rest.length > 0 ? rest : undefined);
    } catch {
      callback(new Error("the file is not UTF-8 text (it ends inside a character)"));
    }
  }
}
