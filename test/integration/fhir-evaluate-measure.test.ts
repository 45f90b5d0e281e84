import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/db/client";
import type { Viewer } from "@/lib/access";
import type { ViewerResolution } from "@/lib/auth/viewer";
import { serveEvaluateMeasure } from "@/lib/fhir-api/evaluate-measure";
import { importFolder } from "@/lib/import";
import { CLAIMS_MEASURE_KEYS, computeMeasure, loadMeasureScope, resolveSnapshot, type MeasureQuery } from "@/lib/measures";
import { serveReport } from "@/lib/reports";
import { CMS249_FIXTURES, loadOfficialCases } from "@/test/support/cms249-fixtures";
import { ENGINES, freshDatabase, type TestDatabase } from "../support/databases";
import { QUALITY_OFFICER, viewerAs } from "../support/viewers";

// CMS249 through the product's own path (issue 15): the 27 official test cases imported as FHIR
// by the import, evaluated by lib/cms249/results.ts, read back through $evaluate-measure, each
// population equal to the case's expected MeasureReport (read from the case's own file by
// test/support/cms249-fixtures.ts, never computed by the code under test). Then the measure as
// pages and reports show it, attributed to payers by a coverage file written here; the access
// rules of SPEC section 10; and our five measures' summaries against the public deck's
// expected.json.

const cases = loadOfficialCases();
const PERIOD = { start: "2025-01-01", end: "2025-12-31" };
const CODES = ["initial-population", "denominator", "denominator-exclusion", "numerator", "numerator-exclusion"] as const;
const KEY_OF = { "initial-population": "initialPopulation", denominator: "denominator", "denominator-exclusion": "denominatorExclusion", numerator: "numerator", "numerator-exclusion": "numeratorExclusion" } as const;

// Worked out from the cases' INDEX and reports: all 27 are in the initial population and the
// denominator; 16 are excluded from it (the DENEXPass cases); 4 are in the numerator (three
// NUMEXPass cases and NUMEXFail ORAIAfterDXAScan) and 3 excluded from it (the NUMEXPass ones).
// So the rate is (4 − 3) / (27 − 16) = 1 / 11.
const EXPECTED_TOTAL = { initialPopulation: 27, denominator: 27, denominatorExclusion: 16, numerator: 4, numeratorExclusion: 3 };

// Three cases covered by an Aetna plan over 2025 (the rest have no coverage: Unknown payer):
const ORAI_AFTER_DXA = "46534e12-d13f-434d-9e23-b7eaf29d2be1"; // in the numerator, not excluded: 1 of 1
const DXA_ORDER_BEFORE = "0564f882-a4ad-4965-a6fb-eeb9729f33b5"; // in the denominator only: 0 of 1
const OSTEOPOROSIS = "00aebb4a-9145-4282-af35-77e622bf9739"; // excluded from the denominator: nothing
// So Aetna: 1 of 2; Unknown payer: 0 of 9 (11 − 2 in the denominator, 1 − 1 in the numerator).

const SIGNED_OUT: ViewerResolution = { ok: false, reason: "none" };
const PAYER_RELATIONS = viewerAs("payer_relations", ["aetna"]);

type Report = { resourceType: string; type: string; subject?: { reference: string }; period: { start: string; end: string }; improvementNotation: { coding: { code: string }[] }; group: { population: { code: { coding: { code: string }[] }; count?: number; extension?: unknown[] }[]; measureScore?: { value: number } }[] };

function countsOf(report: Report): Record<string, number | undefined> {
  return Object.fromEntries(report.group[0]!.population.map((p) => [p.code.coding[0]!.code, p.count]));
}

