// The FHIR R4 import (SPEC section 3b): bulk NDJSON files and Bundles, read by the same import
// as the CSV files (lib/import/index.ts) — one transaction, every problem named, idempotent.
//
//   read.ts     each resource checked, mapped (map.ts) and copied into the staging table
//   stage.ts    that table: resources and typed rows, partitioned by kind, one COPY per file
//   resolve.ts  references resolved in SQL against this import and fhir_resources; checks;
//               the rows that needed them expanded into tables shaped like the warehouse's
//   upsert.ts   warehouse rows and resources written, with new/changed/unchanged counts
import { R4_RESOURCE_TYPES } from "./resource-types";
import type { FhirFile } from "./read";

export { readFhirFile, MAX_BUNDLE_BYTES, type FhirFile, type FhirReadContext } from "./read";
export { createFhirStaging, STAGE_COLUMNS } from "./stage";
export { resolveFhir, type CsvLoads } from "./resolve";
export { upsertFhir, type MappedCounts } from "./upsert";

const NDJSON = /^([A-Za-z]+)(?:\.(\d+))?\.ndjson$/i;

/** What a file name of an import folder is as FHIR: a bulk NDJSON file
 *  (`<ResourceType>.ndjson`, `<ResourceType>.<nnn>.ndjson`), a Bundle (`*.json`), a problem
 *  with the name (a string), or null when the name is not a FHIR one at all. */
export function fhirFileOf(name: string, path: string): FhirFile | string | null {
  if (/\.ndjson$/i.test(name)) {
    const match = NDJSON.exec(name);
    if (!match) return "a FHIR bulk file is named <ResourceType>.ndjson or <ResourceType>.<nnn>.ndjson";
    if (!R4_RESOURCE_TYPES.has(match[1]!)) return `${match[1]} is not a FHIR R4 resource type (the name is case-sensitive, as in Patient.ndjson)`;
    return { kind: "ndjson", resourceType: match[1]!, name, path };
  }
  if (/\.json$/i.test(name)) return { kind: "bundle", name, path };
  return null;
}
