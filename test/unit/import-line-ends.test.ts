import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { Utf8Text } from "@/lib/import/utf8-text";

// SPEC section 11, "CSV as people write it": CRLF, LF and a lone CR, mixed in one file, are each
// one line end. lib/import/utf8-text.ts turns every one into LF before the CSV parser sees it,
// also when a CRLF (or a character) is split between two reads of the file.

async function decode(chunks: (string | Buffer)[], options = { lineEnds: true }): Promise<string> {
  const out: string[] = [];
  const stream = Readable.from(chunks.map((c) => (typeof c === "string" ? Buffer.from(c, "utf8") : c))).pipe(new Utf8Text(options));
  for await (const text of stream) out.push(text as string);
  return out.join("");
}

describe("line ends", () => {
  it("CRLF, LF and a lone CR each become one LF", async () => {
    expect(await decode(["a,b\r\nc,d\ne,f\rg,h\r\n"])).toBe("a,b\nc,d\ne,f\ng,h\n");
  });

  it("a CRLF split between two reads is one line end, not two", async () => {
    expect(await decode(["a\r", "\nb\r", "\r\nc\r", "d"])).toBe("a\nb\n\nc\nd");
  });

  it("a CR that ends the file is a line end", async () => {
    expect(await decode(["a\r\nb\r"])).toBe("a\nb\n");
  });

  it("two CRs are two line ends (an empty line between)", async () => {
    expect(await decode(["a\r\rb"])).toBe("a\n\nb");
  });

  it("a character split between two reads stays whole; a leading byte-order mark is dropped", async () => {
    const bytes = Buffer.from("\uFEFFé,ü\r\n", "utf8");
    expect(await decode([bytes.subarray(0, 4), bytes.subarray(4, 7), bytes.subarray(7)])).toBe("é,ü\n");
  });

  it("without lineEnds (FHIR NDJSON) the text is left as it came", async () => {
    expect(await decode(["a\r\nb\rc"], { lineEnds: false })).toBe("a\r\nb\rc");
  });

  it("text that is not UTF-8, or holds NUL, fails", async () => {
    await expect(decode([Buffer.from([0x61, 0xff, 0x0a])])).rejects.toThrow(/not UTF-8/);
    await expect(decode(["a\u0000b"])).rejects.toThrow(/NUL/);
  });
});
