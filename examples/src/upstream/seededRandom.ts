import { seededRandom } from '@overlap/shared';

/** Re-exported from `@overlap/shared`: the generator every stream draws from. */
export { seededRandom };

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