describe.each(ENGINES)("$evaluate-measure and the CMS249 measure on %s", (engine) => {
  let db: TestDatabase;
  let folder: string;

  const evaluate = async (viewer: Viewer | ViewerResolution, measure: string, query: string) => {
    const who = "ok" in viewer ? viewer : { ok: true as const, viewer };
    const response = await serveEvaluateMeasure(new Request(`http://dxa.test/api/fhir/Measure/${measure}/$evaluate-measure?${query}`), measure, "$evaluate-measure", {
      getDatabase: async () => db as Database,
      authenticate: async () => who,
      now: () => new Date("2026-03-01T12:00:00Z"),
    });
    return { response, body: (await response.json()) as Report & { issue?: { code: string; diagnostics: string }[] } };
  };

  beforeAll(async () => {
    db = await freshDatabase(engine);
    folder = mkdtempSync(path.join(tmpdir(), "cms249-evaluate-"));
    for (const c of cases) copyFileSync(path.join(CMS249_FIXTURES, "cases", `${c.patientId}.json`), path.join(folder, `${c.patientId}.json`));
    // The cases' Patients are members of this same import (SPEC 3b), so the CSV files may name them.
    writeFileSync(path.join(folder, "plans.csv"), "plan_id,payer,plan_name,product_line\nAET-PPO,Aetna,Aetna PPO,commercial\n");
    writeFileSync(
      path.join(folder, "coverage.csv"),
      `member_id,plan_id,start_date,end_date\n${[ORAI_AFTER_DXA, DXA_ORDER_BEFORE, OSTEOPOROSIS].map((m) => `${m},AET-PPO,2025-01-01,`).join("\n")}\n`,
    );
    // One claim line, for an as-of date (2026-02-15) that pages and reports read on.
    writeFileSync(
      path.join(folder, "claim_lines.csv"),
      `claim_id,line_number,frequency_code,received_date,member_id,plan_id,claim_type,service_date,procedure_code,line_status\nC1,1,1,2026-02-15,${DXA_ORDER_BEFORE},AET-PPO,professional,2026-02-01,99213,paid\n`,
    );
    const result = await importFolder(db, folder, { importedBy: "test" });
    expect(result.problems).toEqual([]);
  }, 300_000);
  afterAll(async () => {
    await db?.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it("gives each official case its expected populations in an individual MeasureReport, and audits each", async () => {
    for (const c of cases) {
      const { response, body } = await evaluate(QUALITY_OFFICER, "cms249", `periodStart=${c.period.start}&periodEnd=${c.period.end}&reportType=subject&subject=Patient/${c.patientId}`);
      expect(response.status, c.title).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/fhir+json; charset=utf-8");
      expect(body).toMatchObject({ resourceType: "MeasureReport", status: "complete", type: "individual", subject: { reference: `Patient/${c.patientId}` }, period: c.period });
      expect(body.group[0]!.population.map((p) => p.code.coding[0]!.code)).toEqual([...CODES]);
      const expected = Object.fromEntries(CODES.map((code) => [code, Number(c.expected[KEY_OF[code]])]));
      expect(countsOf(body), c.title).toEqual(expected);
    }
    const audits = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_events WHERE action = 'member_view' AND actor = $1 AND route = '/api/fhir/Measure/cms249/$evaluate-measure' AND rows = 1 AND detail LIKE 'CMS249 MeasureReport of Patient/%'`,
      [QUALITY_OFFICER.email],
    );
    expect(audits[0]!.n).toBe(cases.length);
  }, 300_000);

  it("the summary adds the cases up, lower is better, and the key is a name for it too", async () => {
    const sum = Object.fromEntries(CODES.map((code) => [code, cases.filter((c) => c.expected[KEY_OF[code]]).length]));
    expect(sum).toEqual(Object.fromEntries(CODES.map((code) => [code, EXPECTED_TOTAL[KEY_OF[code]]])));
    for (const id of ["cms249", "cms249_dxa_overuse"]) {
      const { response, body } = await evaluate(QUALITY_OFFICER, id, `periodStart=2025-01-01&periodEnd=2025-12-31&reportType=population`);
      expect(response.status).toBe(200);
      expect(body.type).toBe("summary");
      expect(body.improvementNotation.coding[0]!.code).toBe("decrease");
      expect(countsOf(body)).toEqual(sum);
      expect(body.group[0]!.measureScore!.value).toBeCloseTo(1 / 11, 12);
    }
  });

  it("is a measure of the product: by payer (D7 at the period end), by month (rolling 12 months), in the CSV", async () => {
    const asOf = (await resolveSnapshot(db))!;
    expect(asOf).toBe("2026-02-15");
    const query: MeasureQuery = { measure: "cms249_dxa_overuse", from: PERIOD.start, to: PERIOD.end, window: 90, asOf, groupBy: "payer" };
    const byPayer = await computeMeasure(await loadMeasureScope(db, QUALITY_OFFICER, asOf), query);
    const row = (key: string) => byPayer.rows.find((r) => r.payerKey === key)!;
    expect([row("aetna").denominator, row("aetna").numerator]).toEqual([2, 1]);
    expect([row("unknown").denominator, row("unknown").numerator]).toEqual([9, 0]);
    expect(row("cigna").flags).toContain("not_available");
    expect([byPayer.total.denominator, byPayer.total.numerator]).toEqual([11, 1]);

    // By month, each point the 12 months ending with it: December's is 2025 itself.
    const monthly = await computeMeasure(await loadMeasureScope(db, QUALITY_OFFICER, asOf), { ...query, from: "2025-11-01", groupBy: "month" });
    expect(monthly.rows.map((r) => r.month)).toEqual(["2025-11", "2025-12"]);
    expect([monthly.rows[1]!.denominator, monthly.rows[1]!.numerator]).toEqual([11, 1]);

    const csv = await serveReport("measure-summary", new Request(`http://dxa.test/api/reports/measure-summary.csv?measure=cms249_dxa_overuse&from=2025-01-01&to=2025-12-31&groupBy=payer`), {
      getDatabase: async () => db as Database,
      authenticate: async () => ({ ok: true as const, viewer: QUALITY_OFFICER }),
    });
    expect(csv.status).toBe(200);
    const [header, ...rows] = parse(await csv.text()) as string[][];
    const at = (payer: string) => rows.find((r) => r[header!.indexOf("payer")] === payer)!;
    const cells = (r: string[]) => ["measure", "denominator", "numerator", "rate", "flags"].map((c) => r[header!.indexOf(c)]);
    expect(cells(at("Aetna"))).toEqual(["cms249_dxa_overuse", "2", "1", "0.5000", "low_volume"]);
    expect(cells(at("Unknown payer"))).toEqual(["cms249_dxa_overuse", "9", "0", "0.0000", "low_volume"]);
    expect(cells(rows.at(-1)!)).toEqual(["cms249_dxa_overuse", "11", "1", "0.0909", "low_volume"]);

    // Payer relations (Aetna): their payer only, small cells hidden.
    const shared = await serveReport("measure-summary", new Request(`http://dxa.test/api/reports/measure-summary.csv?measure=cms249_dxa_overuse&from=2025-01-01&to=2025-12-31&groupBy=payer`), {
      getDatabase: async () => db as Database,
      authenticate: async () => ({ ok: true as const, viewer: PAYER_RELATIONS }),
    });
    const [sharedHeader, ...sharedRows] = parse(await shared.text()) as string[][];
    // Their payer, and the total of their scope (no other payer, no Unknown payer).
    expect(sharedRows.map((r) => r[sharedHeader!.indexOf("payer")])).toEqual(["Aetna", "Aetna"]);
    expect(["denominator", "numerator", "rate"].map((c) => sharedRows[0]![sharedHeader!.indexOf(c)])).toEqual(["<11", "<11", ""]);
  }, 300_000);

  it("keeps a payer-relations summary to their payers, small cells masked, and refuses them a subject", async () => {
    const { response, body } = await evaluate(PAYER_RELATIONS, "cms249", "periodStart=2025-01-01&periodEnd=2025-12-31");
    expect(response.status).toBe(200);
    // Aetna's three patients: 3 in the population, 3 in the denominator, 1 excluded, 1 in the
    // numerator — each from 1 to 10, so masked; the rate rests on them, so it is left out.
    expect(body.group[0]!.population.map((p) => [p.code.coding[0]!.code, p.count ?? "masked"])).toEqual(CODES.map((code) => [code, "masked"]));
    expect(body.group[0]!.measureScore).toBeUndefined();

    const refused = await evaluate(PAYER_RELATIONS, "cms249", `reportType=subject&subject=Patient/${ORAI_AFTER_DXA}&periodStart=2025-01-01&periodEnd=2025-12-31`);
    expect(refused.response.status).toBe(403);
    expect(refused.body).toMatchObject({ resourceType: "OperationOutcome", issue: [{ code: "forbidden" }] });
    const [denied] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'access_denied' AND actor = $1 AND route LIKE '/api/fhir/Measure/%'`, [PAYER_RELATIONS.email]);
    expect(denied!.n).toBe(1);
  });

  it("answers errors as OperationOutcomes: 401 with the Bearer challenge, 400 naming the parameter, 404", async () => {
    const anonymous = await evaluate(SIGNED_OUT, "cms249", "periodStart=2025-01-01&periodEnd=2025-12-31");
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.response.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(anonymous.body).toMatchObject({ resourceType: "OperationOutcome", issue: [{ code: "login" }] });

    for (const [query, named] of [
      ["periodStart=2025-13-01&periodEnd=2025-12-31", "periodStart"],
      ["periodStart=2025-06-01&periodEnd=2025-01-31", "periodStart"],
      ["periodStart=1980-01-01&periodEnd=2025-12-31", "periodStart"],
      ["periodStart=2005-01-01&periodEnd=2025-12-31", "periodEnd"],
      ["reportType=subject-list", "reportType"],
      ["reportType=subject&subject=Group/1", "subject"],
      ["reportType=subject", "subject"],
      ["window=90", "window"],
      ["periodStart=2025-01-01&periodStart=2025-02-01", "periodStart"],
      ["evil=1", "evil"],
    ] as const) {
      const { response, body } = await evaluate(QUALITY_OFFICER, "cms249", query);
      expect(response.status, query).toBe(400);
      expect(body.issue![0]!.code).toBe("invalid");
      expect(body.issue![0]!.diagnostics, query).toContain(`Invalid parameter ${named}=`);
    }
    const unknownMeasure = await evaluate(QUALITY_OFFICER, "cms999", "");
    expect(unknownMeasure.response.status).toBe(404);
    const unknownPatient = await evaluate(QUALITY_OFFICER, "cms249", "reportType=subject&subject=Patient/nobody&periodStart=2025-01-01&periodEnd=2025-12-31");
    expect(unknownPatient.response.status).toBe(404);
    expect(unknownPatient.body.issue![0]!.code).toBe("not-found");
  });
});

// Our five measures' summaries, over the public deck: each population count equals the deck's
// expected.json (its All row), for each parameter set it gives.
const DECK = path.resolve(import.meta.dirname, "../fixtures/public-deck"); // the repository's copy: a clone has no ../shared
type DeckCase = { as_of: string; params: { from: string; to: string; window: number; asOf?: string }; expected: Record<string, Record<string, { denominator: number; numerator: number }>> };

describe.each(ENGINES)("$evaluate-measure summaries of our measures on the public deck, %s", (engine) => {
  let db: TestDatabase;
  const deck = JSON.parse(readFileSync(path.join(DECK, "expected.json"), "utf8")) as DeckCase[];

  beforeAll(async () => {
    db = await freshDatabase(engine);
    const result = await importFolder(db, path.join(DECK, "data"), { importedBy: "test" });
    expect(result.problems).toEqual([]);
  }, 300_000);
  afterAll(async () => db?.dispose());

  // Member M000130 in 2025, worked out by hand from the deck's rows (test/e2e/member-record.spec.ts):
  // order O000130-0 of 1 Jul 2025 scanned 10 days later, its result documented, not reported by a
  // 3096F line (the one there was voided); order O000130-1 cancelled; screened (74, covered, no
  // study in 2023–2024, ordered in 2025); no fracture.
  it("gives a member's individual report of each of our measures, audited", async () => {
    const expected: Record<string, [number, number]> = {
      order_follow_up: [1, 1],
      result_documented: [1, 1],
      order_capture: [1, 0],
      screening_ordering: [1, 1],
      post_fracture: [0, 0],
    };
    for (const measure of CLAIMS_MEASURE_KEYS) {
      const response = await serveEvaluateMeasure(
        new Request(`http://dxa.test/api/fhir/Measure/${measure}/$evaluate-measure?periodStart=2025-01-01&periodEnd=2025-12-31&reportType=subject&subject=Patient/M000130`),
        measure,
        "$evaluate-measure",
        { getDatabase: async () => db as Database, authenticate: async () => ({ ok: true as const, viewer: QUALITY_OFFICER }) },
      );
      expect(response.status, measure).toBe(200);
      const body = (await response.json()) as Report;
      expect(body).toMatchObject({ type: "individual", subject: { reference: "Patient/M000130" } });
      const [denominator, numerator] = expected[measure]!;
      expect(countsOf(body), measure).toEqual({ "initial-population": denominator, denominator, numerator });
    }
    const [audited] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'member_view' AND detail LIKE '% MeasureReport of Patient/M000130'`);
    expect(audited!.n).toBe(CLAIMS_MEASURE_KEYS.length);
  });

  it.each(deck.map((d, i) => [i, d] as const))("parameter set %i", async (_, d) => {
    for (const measure of CLAIMS_MEASURE_KEYS) {
      const query = `periodStart=${d.params.from}&periodEnd=${d.params.to}&window=${d.params.window}${d.params.asOf ? `&asOf=${d.params.asOf}` : ""}`;
      const response = await serveEvaluateMeasure(new Request(`http://dxa.test/api/fhir/Measure/${measure}/$evaluate-measure?${query}`), measure, "$evaluate-measure", {
        getDatabase: async () => db as Database,
        authenticate: async () => ({ ok: true as const, viewer: QUALITY_OFFICER }),
      });
      expect(response.status, measure).toBe(200);
      const body = (await response.json()) as Report;
      const all = d.expected[measure]!.All!;
      expect(body).toMatchObject({ type: "summary", period: { start: d.params.from, end: d.params.to }, improvementNotation: { coding: [{ code: "increase" }] } });
      expect(countsOf(body), measure).toEqual({ "initial-population": all.denominator, denominator: all.denominator, numerator: all.numerator });
    }
  }, 120_000);
});
