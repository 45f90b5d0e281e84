import { hasCoding, type FhirResource } from "./fhir";

/*
 * Which QI-Core profiles a stored resource conforms to.
 *
 * The engine (fqm-execution → cql-exec-fhir) answers each ELM `Retrieve` of a profile with the
 * resources of the profile's type whose `meta.profile` names that profile ("trusted
 * environment", `trustMetaProfile: true`). Real exports name US Core profiles, or none, so the
 * engine finds nothing, not even the Patient. Switching the check off (`false`) answers a
 * profile retrieve with every resource of the type instead, which is wrong as soon as a profile
 * selects a subset of its type: CMS249 reads its BMI through the FHIR vital-signs profile
 * `http://hl7.org/fhir/StructureDefinition/bmi`, and its CQL (`isObservationBMI`) then checks
 * only the status — the profile is what makes it a BMI. Untrusted, an ORAI score (an integer)
 * arrives as a "BMI" and the engine fails casting it to a Quantity.
 *
 * So each resource is tagged with the profiles it conforms to, computed from the resource,
 * next to the tags it came with (kept: an exporter's own claim is evidence too, and the
 * official test cases rely on theirs), and the engine keeps its trusted default. The measure's
 * ELM names QI-Core 4.1.1, where a profile does one of two things:
 *
 *  - It is the QI-Core profile of its resource type (qicore-patient, -encounter, -condition,
 *    -procedure, -servicerequest, -medicationrequest, -medication, -observation, -coverage).
 *    These fix no code, category or value: their constraints are cardinalities, must-support
 *    flags and extensible bindings. Every resource of the type carries what the measure reads
 *    through them, and the measure tests the rest itself (status through `isEncounterPerformed`
 *    and its kin, codes through the value-set retrieve, dates in the CQL). So every resource of
 *    the type gets it. (QI-Core 4.1.1 has one Condition profile; the encounter-diagnosis /
 *    problem-list split arrived with QI-Core 6. Its positive and negation profiles — e.g.
 *    qicore-servicerequest and qicore-servicenotrequested — differ by `doNotPerform`, which
 *    4.1.1 leaves to the CQL, and which CMS249 deliberately does not test.)
 *  - It selects a subset of its type by fixed values: the vital-signs profiles. `bmi` requires
 *    category `vital-signs`, the LOINC code 39156-5, an effective time, and a value that is a
 *    Quantity in UCUM `kg/m2` (or no value with a `dataAbsentReason`). A resource gets it only
 *    when all of that holds.
 *
 * A profile the measure retrieves that no rule here knows stops the evaluation (see
 * `assertProfilesCovered`): a new package version naming QI-Core 6 profiles must come with
 * their rules, rather than silently finding no data.
 */

const QICORE = "http://hl7.org/fhir/us/qicore/StructureDefinition/";
export const BMI_PROFILE = "http://hl7.org/fhir/StructureDefinition/bmi";

const OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category";
const LOINC = "http://loinc.org";
const UCUM = "http://unitsofmeasure.org";

interface ProfileRule {
  readonly profile: string;
  readonly resourceType: string;
  readonly conforms: (resource: FhirResource) => boolean;
}

const anyOfType = () => true;

export const PROFILE_RULES: readonly ProfileRule[] = [
  { profile: `${QICORE}qicore-patient`, resourceType: "Patient", conforms: anyOfType },
  { profile: `${QICORE}qicore-encounter`, resourceType: "Encounter", conforms: anyOfType },
  { profile: `${QICORE}qicore-condition`, resourceType: "Condition", conforms: anyOfType },
  { profile: `${QICORE}qicore-procedure`, resourceType: "Procedure", conforms: anyOfType },
  { profile: `${QICORE}qicore-servicerequest`, resourceType: "ServiceRequest", conforms: anyOfType },
  { profile: `${QICORE}qicore-medicationrequest`, resourceType: "MedicationRequest", conforms: anyOfType },
  { profile: `${QICORE}qicore-medication`, resourceType: "Medication", conforms: anyOfType },
  { profile: `${QICORE}qicore-observation`, resourceType: "Observation", conforms: anyOfType },
  { profile: `${QICORE}qicore-coverage`, resourceType: "Coverage", conforms: anyOfType },
  { profile: BMI_PROFILE, resourceType: "Observation", conforms: isBmiObservation },
];

/** Bumped whenever a rule changes: cached results computed under other rules are not reused. */
export const PROFILE_RULES_VERSION = "qicore-4.1.1/1";

/** FHIR R4 `bmi` (observation-vitalsigns): the fixed values that make an Observation a BMI. */
export function isBmiObservation(observation: FhirResource): boolean {
  if (observation.resourceType !== "Observation") return false;
  const categories = Array.isArray(observation.category) ? observation.category : [];
  if (!categories.some((c) => hasCoding(c, OBSERVATION_CATEGORY, "vital-signs"))) return false;
  if (!hasCoding(observation.code, LOINC, "39156-5")) return false;
  if (observation.effectiveDateTime === undefined && observation.effectivePeriod === undefined) return false;
  const valueKeys = Object.keys(observation).filter((k) => k.startsWith("value") && observation[k] !== undefined);
  if (valueKeys.length === 0) {
    // vs-2: no value is allowed only when its absence is explained (or it is a panel).
    return observation.dataAbsentReason !== undefined || observation.component !== undefined || observation.hasMember !== undefined;
  }
  if (valueKeys.length !== 1 || valueKeys[0] !== "valueQuantity") return false;
  const quantity = observation.valueQuantity as { value?: unknown; system?: unknown; code?: unknown } | null;
  return quantity !== null && typeof quantity === "object" && typeof quantity.value === "number" && quantity.system === UCUM && quantity.code === "kg/m2";
}

/** The profiles of the rules above that `resource` conforms to. */
export function conformingProfiles(resource: FhirResource): string[] {
  return PROFILE_RULES.filter((rule) => rule.resourceType === resource.resourceType && rule.conforms(resource)).map((rule) => rule.profile);
}

/** A copy of `resource` whose `meta.profile` is the one it came with followed by the profiles
 *  it conforms to (each once). The input is not changed. */
export function tagWithProfiles(resource: FhirResource): FhirResource {
  const original = Array.isArray(resource.meta?.profile) ? resource.meta.profile : [];
  const added = conformingProfiles(resource).filter((p) => !original.includes(p));
  if (added.length === 0) return resource;
  return { ...resource, meta: { ...resource.meta, profile: [...original, ...added] } };
}

/** Throws when the measure retrieves a profile that no rule computes: that data would never be
 *  found. A retrieve of a bare FHIR type (`StructureDefinition/<Type>`) is not filtered by
 *  profile, so needs no rule. */
export function assertProfilesCovered(retrievedProfiles: ReadonlyMap<string, ReadonlySet<string>>): void {
  const known = new Set(PROFILE_RULES.map((rule) => `${rule.resourceType} ${rule.profile}`));
  const missing: string[] = [];
  for (const [resourceType, profiles] of retrievedProfiles) {
    for (const profile of profiles) {
      if (profile === `http://hl7.org/fhir/StructureDefinition/${resourceType}`) continue;
      if (!known.has(`${resourceType} ${profile}`)) missing.push(`${resourceType} ${profile}`);
    }
  }
  if (missing.length > 0) throw new Error(`CMS249: no tagging rule for the retrieved profile(s) ${missing.join(", ")}`);
}
