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

/** SQL condition: the normalised (upper case, no dot) diagnosis code `code` marks a fragility
 *  fracture (D6). */
export function fractureCodeCondition(code: string): string {
  return `(${code} LIKE '${OSTEOPOROTIC_FRACTURE_PREFIX}%'
    OR (length(${code}) = 7 AND left(${code}, 4) IN (${sqlList(INITIAL_ENCOUNTER_FRACTURE_PREFIXES)})
        AND right(${code}, 1) IN ('A', 'B', 'C')))`;
}
