/** A 10-digit NPI whose last digit is the Luhn check digit over "80840" + the first 9 digits
 *  (the health-industry prefix of ISO 7812). Read character by character: imports check
 *  millions of NPIs. */
export function isValidNpi(npi: string): boolean {
  if (npi.length !== 10) return false;
  // Luhn over the 9 digits from the rightmost (doubled), plus the prefix 80840's constant share.
  let sum = PREFIX_SUM;
  for (let i = 8, double = true; i >= 0; i--, double = !double) {
    let d = npi.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  const check = npi.charCodeAt(9) - 48;
  return check >= 0 && check <= 9 && (10 - (sum % 10)) % 10 === check;
}

// 80840 sits left of the 9 digits: read from the right its digits are 0, 4 (doubled: 8), 8,
// 0 (doubled: 0), 8, which add to 24.
const PREFIX_SUM = 24;

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
