// The one call into the engine, shared by the in-process path (engine.ts) and the worker
// threads (engine-worker.mjs). Plain JavaScript so that a worker runs it under bare Node in
// every setting (tests, scripts, `next start`) without a TypeScript loader. Types:
// engine-core.d.mts.
import fqm from "fqm-execution";
import detailedResults from "fqm-execution/build/calculation/DetailedResultsBuilder.js";

const { Calculator, MeasureBundleHelpers } = fqm;
const { createPopulationValues } = detailedResults;

const POPULATIONS = {
  "initial-population": "initialPopulation",
  denominator: "denominator",
  "denominator-exclusion": "denominatorExclusion",
  numerator: "numerator",
  "numerator-exclusion": "numeratorExclusion",
};

/**
 * Populations of each patient bundle, in the order given.
 *
 * `Calculator.calculateRaw` runs the measure's CQL; fqm-execution's own
 * `createPopulationValues` then turns a patient's statement results into populations exactly as
 * `Calculator.calculate` does (population criteria, and a numerator only inside the denominator
 * and so on). `calculate` itself also builds clause-level results for highlighting, 75% of its
 * time; the tests prove both paths give the same populations.
 *
 * The profile check stays on (`trustMetaProfile` defaults to true): bundles arrive tagged.
 * When a batch fails in the engine, each of its patients is run alone so that one bad record
 * costs one patient, who is returned with the error.
 */
export async function evaluateBundles(measureBundle, bundles, period) {
  if (bundles.length === 0) return [];
  try {
    return await evaluateBatch(measureBundle, bundles, period);
  } catch (error) {
    if (bundles.length === 1) return [{ patientId: patientIdOf(bundles[0]), error: messageOf(error) }];
    const results = [];
    for (const bundle of bundles) {
      try {
        results.push(...(await evaluateBatch(measureBundle, [bundle], period)));
      } catch (single) {
        results.push({ patientId: patientIdOf(bundle), error: messageOf(single) });
      }
    }
    return results;
  }
}

async function evaluateBatch(measureBundle, bundles, period) {
  const { results } = await Calculator.calculateRaw(measureBundle, bundles, {
    measurementPeriodStart: period.start,
    measurementPeriodEnd: period.end,
    useElmJsonsCaching: true,
  });
  const measure = MeasureBundleHelpers.extractMeasureFromBundle(measureBundle);
  const group = measure.group[0];
  return bundles.map((bundle) => {
    const patientId = patientIdOf(bundle);
    const statements = results.patientResults[patientId];
    if (!statements) return { patientId, error: "the engine returned no result for this patient" };
    const populations = {
      initialPopulation: false,
      denominator: false,
      denominatorExclusion: false,
      numerator: false,
      numeratorExclusion: false,
    };
    for (const population of createPopulationValues(measure, group, statements).populationResults) {
      const key = POPULATIONS[population.populationType];
      if (key) populations[key] = population.result === true;
    }
    return { patientId, populations };
  });
}

function patientIdOf(bundle) {
  const patient = bundle.entry.find((e) => e.resource && e.resource.resourceType === "Patient");
  return patient ? patient.resource.id : "";
}

function messageOf(error) {
  // The engine's message spans lines ("…unexpected error…", then the cause and where in the CQL).
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim().slice(0, 500);
}
