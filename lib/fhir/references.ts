import { SYSTEMS } from "./codes";
import { isObject, text } from "./elements";
import { R4_RESOURCE_TYPES } from "./resource-types";

/** A resource by type and id: how fhir_resources keys it. */
export type ResourceKey = { type: string; id: string };

/** A Bundle's entries by `fullUrl`, so that `urn:uuid:` references (a transaction Bundle's
 *  usual form) and absolute ones name the entry they mean. */
export type BundleIndex = ReadonlyMap<string, ResourceKey>;

/** What a Reference element names. */
export type ReadReference =
  | { kind: "resource"; type: string; id: string; raw: string }
  /** A practitioner named by NPI itself: a logical reference (`identifier` of the NPI system)
   *  or a conditional one (`Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|…`, as
   *  Synthea writes them). */
  | { kind: "npi"; npi: string; raw: string }
  /** No `reference` and no NPI `identifier` (a `display` alone, or nothing). */
  | { kind: "absent"; display: string | null }
  | { kind: "unreadable"; raw: string; reason: string };

export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

// `Type/id`, relative or at the end of an absolute URL, optionally of one version.
const LITERAL = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const CONDITIONAL = /^([A-Z][A-Za-z]+)\?identifier=([^&]*)$/;

export function readReference(element: unknown, bundle: BundleIndex | null): ReadReference {
  if (element === undefined || element === null) return { kind: "absent", display: null };
  if (!isObject(element)) return { kind: "unreadable", raw: JSON.stringify(element), reason: "not a FHIR Reference (an object)" };
  const display = text(element.display);
  const reference = element.reference;
  if (reference !== undefined) {
    if (typeof reference !== "string") return { kind: "unreadable", raw: JSON.stringify(reference), reason: "reference must be a string" };
    return readLiteral(reference, bundle);
  }
  const identifier = element.identifier;
  if (isObject(identifier) && identifier.system === SYSTEMS.npi && typeof identifier.value === "string") {
    return { kind: "npi", npi: identifier.value, raw: `${SYSTEMS.npi}|${identifier.value}` };
  }
  return { kind: "absent", display };
}

function readLiteral(raw: string, bundle: BundleIndex | null): ReadReference {
  const entry = bundle?.get(raw);
  if (entry) return { kind: "resource", ...entry, raw };
  if (raw.startsWith("#")) {
    return { kind: "unreadable", raw, reason: "a contained resource is not read: reference a resource of the import" };
  }
  if (raw.startsWith("urn:")) {
    return { kind: "unreadable", raw, reason: bundle ? "names no entry of this Bundle (no entry has this fullUrl)" : "a urn: reference names an entry of a Bundle, and this resource is not in one" };
  }
  const conditional = CONDITIONAL.exec(raw);
  if (conditional) {
    const [type, identifier] = [conditional[1]!, decodeURIComponent(conditional[2]!)];
    const bar = identifier.lastIndexOf("|");
    if (type === "Practitioner" && bar !== -1 && identifier.slice(0, bar) === SYSTEMS.npi) {
      return { kind: "npi", npi: identifier.slice(bar + 1), raw };
    }
    return { kind: "unreadable", raw, reason: `a conditional reference is read only as Practitioner?identifier=${SYSTEMS.npi}|<NPI>` };
  }
  const literal = LITERAL.exec(raw);
  if (literal && R4_RESOURCE_TYPES.has(literal[1]!)) return { kind: "resource", type: literal[1]!, id: literal[2]!, raw };
  return { kind: "unreadable", raw, reason: "not a reference of the form <ResourceType>/<id>" };
}
