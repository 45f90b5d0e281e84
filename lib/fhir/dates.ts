import { isIsoDate } from "../dates";
import { Invalid } from "../import/fields";

// FHIR date and dateTime: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or a full date with a time
// (`2025-03-04T10:30:00-05:00`). SPEC 3b takes the date part as written, without converting
// the time zone (a claim received at 23:00 in New York was received that day there), and
// refuses a partial date wherever a date is needed.
const PARTIAL = /^\d{4}(-\d{2})?$/;
// The time part as FHIR writes it; seconds and the zone are accepted when left out, as some
// systems do.
const TIME = /^T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** The calendar date (`YYYY-MM-DD`) of a FHIR date or dateTime, or why there is none. */
export function datePart(value: unknown): string | Invalid {
  if (typeof value !== "string") return new Invalid("must be a FHIR date (a JSON string, YYYY-MM-DD)");
  if (PARTIAL.test(value)) return new Invalid(`a partial date: a full date (YYYY-MM-DD) is needed here`);
  const date = value.slice(0, 10);
  if (!isIsoDate(date) || (value.length > 10 && !TIME.test(value.slice(10)))) {
    return new Invalid("not a FHIR date or dateTime (YYYY-MM-DD, optionally with a time)");
  }
  return date;
}

/** `datePart` for an element that may be absent (null when it is). */
export function optionalDatePart(value: unknown): string | null | Invalid {
  return value === undefined || value === null ? null : datePart(value);
}
