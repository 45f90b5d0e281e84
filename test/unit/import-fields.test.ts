import { describe, expect, it } from "vitest";
import * as f from "@/lib/import/fields";
import type { FieldParser } from "@/lib/import/fields";
import { isValidNpi, luhnCheckDigit } from "@/lib/npi";

// The cell rules of SPEC section 3, one parser at a time. `today` is fixed so that "not after
// today" does not depend on when the suite runs.
const ctx = { today: "2025-09-30" };

type Outcome = { value: string | null } | { error: string };

/** A parser's answer as value-or-reason, whatever its representation (a normalised string or
 *  an `Invalid` carrying the reason). */
function run(parse: FieldParser, raw: string): Outcome {
  const result: unknown = parse(raw, ctx);
  if (typeof result === "string" || result === null) return { value: result };
  if (typeof result === "object" && result !== null) {
    if ("reason" in result) return { error: String(result.reason) };
    if ("error" in result) return { error: String(result.error) };
    if ("value" in result) return { value: result.value as string | null };
  }
  throw new Error(`unexpected parser result ${JSON.stringify(result)}`);
}
const valueOf = (parse: FieldParser, raw: string) => {
  const result = run(parse, raw);
  if ("error" in result) throw new Error(`expected ${JSON.stringify(raw)} to be valid, got: ${result.error}`);
  return result.value;
};
const errorOf = (parse: FieldParser, raw: string) => {
  const result = run(parse, raw);
  if (!("error" in result)) throw new Error(`expected ${JSON.stringify(raw)} to be invalid, got value ${result.value}`);
  return result.error;
};

describe("dates (YYYY-MM-DD calendar dates)", () => {
  it.each(["2024-02-29", "2000-02-29", "2025-01-01", "2025-12-31", "1950-03-15", "9999-12-31"])("%s is a date", (raw) => {
    expect(valueOf(f.isoDate, raw)).toBe(raw);
  });

  it.each([
    ["2025-02-29", "not a leap year"],
    ["1900-02-29", "century, not a leap year"],
    ["2024-02-30", "February has no 30th"],
    ["2024-04-31", "April has 30 days"],
    ["2024-13-01", "no month 13"],
    ["2024-00-10", "no month 0"],
    ["2024-01-00", "no day 0"],
    ["2024-1-05", "month not zero-padded"],
    ["20240105", "no dashes"],
    ["05/01/2024", "US format"],
    ["2024-01-05T00:00:00Z", "a timestamp"],
    ["2024-01-05 ", "trailing space"],
    ["", "empty"],
  ])("%s is refused (%s)", (raw) => {
    expect(errorOf(f.isoDate, raw)).toMatch(/date/i);
  });

  it("a birth date may be today but not after it", () => {
    expect(valueOf(f.pastDate, "2025-09-30")).toBe("2025-09-30");
    expect(valueOf(f.pastDate, "1937-12-28")).toBe("1937-12-28");
    expect(errorOf(f.pastDate, "2025-10-01")).toMatch(/after today.*2025-09-30/);
    expect(errorOf(f.pastDate, "2025-02-29")).toMatch(/date/i);
  });
});

describe("NPI (Luhn over 80840 + the first 9 digits)", () => {
  it("computes the check digit of the CMS example", () => {
    expect(luhnCheckDigit("80840123456789")).toBe(3);
  });

  it.each(["1234567893", "1245319599", "1003000126", "1992703540", "1588667638"])("%s is valid", (npi) => {
    expect(isValidNpi(npi)).toBe(true);
    expect(valueOf(f.npi, npi)).toBe(npi);
  });

  it.each(["1234567890", "1234567891", "1234567894", "1245319590", "2234567893"])("%s has a wrong check digit", (npi) => {
    expect(isValidNpi(npi)).toBe(false);
    expect(errorOf(f.npi, npi)).toMatch(/check digit/i);
  });

  it.each(["123456789", "12345678930", "123456789A", "1234-567893", "abcdefghij"])("%s is not 10 digits", (npi) => {
    expect(isValidNpi(npi)).toBe(false);
    expect(errorOf(f.npi, npi)).toMatch(/10-digit/);
  });
});

describe("modifiers (up to 4 two-character codes separated by ;)", () => {
  it.each([
    ["TC", "{TC}"],
    ["26", "{26}"],
    ["26;59", "{26,59}"],
    ["tc;26", "{TC,26}"],
    [" TC ; 26 ", "{TC,26}"],
    ["8P", "{8P}"],
    ["TC;26;59;XU", "{TC,26,59,XU}"],
  ])("%s is stored as %s", (raw, stored) => {
    expect(valueOf(f.modifiers, raw)).toBe(stored);
  });

  it("5 modifiers are refused", () => {
    expect(errorOf(f.modifiers, "TC;26;59;XU;GA")).toMatch(/at most 4/);
  });

  it.each(["T", "TCC", "T-", "TC;;26", "TC,26", "TC 26"])("%s is refused", (raw) => {
    expect(errorOf(f.modifiers, raw)).toMatch(/modifier/i);
  });
});

