// NPIs for synthetic clinicians and facilities. The check-digit rule lives once, in lib/npi.ts
// (the importer validates with it); the generator only needs to append a correct check digit.
import { isValidNpi, luhnCheckDigit } from "../npi";
import type { Random } from "./prng";

export { isValidNpi };

/** The full 10-digit NPI for a 9-digit identifier: `123456789` → `1234567893`. */
export function makeNpi(firstNineDigits: string): string {
  if (!/^\d{9}$/.test(firstNineDigits)) throw new Error(`an NPI starts with 9 digits: ${firstNineDigits}`);
  return firstNineDigits + String(luhnCheckDigit(`80840${firstNineDigits}`));
}

/** A random valid NPI. Real NPIs start with 1 or 2; so do these. */
export function randomNpi(rng: Random): string {
  const first = rng.chance(0.5) ? 1 : 2;
  return makeNpi(String(first * 100_000_000 + rng.int(0, 99_999_999)));
}
