// The clinicians and facilities that order, perform and bill. Fixed per seed (not per member)
// so that the same NPIs recur across members, as they do in real claims.
import { randomNpi } from "./npi";
import { Random, streamSeed } from "./prng";

export interface ProviderPool {
  /** Primary care and specialists who order DXA and report 3096F/3095F. */
  clinicians: readonly string[];
  /** Radiologists who read studies (the 26 component, global bills). */
  radiologists: readonly string[];
  /** Hospitals and imaging centres (the TC component, institutional claims). */
  facilities: readonly string[];
  /** Emergency and orthopaedic clinicians who treat fractures. */
  fractureClinicians: readonly string[];
}

const PROVIDER_STREAM = 1;

function distinctNpis(rng: Random, count: number, taken: Set<string>): string[] {
  const npis: string[] = [];
  while (npis.length < count) {
    const npi = randomNpi(rng);
    if (taken.has(npi)) continue;
    taken.add(npi);
    npis.push(npi);
  }
  return npis;
}

export function makeProviderPool(seed: number): ProviderPool {
  const rng = new Random(streamSeed(seed, PROVIDER_STREAM, 0));
  const taken = new Set<string>();
  return {
    clinicians: distinctNpis(rng, 2_000, taken),
    radiologists: distinctNpis(rng, 300, taken),
    facilities: distinctNpis(rng, 250, taken),
    fractureClinicians: distinctNpis(rng, 400, taken),
  };
}
