// Reference data of the synthetic world: payers and how each behaves, plans, and the code
// lists that claims are drawn from. Behaviour differs by payer on purpose, so that every
// per-payer figure of the product (capture, follow-up, post-fracture, lag, denials) has
// something to show.

export type ProductLine = "commercial" | "medicare_advantage" | "medicare_ffs" | "medicaid";

export interface PayerBehaviour {
  /** Share of EHR orders that the practice also reports on a claim with 3096F. */
  orderCapture: number;
  /** Share of active orders followed by a central DXA at some point. */
  followUp: number;
  /** Median days from order to scan (long right tail). */
  medianDaysToScan: number;
  /** Share of fracture episodes followed by a DXA order or study. */
  postFractureFollowUp: number;
  /** Median days from service to the payer receiving the claim. */
  medianClaimsLag: number;
  denialRate: number;
  /** Paid amount as a share of the billed amount. */
  paidShare: number;
}

export interface Plan {
  planId: string;
  /** The payer as written in plans.csv: a display name or a key, in any case, or another name. */
  payer: string;
  planName: string;
  productLine: ProductLine;
  behaviour: PayerBehaviour;
}

const AETNA: PayerBehaviour = {
  orderCapture: 0.62, followUp: 0.74, medianDaysToScan: 24, postFractureFollowUp: 0.32,
  medianClaimsLag: 16, denialRate: 0.04, paidShare: 0.48,
};
const BCBS: PayerBehaviour = {
  orderCapture: 0.55, followUp: 0.69, medianDaysToScan: 30, postFractureFollowUp: 0.27,
  medianClaimsLag: 22, denialRate: 0.05, paidShare: 0.52,
};
const CIGNA: PayerBehaviour = {
  orderCapture: 0.47, followUp: 0.62, medianDaysToScan: 36, postFractureFollowUp: 0.23,
  medianClaimsLag: 28, denialRate: 0.06, paidShare: 0.5,
};
const UHC: PayerBehaviour = {
  orderCapture: 0.7, followUp: 0.71, medianDaysToScan: 27, postFractureFollowUp: 0.3,
  medianClaimsLag: 19, denialRate: 0.045, paidShare: 0.45,
};
const MEDICARE: PayerBehaviour = {
  orderCapture: 0.4, followUp: 0.78, medianDaysToScan: 21, postFractureFollowUp: 0.36,
  medianClaimsLag: 12, denialRate: 0.03, paidShare: 0.38,
};
const HUMANA: PayerBehaviour = {
  orderCapture: 0.58, followUp: 0.6, medianDaysToScan: 38, postFractureFollowUp: 0.21,
  medianClaimsLag: 31, denialRate: 0.07, paidShare: 0.42,
};
/** Care of members whom no coverage span covers: their orders belong to "Unknown payer". */
export const UNCOVERED_BEHAVIOUR: PayerBehaviour = {
  orderCapture: 0.35, followUp: 0.5, medianDaysToScan: 40, postFractureFollowUp: 0.18,
  medianClaimsLag: 25, denialRate: 0.06, paidShare: 0.45,
};

function plan(planId: string, payer: string, planName: string, productLine: ProductLine, behaviour: PayerBehaviour): Plan {
  return { planId, payer, planName, productLine, behaviour };
}

// Payers are written the way real files write them: display names, keys, other casings
// ("BCBS", "UHC", "Cigna"), one name with a comma and quotes (RFC 4180 quoting), and
// Humana, a payer outside the five listed ones.
export const PLANS: readonly Plan[] = [
  plan("AET-PPO", "Aetna", "Aetna Choice POS II", "commercial", AETNA),
  plan("AET-OAMC", "aetna", 'Aetna Open Access Managed Choice, "OAMC"', "commercial", AETNA),
  plan("AET-MA", "Aetna", "Aetna Medicare Advantage PPO", "medicare_advantage", AETNA),
  plan("BCBS-PPO", "Blue Cross Blue Shield", "Blue Cross PPO", "commercial", BCBS),
  plan("BCBS-HMO", "BCBS", "Blue Cross HMO Blue", "commercial", BCBS),
  plan("BCBS-MA", "Blue Cross Blue Shield", "Blue Cross Medicare Advantage (PPO)", "medicare_advantage", BCBS),
  plan("BCBS-MCD", "BCBS", "Blue Cross Community Health Plans", "medicaid", BCBS),
  plan("CIG-OAP", "Cigna Health", "Cigna Open Access Plus", "commercial", CIGNA),
  plan("CIG-MA", "Cigna", "Cigna Preferred Medicare (HMO)", "medicare_advantage", CIGNA),
  plan("UHC-CHO", "UnitedHealthcare", "UHC Choice Plus", "commercial", UHC),
  plan("UHC-MA", "UHC", "AARP Medicare Advantage from UnitedHealthcare", "medicare_advantage", UHC),
  plan("UHC-CP", "UnitedHealthcare", "UnitedHealthcare Community Plan", "medicaid", UHC),
  plan("MCR-B", "Medicare", "Original Medicare Part B", "medicare_ffs", MEDICARE),
  plan("HUM-MA", "Humana", "Humana Gold Plus (HMO)", "medicare_advantage", HUMANA),
  plan("HUM-PPO", "Humana", "Humana Choice PPO", "medicare_advantage", HUMANA),
];

