import { parse } from "csv-parse/sync";
import { stringify } from "csv-stringify/sync";
import { describe, expect, it } from "vitest";
import { booleanCell, countCell, dateCell, integerCell, rateCell, textCell } from "@/lib/reports/cells";
import { CSV_OPTIONS, csvText } from "@/lib/reports/csv";

// The cells of every CSV report (SPEC section 7): formula injection neutralised in text cells
// only, RFC 4180 quoting that a CSV reader gives back exactly, rates with 4 decimals, and the
// marks of small-cell suppression.

describe("text cells", () => {
  it.each([
    ["=HYPERLINK(\"http://evil.example\",\"Aetna Gold\")", "'=HYPERLINK(\"http://evil.example\",\"Aetna Gold\")"],
    ["+1 555 0100", "'+1 555 0100"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1:A9)", "'@SUM(A1:A9)"],
    ["\tcmd", "'\tcmd"],
    ["\rcmd", "'\rcmd"],
    ["＝1+1", "'＝1+1"],
  ])("%j starting with a formula character gets a leading quote", (value, expected) => {
    expect(textCell(value)).toBe(expected);
  });

  it.each(["Aetna Choice POS II", "Blue \"Select\", PPO", "a=b", "x-ray", "'quoted", " =padded", "Unknown payer", "<11", "≥11"])(
    "%j is kept as it is",
    (value) => {
      expect(textCell(value)).toBe(value);
    },
  );

  it("writes null and the empty string as an empty cell", () => {
    expect(textCell(null)).toBe("");
    expect(textCell(undefined)).toBe("");
    expect(textCell("")).toBe("");
  });
});

describe("number, date and flag cells are not text cells", () => {
  it("writes a negative number without a quote", () => {
    expect(integerCell(-3)).toBe("-3");
    expect(rateCell(-0.5)).toBe("-0.5000");
  });

  it("writes rates as decimals with 4 places, and nothing for a rate that is not available", () => {
    expect(rateCell(58 / 104)).toBe("0.5577");
    expect(rateCell(1)).toBe("1.0000");
    expect(rateCell(0)).toBe("0.0000");
    expect(rateCell(2 / 3)).toBe("0.6667");
    expect(rateCell(0.00004)).toBe("0.0000");
    expect(rateCell(null)).toBe("");
  });

  it("writes whole numbers, ISO dates and booleans as they are", () => {
    expect(integerCell(0)).toBe("0");
    expect(integerCell(1_000_000)).toBe("1000000");
    expect(integerCell(null)).toBe("");
    expect(dateCell("2026-06-25")).toBe("2026-06-25");
    expect(dateCell(null)).toBe("");
    expect(booleanCell(true)).toBe("true");
    expect(booleanCell(false)).toBe("false");
  });
});

describe("suppressed counts", () => {
  it("shows a small cell as <11 and a complementary one as ≥11, whatever the number kept", () => {
    expect(countCell(null, "small")).toBe("<11");
    expect(countCell(null, "complementary")).toBe("≥11");
    expect(countCell(7, "small")).toBe("<11");
    expect(countCell(11, "complementary")).toBe("≥11");
  });

  it("shows a count that is not hidden, zero included", () => {
    expect(countCell(11, "shown")).toBe("11");
    expect(countCell(0, "shown")).toBe("0");
    expect(countCell(104)).toBe("104");
  });
});

describe("RFC 4180 text", () => {
  const awkward = [
    ["plain", "with, comma", 'with "quotes"', "line\nbreak", "crlf\r\nbreak", ""],
    ["'=HYPERLINK(\"http://evil.example\",\"Aetna Gold\")", 'Blue "Select", PPO', "trailing space ", " leading", "≥11", "<11"],
  ];

  it("quotes only the cells that need it, doubles quotes and ends each record with CRLF", () => {
    expect(csvText([["a", "b,c", 'say "hi"', "x\ny", ""]])).toBe('a,"b,c","say ""hi""","x\ny",\r\n');
    expect(csvText([])).toBe("");
  });

  it("round-trips through a CSV reader exactly: commas, quotes, line breaks, empty cells, UTF-8", () => {
    const text = csvText(awkward);
    const back = parse(text, { bom: false, relax_column_count: false }) as string[][];
    expect(back).toEqual(awkward);
    // The same after encoding and decoding as UTF-8 bytes.
    const bytes = new TextEncoder().encode(text);
    expect(parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes))).toEqual(awkward);
  });

  it("keeps a neutralised formula a text cell after a round trip", () => {
    const [[cell]] = parse(csvText([[textCell('=HYPERLINK("http://evil.example","Aetna Gold")')]])) as string[][] as [[string]];
    expect(cell).toBe('\'=HYPERLINK("http://evil.example","Aetna Gold")');
  });
});

describe("the writer", () => {
  it("writes exactly what csv-stringify writes, for records that need quoting and records that do not", () => {
    // A fixed pseudo-random sequence, so that a failure can be replayed.
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pieces = ["a", "Z", "0", ",", '"', "\n", "\r", "\r\n", " ", "é", "≥", "'", "=", "-", ";", "\t"];
    const records = Array.from({ length: 3000 }, () =>
      Array.from({ length: 1 + Math.floor(random() * 13) }, () =>
        Array.from({ length: Math.floor(random() * 5) }, () => pieces[Math.floor(random() * (random() < 0.8 ? 3 : pieces.length))]).join(""),
      ),
    );
    expect(records.some((r) => r.some((c) => /[",\r\n]/.test(c)))).toBe(true);
    expect(records.some((r) => r.every((c) => !/[",\r\n]/.test(c)))).toBe(true);
    expect(csvText(records)).toBe(stringify(records, CSV_OPTIONS));
  });
});
