import { valueSetsForCodeService } from "fqm-execution/build/execution/ValueSetHelper";
import type { FhirResource } from "./fhir";

/*
 * What each ELM `Retrieve` of the measure can return, and so which stored resources the engine
 * can ever see.
 *
 * The engine reads patient data only through retrieves. A retrieve returns the resources of its
 * type that carry its profile (trusted `meta.profile`) and, when it has a code filter, whose
 * code element matches one of the filter's codes — system and code equal, as cql-execution's
 * `codesMatch` compares them, against the codes the engine's own code service builds from the
 * package's ValueSets (`valueSetsForCodeService`). A resource no retrieve returns cannot change
 * any result, so the patient bundle leaves it out: a real history holds hundreds of conditions
 * and procedures of which a handful are in CMS249's value sets, and the engine wraps every
 * resource of a type once per retrieve of that type (23 Condition retrieves here).
 *
 * Whenever a filter is of a shape not understood here, or a value set is missing, that retrieve
 * is treated as unfiltered: everything of its type and profile is kept. Only provably invisible
 * resources are dropped.
 */

export interface RetrieveRequirement {
  resourceType: string;
  profile: string;
  /** The element the code filter reads (`code`, `type`, `medication`); absent: no filter. */
  codeProperty?: string;
  /** `system|code` of every code the filter accepts; absent: no filter (or not understood). */
  codes?: ReadonlySet<string>;
}

interface ElmLibrary {
  identifier: { id: string; version?: string };
  includes?: { def?: { localIdentifier: string; path: string }[] };
  valueSets?: { def?: { name: string; id: string }[] };
  codeSystems?: { def?: { name: string; id: string }[] };
  codes?: { def?: { name: string; id: string; codeSystem: { name: string; libraryName?: string } }[] };
}

type Node = Record<string, unknown>;

/** Every retrieve in the package's libraries, with its filter resolved to codes. */
export function retrieveRequirements(resources: readonly FhirResource[]): RetrieveRequirement[] {
  const libraries = new Map<string, ElmLibrary & { statements?: unknown }>();
  for (const resource of resources) {
    if (resource.resourceType !== "Library" || !Array.isArray(resource.content)) continue;
    for (const content of resource.content as { contentType?: string; data?: string }[]) {
      if (content.contentType === "application/elm+json" && content.data) {
        const elm = JSON.parse(Buffer.from(content.data, "base64").toString("utf8")) as { library: ElmLibrary };
        libraries.set(elm.library.identifier.id, elm.library);
      }
    }
  }
  const valueSetCodes = codesByValueSet(resources.filter((r) => r.resourceType === "ValueSet"));
  const requirements: RetrieveRequirement[] = [];
  for (const library of libraries.values()) {
    const resolve = resolver(library, libraries, valueSetCodes);
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) {
        for (const child of node) visit(child);
        return;
      }
      if (node === null || typeof node !== "object") return;
      const record = node as Node;
      if (record.type === "Retrieve" && typeof record.dataType === "string") {
        const resourceType = record.dataType.replace(/^\{http:\/\/hl7\.org\/fhir\}/, "");
        const profile = typeof record.templateId === "string" ? record.templateId : `http://hl7.org/fhir/StructureDefinition/${resourceType}`;
        const codes = record.codes === undefined ? undefined : resolve(record.codes);
        requirements.push(
          codes && typeof record.codeProperty === "string" && record.dateRange === undefined
            ? { resourceType, profile, codeProperty: record.codeProperty, codes }
            : { resourceType, profile },
        );
      }
      for (const value of Object.values(record)) visit(value);
    };
    visit(library);
  }
  return requirements;
}

function codesByValueSet(valueSets: FhirResource[]): Map<string, Set<string>> {
  const map = valueSetsForCodeService(valueSets as unknown as Parameters<typeof valueSetsForCodeService>[0]);
  const byUrl = new Map<string, Set<string>>();
  for (const [url, versions] of Object.entries(map)) {
    const set = new Set<string>();
    for (const codes of Object.values(versions)) for (const c of codes) set.add(`${c.system}|${c.code}`);
    byUrl.set(url, set);
  }
  return byUrl;
}