function planById(planId: string): Plan {
  const found = PLANS.find((p) => p.planId === planId);
  if (!found) throw new Error(`unknown plan ${planId}`);
  return found;
}

function weightedPlans(weights: Record<string, number>): [Plan, number][] {
  return Object.entries(weights).map(([planId, weight]) => [planById(planId), weight]);
}

/** Enrolment mix from 65 on: mostly Medicare and Medicare Advantage, a few still working. */
export const SENIOR_PLAN_MIX = weightedPlans({
  "MCR-B": 34, "UHC-MA": 17, "HUM-MA": 11, "HUM-PPO": 4, "AET-MA": 10, "BCBS-MA": 8, "CIG-MA": 4,
  "BCBS-MCD": 3, "UHC-CP": 3, "AET-PPO": 2, "BCBS-PPO": 2, "UHC-CHO": 2,
});

/** Enrolment mix under 65: employer plans, Medicaid, and Medicare for disability. */
export const WORKING_AGE_PLAN_MIX = weightedPlans({
  "AET-PPO": 15, "AET-OAMC": 6, "BCBS-PPO": 17, "BCBS-HMO": 11, "CIG-OAP": 15, "UHC-CHO": 17,
  "BCBS-MCD": 5, "UHC-CP": 6, "MCR-B": 3,
});

// ---- Codes ---------------------------------------------------------------------------

export const CENTRAL_DXA = ["77080", "77085"] as const;
export const ORDER_CODE = "3096F";
export const RESULT_CODE = "3095F";
/** "Not ordered" / "not done": the line is reported but must be ignored. */
export const NOT_PERFORMED = "8P";

export interface OtherBoneDensityCode {
  code: string;
  claimType: "professional" | "institutional";
  placeOfService: string;
  billedCents: number;
}

/** Bone density tests that are not a central DXA (peripheral, VFA alone, QCT, ultrasound, SEXA). */
export const OTHER_BONE_DENSITY: readonly OtherBoneDensityCode[] = [
  { code: "77081", claimType: "professional", placeOfService: "11", billedCents: 6_500 },
  { code: "77086", claimType: "professional", placeOfService: "11", billedCents: 7_800 },
  { code: "77078", claimType: "institutional", placeOfService: "22", billedCents: 24_000 },
  { code: "76977", claimType: "professional", placeOfService: "11", billedCents: 4_200 },
  { code: "G0130", claimType: "professional", placeOfService: "11", billedCents: 5_500 },
];

/** Office visits on which orders and results are reported. */
export const OFFICE_VISIT_CODES = [
  ["99213", 45], ["99214", 35], ["G0439", 12], ["99397", 8],
] as const satisfies readonly (readonly [string, number])[];

export interface FractureKind {
  /** Initial-encounter code, dotted, 7th character `A`. */
  code: string;
  /** Treatment billed besides the emergency visit, if any. */
  treatment: string | null;
}

/** Fragility fractures of SPEC D6: hip (S72.0–S72.2), spine (S22.0, S32.0), distal radius/ulna
 *  (S52.5, S52.6), and osteoporotic fractures (M80). */
export const FRACTURES = [
  [{ code: "S72.001A", treatment: "27236" }, 10],
  [{ code: "S72.002A", treatment: "27236" }, 6],
  [{ code: "S72.101A", treatment: "27245" }, 6],
  [{ code: "S72.142A", treatment: "27245" }, 4],
  [{ code: "S72.21XA", treatment: "27245" }, 2],
  [{ code: "S22.000A", treatment: null }, 6],
  [{ code: "S32.000A", treatment: null }, 6],
  [{ code: "S52.501A", treatment: "25600" }, 10],
  [{ code: "S52.531A", treatment: "25600" }, 6],
  [{ code: "S52.602A", treatment: "25600" }, 3],
  [{ code: "M80.08XA", treatment: null }, 6],
  [{ code: "M80.051A", treatment: "27236" }, 2],
  [{ code: "M80.031A", treatment: "25600" }, 2],
] as const satisfies readonly (readonly [FractureKind, number])[];

export type Indication = "screening" | "fracture" | "glucocorticoid" | "monitoring" | "other";

/** Diagnoses written on a DXA claim, by why it was ordered. */
export const DXA_DIAGNOSES: Record<Indication, readonly string[]> = {
  screening: ["Z13.820", "Z78.0", "Z82.62"],
  monitoring: ["M81.0", "M85.80", "Z79.899"],
  glucocorticoid: ["Z79.52", "M81.0", "M06.9"],
  fracture: ["Z87.310", "M81.0", "W19.XXXA"],
  other: ["E21.3", "E28.310", "N95.1"],
};

/** Bone-health diagnoses of routine office visits. */
export const VISIT_DIAGNOSES = ["M81.0", "M85.80", "E55.9", "Z78.0", "Z13.820", "Z79.52", "Z87.310"] as const;

/** Chronic conditions that pad some claims' diagnosis lists (up to the 12 allowed). */
export const COMORBIDITIES = [
  "I10", "E11.9", "E78.5", "N18.30", "J44.9", "K21.9", "F32.9", "G47.33", "M17.11", "E03.9",
  "M54.50", "Z79.899", "I48.91", "E66.9",
] as const;

/** Extra modifiers seen on bone density lines (distinct service, waiver, resident, preventive). */
export const EXTRA_MODIFIERS = ["59", "XU", "GA", "GC", "33", "KX"] as const;
