// A small, fast, seedable PRNG. Math.random cannot be seeded, and the generator's promise is
// "same seed, same files", so every random choice goes through this.

/** Mixes 32-bit words into one well-scrambled 32-bit word (MurmurHash3 finaliser). */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The seed of one independent stream: (dataset seed, stream, index) → 32 bits.
 * Each member draws from its own stream, so member k's story does not depend on how many
 * members were generated before it: a 10% data set is a prefix of the full one.
 */
export function streamSeed(seed: number, stream: number, index: number): number {
  return mix32(mix32(mix32(seed ^ 0x9e3779b9) ^ Math.imul(stream, 0x27d4eb2d)) ^ index);
}

/** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator): 128-bit state, passes PractRand. */
export class Random {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;

  constructor(seed: number) {
    this.reseed(seed);
  }

  /** Restart from a 32-bit seed without allocating (called once per member on the hot path). */
  reseed(seed: number): void {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    // Warm-up rounds so that nearby seeds give unrelated sequences.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both ends included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }

  /** Standard normal deviate (Box–Muller; the second deviate is dropped for simplicity). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: keeps log() finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /**
   * A positive whole number of days with the given median and a long right tail, the usual
   * shape of waiting times such as claims lag or days from order to scan.
   */
  skewedDays(median: number, spread: number, min = 0, max = 3650): number {
    const days = Math.round(median * Math.exp(spread * this.normal()));
    return days < min ? min : days > max ? max : days;
  }

  /** Poisson count (Knuth's method: fine for the small means used here). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }
}

/** A fixed table of weighted choices, cumulated once so each draw is a short scan. */
export class WeightedChoice<T> {
  private readonly values: T[];
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(entries: readonly (readonly [T, number])[]) {
    if (entries.length === 0) throw new Error("WeightedChoice needs at least one entry");
    this.values = entries.map(([value]) => value);
    let sum = 0;
    this.cumulative = entries.map(([, weight]) => (sum += weight));
    this.total = sum;
  }

  draw(rng: Random): T {
    const target = rng.next() * this.total;
    let i = 0;
    while (i < this.cumulative.length - 1 && (this.cumulative[i] ?? 0) <= target) i++;
    return this.values[i] as T;
  }
}
