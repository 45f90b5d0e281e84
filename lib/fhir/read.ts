import { createHash } from "node:crypto";
import { createReadStream, readFileSync, statSync } from "node:fs";
import { BinaryCopyWriter } from "../import/copy-binary";
import type { KnownIds } from "../import/known-ids";
import type { ProblemLog } from "../import/problems";
import type { ChunkSink, FileDigest } from "../import/read-file";
import { Utf8Text } from "../import/utf8-text";
import { isObject, list, text, type JsonObject } from "./elements";
import { readResource } from "./map";
import { FHIR_ID, type BundleIndex, type ResourceKey } from "./references";
import { R4_RESOURCE_TYPES } from "./resource-types";
import { StageWriter } from "./stage";

/** A FHIR file of an import folder: a bulk-export NDJSON file of one resource type, or a Bundle. */
export type FhirFile = { name: string; path: string } & ({ kind: "ndjson"; resourceType: string } | { kind: "bundle" });

/** What reading FHIR files needs of its import. */
export type FhirReadContext = {
  today: string;
  problems: ProblemLog;
  warnings: string[];
  /** When CSV files of the same import refer to members and plans, the members and plans that
   *  this import's Patients and Coverages define are added here (as members.csv rows are). */
  known: KnownIds | null;
  /** Numbers every resource of the import (the staging key the mapped rows refer to). */
  sequence: { next: number };
};

/** A Bundle is read whole (JSON.parse needs it in memory, several times its size): larger
 *  data comes as bulk NDJSON, which is streamed. */
export const MAX_BUNDLE_BYTES = 256 << 20;
/** One NDJSON line is one resource; a longer line is taken for a file that is not NDJSON. */
export const MAX_LINE_CHARS = 64 << 20;

/**
 * Reads one FHIR file, resource by resource, into the staging COPY (lib/fhir/stage.ts): each
 * resource as it came (its JSON text), the patient it is about, what a reference to it reads,
 * and the warehouse rows it becomes (lib/fhir/map.ts). References between resources are resolved afterwards in SQL over everything
 * staged and loaded (lib/fhir/resolve.ts), so that nothing but the current line is held here:
 * an NDJSON file of any size reads in constant memory.
 */
export async function readFhirFile(file: FhirFile, read: FhirReadContext, sink: ChunkSink): Promise<FileDigest> {
  const digest: FileDigest = { file: file.name, bytes: 0, sha256: "", rows: 0, validRows: 0, warnings: [] };
  const out = new BinaryCopyWriter();
  let inFlight: Promise<void> | null = null;
  // One chunk on its way to the database while the next is read: parsing here and storing
  // there use both cores, and memory stays flat.
  const flush = async () => {
    const rows = out.take();
    if (inFlight) await inFlight;
    inFlight = sink.write(rows);
    inFlight.catch(() => {}); // awaited before the next chunk or at the end
  };
  const stage = new ResourceStager(file, read, digest, new StageWriter(out));

  if (file.kind === "ndjson") {
    const hash = createHash("sha256");
    const source = createReadStream(file.path, { highWaterMark: 1 << 20 });
    source.on("data", (chunk) => {
      hash.update(chunk as Buffer);
      digest.bytes += chunk.length;
    });
    const decoded = source.pipe(new Utf8Text());
    source.on("error", (error) => decoded.destroy(error));
    try {
      let line = 0;
      for await (const text of ndjsonLines(decoded as AsyncIterable<string>)) {
        line++;
        if (line === 1 && text.charCodeAt(0) === 0xfeff) stage.line(text.slice(1), line);
        else if (text.trim() !== "") stage.line(text, line);
        if (out.size >= sink.chunkBytes) await flush();
      }
    } catch (error) {
      if (!(error instanceof Error) || !UNREADABLE.test(error.message)) throw error;
      read.problems.addFile(file.name, error.message);
    } finally {
      source.destroy();
    }
    digest.sha256 = hash.digest("hex");
  } else {
    const bundle = readBundle(file, read, digest);
    if (bundle) {
      for (let i = 0; i < bundle.entries.length; i++) {
        stage.entry(bundle.entries[i], i, bundle.index);
        if (out.size >= sink.chunkBytes) await flush();
      }
    }
  }
  if (out.size > 0) await flush();
  if (inFlight) await inFlight;
  return digest;
}

