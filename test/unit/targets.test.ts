import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadTargets, parseTargets, TargetsError } from "@/lib/targets";

const KEYS = ["order_follow_up", "post_fracture"];
const parse = (json: unknown) => parseTargets(typeof json === "string" ? json : JSON.stringify(json), "goals.json", KEYS);
const refusal = (json: unknown) => {
  try {
    parse(json);
  } catch (error) {
    expect(error).toBeInstanceOf(TargetsError);
    return (error as Error).message;
  }
  throw new Error("accepted");
};

describe("parseTargets", () => {
  it("reads rates with or without a label", () => {
    expect(parse({ $comment: "x", targets: { order_follow_up: { rate: 0.8, label: " Board goal " }, post_fracture: 0.5 } })).toEqual({
      order_follow_up: { rate: 0.8, label: "Board goal" },
      post_fracture: { rate: 0.5, label: "Goal" },
    });
    expect(parse({ targets: {} })).toEqual({});
    expect(parse({ targets: { post_fracture: 0 } })).toEqual({ post_fracture: { rate: 0, label: "Goal" } });
    expect(parse({ targets: { post_fracture: 1 } })).toEqual({ post_fracture: { rate: 1, label: "Goal" } });
  });

  it("refuses a wrong file with the file and the key named", () => {
    expect(refusal("{ targets: ")).toMatch(/^goals\.json: not valid JSON \(/);
    expect(refusal([])).toBe('goals.json: expected an object with a "targets" object');
    expect(refusal({ goals: {} })).toBe('goals.json: goals: unknown key (expected "targets" and an optional "$comment")');
    expect(refusal({ targets: 0.8 })).toBe("goals.json: targets: expected an object of measure keys");
    expect(refusal({ targets: { order_folow_up: 0.8 } })).toBe("goals.json: targets.order_folow_up: not a measure key (one of order_follow_up, post_fracture)");
    expect(refusal({ targets: { order_follow_up: 85 } })).toBe("goals.json: targets.order_follow_up.rate: 85 is not a rate from 0 to 1 (write 85% as 0.85)");
    expect(refusal({ targets: { order_follow_up: -0.1 } })).toBe("goals.json: targets.order_follow_up.rate: -0.1 is not a rate from 0 to 1");
    expect(refusal({ targets: { order_follow_up: { rate: "0.8" } } })).toBe('goals.json: targets.order_follow_up.rate: "0.8" is not a number from 0 to 1');
    expect(refusal({ targets: { order_follow_up: { label: "Goal" } } })).toBe("goals.json: targets.order_follow_up.rate: missing is not a number from 0 to 1");
    expect(refusal({ targets: { post_fracture: { rate: 0.5, colour: "red" } } })).toBe('goals.json: targets.post_fracture.colour: unknown key (expected "rate" and an optional "label")');
    expect(refusal({ targets: { post_fracture: { rate: 0.5, label: "" } } })).toBe('goals.json: targets.post_fracture.label: "" is not a text of 1 to 40 characters');
    expect(refusal({ targets: { post_fracture: "high" } })).toBe('goals.json: targets.post_fracture: expected a rate from 0 to 1, or { "rate": …, "label": … }');
  });
});

describe("loadTargets", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "targets-"));

  it("reads the repository's file by default, and the file DXA_TARGETS_FILE names instead", () => {
    const repo = loadTargets({}, process.cwd());
    expect(repo.error).toBeNull();
    expect(repo.file).toBe("config/targets.json");
    expect(repo.targets.order_follow_up).toEqual({ rate: 0.8, label: "Goal" });
    // The committed file is valid JSON that names only measure keys.
    expect(Object.keys(JSON.parse(readFileSync("config/targets.json", "utf8")).targets)).toContain("post_fracture");

    writeFileSync(path.join(dir, "ours.json"), JSON.stringify({ targets: { post_fracture: { rate: 0.6, label: "Ours" } } }));
    expect(loadTargets({ DXA_TARGETS_FILE: "ours.json" }, dir)).toEqual({ targets: { post_fracture: { rate: 0.6, label: "Ours" } }, file: "ours.json", error: null });
  });

  it("gives no targets and says why when the file is missing or wrong", () => {
    expect(loadTargets({ DXA_TARGETS_FILE: "missing.json" }, dir)).toEqual({ targets: {}, file: "missing.json", error: "missing.json: file not found (named by DXA_TARGETS_FILE)" });
    // No file and no variable: simply no targets.
    expect(loadTargets({}, dir)).toEqual({ targets: {}, file: null, error: null });
    writeFileSync(path.join(dir, "bad.json"), JSON.stringify({ targets: { order_follow_up: 80 } }));
    expect(loadTargets({ DXA_TARGETS_FILE: "bad.json" }, dir).error).toBe("bad.json: targets.order_follow_up.rate: 80 is not a rate from 0 to 1 (write 80% as 0.8)");
  });
});