describe("diagnosis codes (up to 12 ICD-10-CM codes, dots optional)", () => {
  it.each([
    ["S52.501A", "{S52501A}"],
    ["S52501A", "{S52501A}"],
    ["s52.501a", "{S52501A}"],
    ["M81.0", "{M810}"],
    ["A00", "{A00}"],
    ["W19.XXXA", "{W19XXXA}"],
    ["M81.0;Z13.820", "{M810,Z13820}"],
    ["m81.0; z13820 ", "{M810,Z13820}"],
  ])("%s is stored as %s", (raw, stored) => {
    expect(valueOf(f.diagnosisCodes, raw)).toBe(stored);
  });

  it("the same code with and without its dot is stored the same", () => {
    expect(valueOf(f.diagnosisCodes, "S72.001A")).toBe(valueOf(f.diagnosisCodes, "S72001A"));
  });

  it("12 codes are accepted, 13 are refused", () => {
    const codes = (n: number) => Array.from({ length: n }, (_, i) => `M81.${i % 10}`).join(";");
    expect(valueOf(f.diagnosisCodes, codes(12))).toMatch(/^\{M810,M811,.*\}$/);
    expect(errorOf(f.diagnosisCodes, codes(13))).toMatch(/at most 12/);
  });

  it.each(["S5", "123", "S72.001AA", "SS2.001A", "S52..501A", "S52-501A", "M81.0;;Z13.820"])("%s is refused", (raw) => {
    expect(errorOf(f.diagnosisCodes, raw)).toMatch(/ICD-10/);
  });
});

describe("procedure codes (CPT/HCPCS: 5 letters and digits)", () => {
  it.each([
    ["77080", "77080"],
    ["77085", "77085"],
    ["3096F", "3096F"],
    ["3095f", "3095F"],
    ["G0130", "G0130"],
    ["g0130", "G0130"],
  ])("%s is stored as %s", (raw, stored) => {
    expect(valueOf(f.procedureCode, raw)).toBe(stored);
  });

  it.each(["7708", "770800", "77-80", "7708 ", "3096F;"])("%s is refused", (raw) => {
    expect(errorOf(f.procedureCode, raw)).toMatch(/5-character/);
  });
});

describe("amounts (decimal ≥ 0)", () => {
  it.each(["0", "0.00", "150", "150.5", "150.50", "123456789012.34"])("%s is accepted as given", (raw) => {
    expect(valueOf(f.amount, raw)).toBe(raw);
  });

  it.each(["-1", "-0.01", "1.234", "1,000.00", "$10", "1e3", ".50", "abc", "1234567890123"])("%s is refused", (raw) => {
    expect(errorOf(f.amount, raw)).toMatch(/decimal/);
  });
});

describe("integers (≥ 1)", () => {
  const atLeastOne = f.integer(1);

  it.each([
    ["1", "1"],
    ["12", "12"],
    ["007", "7"],
    ["999999999", "999999999"],
  ])("%s is stored as %s", (raw, stored) => {
    expect(valueOf(atLeastOne, raw)).toBe(stored);
  });

  it.each(["0", "-1", "1.0", "1.5", "1e3", "+1", "one", "9999999999"])("%s is refused", (raw) => {
    expect(errorOf(atLeastOne, raw)).toMatch(/whole number ≥ 1/);
  });
});

describe("other cells", () => {
  it("place of service is 2 digits", () => {
    expect(valueOf(f.placeOfService, "11")).toBe("11");
    expect(valueOf(f.placeOfService, "02")).toBe("02");
    expect(errorOf(f.placeOfService, "1")).toMatch(/2-digit/);
    expect(errorOf(f.placeOfService, "AB")).toMatch(/2-digit/);
  });

  it("ids are 1–64 characters", () => {
    const id = f.text(1, 64);
    expect(valueOf(id, "x".repeat(64))).toBe("x".repeat(64));
    expect(errorOf(id, "x".repeat(65))).toMatch(/1–64/);
  });

  it("fixed vocabularies are matched ignoring case and stored as spelled in the SPEC", () => {
    const status = f.oneOf(["paid", "denied", "pending"], { caseInsensitive: true });
    expect(valueOf(status, "PAID")).toBe("paid");
    expect(errorOf(status, "approved")).toMatch(/one of paid, denied, pending/);
    const frequency = f.oneOf(["1", "7", "8"]);
    expect(valueOf(frequency, "7")).toBe("7");
    expect(errorOf(frequency, "01")).toMatch(/one of 1, 7, 8/);
  });
});
