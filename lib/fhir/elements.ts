// Reading FHIR JSON without trusting its shape: every accessor accepts anything and answers
// null or [] for what is missing or of the wrong type, so that a mapping rule reports what it
// needed rather than throwing on a resource that breaks the specification.

export type JsonObject = { [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The element as an array: FHIR repeats are arrays; anything else reads as none. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/** What a problem shows as the element's value: strings as written, other JSON as JSON. */
export function shown(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** A problem with one element of a resource: `path` is FHIRPath-like, `Patient.birthDate`. */
export type ElementProblem = { path: string; value: string; reason: string };

export type CodingMatch = { code: string; index: number };

/** The first coding of a CodeableConcept that qualifies (SPEC 3b: "a code qualifies when any
 *  of its codings does; the first qualifying coding is used"). */
export function firstCoding(concept: unknown, qualifies: (system: string | null, code: string) => boolean): CodingMatch | null {
  if (!isObject(concept)) return null;
  const codings = list(concept.coding);
  for (let i = 0; i < codings.length; i++) {
    const coding = codings[i];
    if (!isObject(coding)) continue;
    const code = text(coding.code);
    if (code !== null && qualifies(text(coding.system), code)) return { code, index: i };
  }
  return null;
}

/** The first coding of the concept from exactly this system. */
export function codingOf(concept: unknown, system: string): CodingMatch | null {
  return firstCoding(concept, (s) => s === system);
}

/** Whether any coding of the concept has this code, whatever its system: for codes that SPEC
 *  3b names without a system (`plan`, `prior`, `clmrecvddate`, `denialreason`, `performing`). */
export function hasCode(concept: unknown, ...codes: string[]): boolean {
  return firstCoding(concept, (_s, code) => codes.includes(code)) !== null;
}

/** The first code of a concept, whatever its system (a modifier, a place of service). */
export function anyCode(concept: unknown): CodingMatch | null {
  return firstCoding(concept, () => true);
}
