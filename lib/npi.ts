/** A 10-digit NPI whose last digit is the Luhn check digit over "80840" + the first 9 digits
 *  (the health-industry prefix of ISO 7812). */
export function isValidNpi(npi: string): boolean {
  if (!/^\d{10}$/.test(npi)) return false;
  return luhnCheckDigit(`80840${npi.slice(0, 9)}`) === Number(npi[9]);
}

export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  // Double every second digit starting from the rightmost (the check digit is appended after).
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = Number(digits[i]);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}