const UNREADABLE = /UTF-8|NUL bytes|longer than/;

/** Lines of a text stream, without their line ends (LF or CRLF). */
async function* ndjsonLines(stream: AsyncIterable<string>): AsyncGenerator<string> {
  let pending = "";
  for await (const chunk of stream) {
    let from = 0;
    for (let end = chunk.indexOf("\n"); end !== -1; end = chunk.indexOf("\n", from)) {
      const line = pending === "" ? chunk.slice(from, end) : pending + chunk.slice(from, end);
      pending = "";
      yield line.endsWith("\r") ? line.slice(0, -1) : line;
      from = end + 1;
    }
    pending += chunk.slice(from);
    if (pending.length > MAX_LINE_CHARS) throw new Error(`a line is longer than ${MAX_LINE_CHARS >> 20} M characters: not NDJSON (one resource a line); the rest of the file is not read`);
  }
  if (pending !== "") yield pending.endsWith("\r") ? pending.slice(0, -1) : pending;
}

const BUNDLE_TYPES = new Set(["transaction", "batch", "collection", "searchset"]);

/** A Bundle's entries, and their fullUrls for its references; null after reporting why the file
 *  is not one. */
function readBundle(file: FhirFile, read: FhirReadContext, digest: FileDigest): { entries: unknown[]; index: BundleIndex } | null {
  const size = statSync(file.path).size;
  if (size > MAX_BUNDLE_BYTES) {
    digest.bytes = size;
    read.problems.addFile(file.name, `the Bundle is ${(size / 2 ** 20).toFixed(0)} MB: a Bundle is read whole, up to ${MAX_BUNDLE_BYTES >> 20} MB; send larger data as bulk NDJSON files`);
    return null;
  }
  const bytes = readFileSync(file.path);
  digest.bytes = bytes.length;
  digest.sha256 = createHash("sha256").update(bytes).digest("hex");
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, ""));
  } catch (error) {
    read.problems.addFile(file.name, error instanceof TypeError ? "the file is not UTF-8 text" : `not valid JSON: ${(error as Error).message}`);
    return null;
  }
  if (!isObject(parsed) || parsed.resourceType !== "Bundle") {
    const what = isObject(parsed) ? `resourceType is ${JSON.stringify(parsed.resourceType ?? null)}` : "not a JSON object";
    read.problems.addFile(file.name, `not a FHIR Bundle (${what}): a .json file of an import is a Bundle; resources one a line go in <ResourceType>.ndjson`);
    return null;
  }
  if (!BUNDLE_TYPES.has(text(parsed.type) ?? "")) {
    read.problems.addFile(file.name, `a ${JSON.stringify(parsed.type ?? null)} Bundle is not read: a transaction, batch, collection or searchset Bundle is`, "Bundle.type", text(parsed.type) ?? "");
    return null;
  }
  const entries = list(parsed.entry);
  const index = new Map<string, ResourceKey>();
  for (const entry of entries) {
    if (!isObject(entry) || typeof entry.fullUrl !== "string" || !isObject(entry.resource)) continue;
    const { resourceType, id } = entry.resource;
    if (typeof resourceType === "string" && typeof id === "string") index.set(entry.fullUrl, { type: resourceType, id });
  }
  return { entries, index };
}

/** Checks each resource, maps it, and writes its staging row. */
class ResourceStager {
  constructor(
    private readonly file: FhirFile,
    private readonly read: FhirReadContext,
    private readonly digest: FileDigest,
    private readonly out: StageWriter,
  ) {}

  /** An NDJSON line: one resource. */
  line(json: string, line: number): void {
    this.digest.rows++;
    let resource: unknown;
    try {
      resource = JSON.parse(json);
    } catch (error) {
      this.problem(line, "-", json, `not valid JSON: ${(error as Error).message}`);
      return;
    }
    if (!isObject(resource)) {
      this.problem(line, "-", json, "a line must hold one JSON object (a FHIR resource)");
      return;
    }
    this.stage(resource, json, line, null);
  }