/** Resolves a retrieve's `codes` expression to `system|code` strings, or undefined when its
 *  shape is not one of ValueSetRef, CodeRef, ToList(CodeRef), List of CodeRefs. */
function resolver(library: ElmLibrary, libraries: Map<string, ElmLibrary>, valueSetCodes: Map<string, Set<string>>) {
  const libraryOf = (alias: unknown): ElmLibrary | undefined => {
    if (alias === undefined) return library;
    const path = library.includes?.def?.find((d) => d.localIdentifier === alias)?.path;
    return path ? libraries.get(path) : undefined;
  };
  const codeRef = (node: Node): string[] | undefined => {
    const lib = libraryOf(node.libraryName);
    const def = lib?.codes?.def?.find((d) => d.name === node.name);
    if (!lib || !def) return undefined;
    const systemLib = def.codeSystem.libraryName ? libraryOf(def.codeSystem.libraryName) : lib;
    const system = systemLib?.codeSystems?.def?.find((d) => d.name === def.codeSystem.name)?.id;
    return system ? [`${system}|${def.id}`] : undefined;
  };
  const resolve = (node: unknown): string[] | undefined => {
    if (node === null || typeof node !== "object") return undefined;
    const n = node as Node;
    switch (n.type) {
      case "ValueSetRef": {
        const url = libraryOf(n.libraryName)?.valueSets?.def?.find((d) => d.name === n.name)?.id;
        const codes = url ? valueSetCodes.get(url) : undefined;
        return codes ? [...codes] : undefined;
      }
      case "CodeRef":
        return codeRef(n);
      case "ToList":
        return resolve(n.operand);
      case "List": {
        const elements = Array.isArray(n.element) ? n.element : [];
        const all: string[] = [];
        for (const element of elements) {
          const codes = resolve(element);
          if (!codes) return undefined;
          all.push(...codes);
        }
        return all;
      }
      default:
        return undefined;
    }
  };
  return (node: unknown): Set<string> | undefined => {
    const codes = resolve(node);
    return codes ? new Set(codes) : undefined;
  };
}

/** Whether some retrieve can return this (tagged) resource. */
export function isRetrievable(resource: FhirResource, requirements: readonly RetrieveRequirement[]): boolean {
  const profiles = Array.isArray(resource.meta?.profile) ? resource.meta.profile : [];
  return requirements.some((r) => {
    if (r.resourceType !== resource.resourceType) return false;
    if (r.profile !== `http://hl7.org/fhir/StructureDefinition/${r.resourceType}` && !profiles.includes(r.profile)) return false;
    return r.codes === undefined || r.codeProperty === undefined || mayMatch(elementValue(resource, r.codeProperty), r.codes);
  });
}

/** The element, or its choice form (`medication` → `medicationCodeableConcept`). */
function elementValue(resource: FhirResource, property: string): unknown {
  if (resource[property] !== undefined) return resource[property];
  const choice = Object.keys(resource).find((k) => k.startsWith(property) && /^[A-Z]/.test(k.slice(property.length)));
  return choice === undefined ? undefined : resource[choice];
}

/** False only when the value certainly matches none of the codes: a CodeableConcept or Coding
 *  (or a list of them) whose codings all miss. Absent values match nothing, as in the engine;
 *  any other shape counts as a possible match. */
function mayMatch(value: unknown, codes: ReadonlySet<string>): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.some((v) => mayMatch(v, codes));
  if (typeof value !== "object") return true;
  const v = value as { coding?: unknown; system?: unknown; code?: unknown; reference?: unknown };
  if (Array.isArray(v.coding)) return v.coding.some((c) => mayMatchCoding(c, codes));
  if (v.coding === undefined && (v.code !== undefined || v.system !== undefined)) return mayMatchCoding(v, codes);
  if (v.coding === undefined && v.reference === undefined && Object.keys(v).every((k) => k === "text" || k === "id" || k === "extension")) return false;
  return true;
}

function mayMatchCoding(coding: unknown, codes: ReadonlySet<string>): boolean {
  if (coding === null || typeof coding !== "object") return true;
  const { system, code } = coding as { system?: unknown; code?: unknown };
  if (code === undefined) return false;
  if (typeof code !== "string" || (system !== undefined && typeof system !== "string")) return true;
  return codes.has(`${system ?? "undefined"}|${code}`);
}
