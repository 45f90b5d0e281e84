// Code lists of SPEC section 2 and the fracture rule of D6, as SQL literals for the derivation.

export const ORDER_CODE = "3096F";
export const RESULT_CODE = "3095F";
export const CENTRAL_DXA_CODES = ["77080", "77085"] as const;
export const OTHER_BONE_DENSITY_CODES = ["77081", "77086", "77078", "76977", "G0130"] as const;
/** On 3096F: "not ordered"; on 3095F: "not done". Such lines are ignored. */
export const NOT_PERFORMED_MODIFIER = "8P";

/** ICD-10-CM prefixes of fragility fractures that count only as initial encounters (7th
 *  character A, B or C); M80 (osteoporosis with current pathological fracture) counts always. */
export const INITIAL_ENCOUNTER_FRACTURE_PREFIXES = ["S720", "S721", "S722", "S220", "S320", "S525", "S526"] as const;
export const OSTEOPOROTIC_FRACTURE_PREFIX = "M80";
export const FRACTURE_MIN_AGE = 50;

export const STUDY_GAP_DAYS = 7;
export const CAPTURE_DAYS = 14;
export const CLAIM_ORDER_GAP_DAYS = 14;
export const RESULT_DAYS = 30;
export const EPISODE_GAP_DAYS = 180;
export const FRACTURE_FOLLOW_UP_DAYS = 180;

export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(", ");

/** SQL condition: the array of normalised (upper case, no dot) diagnosis codes `codes` holds a
 *  fragility fracture code (D6): one starting M80, or a 7-character code with an
 *  initial-encounter prefix and 7th character A, B or C. One regular expression over the codes
 *  joined by commas: at 6 million claim lines it costs half as much as testing each element
 *  of the unnested array (2.9 s against 4.7 s). */
export function hasFractureCode(codes: string): string {
  return joinedHasFractureCode(`array_to_string(${codes}, ',')`);
}

/** `hasFractureCode` over the codes already joined by commas (`joined`, evaluated up to three
 *  times: make it a column). Two position searches first, for an S or M80 anywhere, which most
 *  lines lack: at 6 million claim lines the expression then costs about a third of the regular
 *  expression alone. The searches come first by a CASE: written as `searches AND regexp_like`,
 *  the planner, which orders a filter's conditions by its own guess of their cost, ran the
 *  regular expression first on every line when the condition stood alone (the fracture step's
 *  2.4 million effective lines: 3.3 s, EXPLAIN ANALYZE at 2,000,000 members). */
export function joinedHasFractureCode(joined: string): string {
  const initial = INITIAL_ENCOUNTER_FRACTURE_PREFIXES.join("|");
  // regexp_like rather than the ~ operator: the planner guesses a third of rows match a
  // function, but 1 in 200 match a ~, which at 6 million lines led it to sort them for a merge
  // join (15 s) instead of hashing (5 s).
  return `(CASE WHEN strpos(${joined}, 'S') > 0 OR strpos(${joined}, '${OSTEOPOROTIC_FRACTURE_PREFIX}') > 0
    THEN regexp_like(${joined}, '(^|,)(${OSTEOPOROTIC_FRACTURE_PREFIX}[^,]*|(${initial})[^,]{2}[ABC])(,|$)') ELSE false END)`;
}