  /** A Bundle entry: its resource, at the entry's index. */
  entry(entry: unknown, index: number, bundle: BundleIndex): void {
    if (!isObject(entry)) {
      this.digest.rows++;
      this.problem(index, `Bundle.entry[${index}]`, JSON.stringify(entry), "an entry must be a JSON object");
      return;
    }
    if (entry.resource === undefined) {
      const method = isObject(entry.request) ? text(entry.request.method) : null;
      this.read.warnings.push(`${this.file.name}: entry ${index} has no resource${method ? ` (a ${method} request)` : ""}: nothing read from it`);
      return;
    }
    this.digest.rows++;
    if (!isObject(entry.resource)) {
      this.problem(index, `Bundle.entry[${index}].resource`, JSON.stringify(entry.resource), "must be a JSON object (a FHIR resource)");
      return;
    }
    this.stage(entry.resource, null, index, bundle);
  }

  private stage(resource: JsonObject, json: string | null, line: number, bundle: BundleIndex | null): void {
    const { file, read } = this;
    const type = resource.resourceType;
    if (typeof type !== "string" || !R4_RESOURCE_TYPES.has(type)) {
      this.problem(line, "resourceType", typeof type === "string" ? type : type === undefined ? "" : JSON.stringify(type), type === undefined ? "required: every resource names its resourceType" : "not a FHIR R4 resource type");
      return;
    }
    if (file.kind === "ndjson" && type !== file.resourceType) {
      this.problem(line, "resourceType", type, `this file holds ${file.resourceType} resources (its name says so)`);
      return;
    }
    const id = resource.id;
    if (typeof id !== "string" || !FHIR_ID.test(id)) {
      const reason = id === undefined ? "required: resources are kept by type and id" : "not a FHIR id (1–64 letters, digits, '-' and '.')";
      this.problem(line, `${type}.id`, typeof id === "string" ? id : id === undefined ? "" : JSON.stringify(id), reason);
      return;
    }
    const text = json ?? JSON.stringify(resource);
    const unstorable = unstorableEscape(text);
    if (unstorable) {
      this.problem(line, type, unstorable, "the JSON holds a character that PostgreSQL cannot store in jsonb (\\u0000 or a lone surrogate)");
      return;
    }
    const reading = readResource(resource, { today: read.today, bundle });
    for (const p of reading.problems) read.problems.add(file.name, line, p.path, p.value, p.reason);
    if (read.known && reading.rows) {
      if (reading.rows.member) read.known.add("member", reading.rows.member.member_id);
      if (reading.rows.plan) read.known.add("plan", reading.rows.plan.plan_id);
    }
    const seq = read.sequence.next++;
    this.out.row("resource", seq, file.name, line, {
      resource_type: type,
      id,
      resource: text,
      patient_id: reading.patientId,
      referenced_value: reading.referencedValue,
      referenced_via: reading.referencedVia,
    });
    if (reading.rows) this.out.mapped(seq, file.name, line, reading.rows);
    this.digest.validRows++;
  }

  private problem(line: number, path: string, value: string, reason: string): void {
    this.read.problems.add(this.file.name, line, path, value, reason);
  }
}

// jsonb refuses \u0000 and UTF-16 surrogates that do not pair up, which JSON and JavaScript
// accept; found here, they are a problem of the line rather than a failed COPY.
const ESCAPE = /(?<!\\)(?:\\\\)*\\u([0-9a-fA-F]{4})/g;

function unstorableEscape(json: string): string | null {
  if (!json.includes("\\u")) return null;
  let pendingHigh: { end: number; text: string } | null = null;
  for (const match of json.matchAll(ESCAPE)) {
    const code = parseInt(match[1]!, 16);
    const end = match.index + match[0].length;
    const escape = `\\u${match[1]}`;
    const low = code >= 0xdc00 && code <= 0xdfff;
    if (pendingHigh) {
      if (low && end - 6 === pendingHigh.end) {
        pendingHigh = null;
        continue;
      }
      return pendingHigh.text;
    }
    if (code === 0 || low) return escape;
    if (code >= 0xd800 && code <= 0xdbff) pendingHigh = { end, text: escape };
  }
  return pendingHigh?.text ?? null;
}
