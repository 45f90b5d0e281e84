import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { MEASURE_KEYS, type MeasureKey } from "./measures/types";

// Targets (goals) per measure (issue 14): a JSON file in the repository, config/targets.json,
// or the file DXA_TARGETS_FILE names. Each is drawn as a goal line on the comparison and trend
// charts and printed on the scorecard. A file that is wrong is refused whole with a message
// naming the file and the key, shown on the pages as a notice; the pages then draw no goal.
//
// {
//   "targets": {
//     "order_follow_up": { "rate": 0.8, "label": "Goal" },   // or just 0.8
//     ...
//   }
// }

export type Target = { rate: number; label: string };
export type Targets = Partial<Record<MeasureKey, Target>>;

export const TARGETS_ENV = "DXA_TARGETS_FILE";
export const DEFAULT_TARGETS_FILE = "config/targets.json";

export class TargetsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TargetsError";
  }
}

const LABEL_MAX = 40;

/** Reads the text of a targets file; `file` is how messages name it. Throws TargetsError. */
export function parseTargets(text: string, file: string, measureKeys: readonly string[] = MEASURE_KEYS): Targets {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new TargetsError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(json)) throw new TargetsError(`${file}: expected an object with a "targets" object`);
  for (const key of Object.keys(json)) {
    if (key !== "targets" && key !== "$comment") throw new TargetsError(`${file}: ${key}: unknown key (expected "targets" and an optional "$comment")`);
  }
  const targets = json.targets;
  if (!isObject(targets)) throw new TargetsError(`${file}: targets: expected an object of measure keys`);
  const result: Targets = {};
  for (const [measure, value] of Object.entries(targets)) {
    const at = `${file}: targets.${measure}`;
    if (!measureKeys.includes(measure)) throw new TargetsError(`${at}: not a measure key (one of ${measureKeys.join(", ")})`);
    const entry = typeof value === "number" ? { rate: value } : value;
    if (!isObject(entry)) throw new TargetsError(`${at}: expected a rate from 0 to 1, or { "rate": …, "label": … }`);
    for (const key of Object.keys(entry)) {
      if (key !== "rate" && key !== "label") throw new TargetsError(`${at}.${key}: unknown key (expected "rate" and an optional "label")`);
    }
    const rate = entry.rate;
    if (typeof rate !== "number" || !Number.isFinite(rate)) throw new TargetsError(`${at}.rate: ${JSON.stringify(rate) ?? "missing"} is not a number from 0 to 1`);
    if (rate < 0 || rate > 1) {
      const hint = rate > 1 && rate <= 100 ? ` (write ${rate}% as ${rate / 100})` : "";
      throw new TargetsError(`${at}.rate: ${rate} is not a rate from 0 to 1${hint}`);
    }
    const label = entry.label ?? "Goal";
    if (typeof label !== "string" || label.trim() === "" || label.length > LABEL_MAX) {
      throw new TargetsError(`${at}.label: ${JSON.stringify(label)} is not a text of 1 to ${LABEL_MAX} characters`);
    }
    result[measure as MeasureKey] = { rate, label: label.trim() };
  }
  return result;
}

export type LoadedTargets = { targets: Targets; file: string | null; error: string | null };

let cache: { file: string; mtimeMs: number; loaded: LoadedTargets } | null = null;

/**
 * The targets in force: the file DXA_TARGETS_FILE names (relative to the working directory),
 * else config/targets.json when there is one, else none. Read again when the file changes.
 * Never throws: a file that cannot be used gives no targets and the error to show.
 */
export function loadTargets(env: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): LoadedTargets {
  const named = env[TARGETS_ENV]?.trim();
  const shown = named || DEFAULT_TARGETS_FILE;
  const file = path.resolve(cwd, shown);
  let mtimeMs: number;
  try {
    mtimeMs = statSync(/*turbopackIgnore: true*/ file).mtimeMs;
  } catch {
    if (!named) return { targets: {}, file: null, error: null };
    return { targets: {}, file: shown, error: `${shown}: file not found (named by ${TARGETS_ENV})` };
  }
  if (cache && cache.file === file && cache.mtimeMs === mtimeMs) return cache.loaded;
  let loaded: LoadedTargets;
  try {
    loaded = { targets: parseTargets(readFileSync(/*turbopackIgnore: true*/ file, "utf8"), shown), file: shown, error: null };
  } catch (error) {
    loaded = { targets: {}, file: shown, error: error instanceof TargetsError ? error.message : `${shown}: cannot be read (${(error as Error).message})` };
  }
  cache = { file, mtimeMs, loaded };
  return loaded;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
