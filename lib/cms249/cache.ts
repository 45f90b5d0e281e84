import { createHash } from "node:crypto";
import cqlExecFhirPackage from "cql-exec-fhir/package.json";
import cqlExecutionPackage from "cql-execution/package.json";
import fqmPackage from "fqm-execution/package.json";
import type { PatientPopulations } from "./engine-core.mjs";
import type { MeasurementPeriod, PatientBundle } from "./fhir";
import type { MeasurePackage } from "./package";
import { PROFILE_RULES_VERSION } from "./profiles";

/*
 * A patient's result is a function of what the engine is given and nothing else: her tagged
 * bundle, the period, the measure package and the engine (CMS249's CQL reads no Now() or
 * Today()). The cache key is a SHA-256 of exactly those — the bundle as the engine receives it,
 * in a canonical form (object keys sorted, resources sorted by type and id), so the order rows
 * come back from the database does not matter, and any change to a kept resource, a tagging
 * rule, the package file or an engine version gives a new key. A patient whose key is known is
 * not evaluated again.
 */

const ENGINE = [
  `fqm-execution@${fqmPackage.version}`,
  `cql-execution@${cqlExecutionPackage.version}`,
  `cql-exec-fhir@${cqlExecFhirPackage.version}`,
  `rules@${PROFILE_RULES_VERSION}`,
].join(" ");

export function evaluationKey(bundle: PatientBundle, period: MeasurementPeriod, pkg: MeasurePackage): string {
  const resources = bundle.entry
    .map((e) => e.resource)
    .map((r) => [`${r.resourceType}/${r.id ?? ""}`, canonicalJson(r)] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const hash = createHash("sha256");
  hash.update(`${ENGINE}\n${pkg.canonical} ${pkg.sha256}\n${period.start} ${period.end}\n`);
  for (const [, json] of resources) hash.update(json).update("\n");
  return hash.digest("hex");
}

/** Results already computed, by evaluation key. Memory here; a table keyed by the hash (with
 *  the patient and period beside it, to prune old rows) in the product. */
export interface EvaluationCache {
  getMany(keys: readonly string[]): Promise<Map<string, PatientPopulations>>;
  setMany(entries: ReadonlyArray<readonly [string, PatientPopulations]>): Promise<void>;
}

export class MemoryEvaluationCache implements EvaluationCache {
  private readonly map = new Map<string, PatientPopulations>();

  async getMany(keys: readonly string[]): Promise<Map<string, PatientPopulations>> {
    const found = new Map<string, PatientPopulations>();
    for (const key of keys) {
      const hit = this.map.get(key);
      if (hit) found.set(key, hit);
    }
    return found;
  }

  async setMany(entries: ReadonlyArray<readonly [string, PatientPopulations]>): Promise<void> {
    for (const [key, value] of entries) this.map.set(key, value);
  }

  get size(): number {
    return this.map.size;
  }
}

/** JSON with object keys in code-point order at every level; arrays keep their order (it is
 *  meaningful in FHIR). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
}
