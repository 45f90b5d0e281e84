import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { FhirResource } from "./fhir";
import { retrieveRequirements, type RetrieveRequirement } from "./requirements";

/** CMS249's published package (Measure, Libraries with ELM, ValueSets), copied unchanged from
 *  cqframework/ecqm-content-qicore-2024 (CC0). Read from the working directory, like the SQL
 *  migrations, so `next build` leaves it where `next start` and the workers find it. */
export const MEASURE_BUNDLE_PATH = path.join(process.cwd(), "measures", "cms249", "measure-bundle.json");

export const CMS249_KEY = "cms249_dxa_overuse";

export interface MeasurePackage {
  readonly bundle: FhirResource;
  /** The Measure resource inside the bundle. */
  readonly measure: FhirResource;
  readonly url: string;
  readonly version: string;
  /** `url|version`, as a MeasureReport names the measure it reports. */
  readonly canonical: string;
  /** The id of the Measure's one population group, for MeasureReport.group.id. */
  readonly groupId: string | undefined;
  /** SHA-256 of the bundle file: part of every cached result's key. */
  readonly sha256: string;
  /** Every retrieve in the measure's libraries: type, profile (ELM `templateId`), code filter. */
  readonly retrieves: readonly RetrieveRequirement[];
  /** The profiles retrieved, by resource type. */
  readonly retrievedProfiles: ReadonlyMap<string, ReadonlySet<string>>;
}

let loaded: MeasurePackage | undefined;

export function loadMeasurePackage(bundlePath: string = MEASURE_BUNDLE_PATH): MeasurePackage {
  if (loaded && bundlePath === MEASURE_BUNDLE_PATH) return loaded;
  // Marked for the build's file tracer: a path it cannot resolve makes it trace the whole
  // project as the server's files. The bundle is read from the working directory at run time.
  const text = readFileSync(/* turbopackIgnore: true */ bundlePath);
  const bundle = JSON.parse(text.toString("utf8")) as FhirResource;
  const resources = entries(bundle);
  const measure = resources.find((r) => r.resourceType === "Measure");
  if (!measure || typeof measure.url !== "string" || typeof measure.version !== "string") {
    throw new Error(`${bundlePath}: no Measure with a url and a version`);
  }
  const retrieves = retrieveRequirements(resources);
  const retrievedProfiles = new Map<string, Set<string>>();
  for (const r of retrieves) {
    let set = retrievedProfiles.get(r.resourceType);
    if (!set) retrievedProfiles.set(r.resourceType, (set = new Set()));
    set.add(r.profile);
  }
  const pkg: MeasurePackage = {
    bundle,
    measure,
    url: measure.url,
    version: measure.version,
    canonical: `${measure.url}|${measure.version}`,
    groupId: (measure.group as { id?: string }[] | undefined)?.[0]?.id,
    sha256: createHash("sha256").update(text).digest("hex"),
    retrieves,
    retrievedProfiles,
  };
  if (bundlePath === MEASURE_BUNDLE_PATH) loaded = pkg;
  return pkg;
}

function entries(bundle: FhirResource): FhirResource[] {
  const list = Array.isArray(bundle.entry) ? (bundle.entry as { resource?: FhirResource }[]) : [];
  return list.flatMap((e) => (e.resource ? [e.resource] : []));
}
