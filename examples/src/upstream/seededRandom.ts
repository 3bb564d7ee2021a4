/**
 * A seeded generator of numbers in [0, 1) (mulberry32): the same seed gives the same sequence, so an
 * upstream started with the same seed draws the same latencies and faults, request after request.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random(); // always the same first number for seed 42
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Derives the seed of one named stream from a base seed (FNV-1a over the name, mixed with the seed), so
 * each endpoint draws its latencies and each kind of fault from a sequence of its own: a request to one
 * endpoint never shifts what another endpoint draws.
 *
 * @example
 * ```ts
 * const latencies = seededRandom(streamSeed(1, 'orders.latency'));
 * ```
 */
export function streamSeed(seed: number, name: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i += 1) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
