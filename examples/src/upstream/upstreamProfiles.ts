import { ENDPOINT_NAMES, type EndpointName } from './EndpointName.js';
import type { EndpointOptions } from './EndpointOptions.js';
import type { UpstreamOptions } from './UpstreamOptions.js';

/** Names of the upstream's ready-made behaviours, for `overlap upstream --profile`. */
export const UPSTREAM_PROFILES = ['fast', 'realistic', 'overloaded'] as const;

/** One of {@link UPSTREAM_PROFILES}. */
export type UpstreamProfile = (typeof UPSTREAM_PROFILES)[number];

const MODELS: ReadonlySet<EndpointName> = new Set(['model', 'largeModel', 'smallModel']);

function everyEndpoint(options: (name: EndpointName) => EndpointOptions): Partial<Record<EndpointName, EndpointOptions>> {
  return Object.fromEntries(ENDPOINT_NAMES.map((name) => [name, options(name)]));
}

/**
 * The endpoint options of a profile, to pass to `createUpstream({ endpoints })`:
 *
 * - `fast`: every endpoint answers in 5-20 ms (models stream a token every 1-2 ms), with no limits,
 *   failures, hangs or slow answers: for checking an agent's logic quickly;
 * - `realistic`: the defaults ({@link DEFAULT_ENDPOINTS}) the demo runs against: real-world latencies,
 *   the orders API at 10 requests a second, a flaky FAQ, a hung database, a large model slow two times
 *   in three, models under a tokens-per-minute budget;
 * - `overloaded`: a provider having a bad day: twice the latency, models at 5 requests a second and
 *   4,000 tokens a minute, one request in seven failing with 503, one in thirty hanging, one in five
 *   slow (4-8 s); for load-testing an agent's concurrency, timeouts and rate-limit design.
 *
 * @example
 * ```ts
 * const upstream = await createUpstream({ port: 16701, endpoints: upstreamProfile('overloaded') });
 * ```
 */
export function upstreamProfile(profile: UpstreamProfile): Partial<Record<EndpointName, EndpointOptions>> {
  switch (profile) {
    case 'fast':
      return everyEndpoint(() => ({
        latencyMs: [5, 20],
        tokenLatencyMs: [1, 2],
        rateLimit: null,
        tokenRateLimit: null,
        failures: null,
        hangs: null,
        slow: null,
      }));
    case 'realistic':
      return {};
    case 'overloaded':
      return everyEndpoint((name) =>
        MODELS.has(name)
          ? {
              latencyMs: [800, 1500],
              tokenLatencyMs: [20, 40],
              rateLimit: { limit: 5, intervalMs: 1000 },
              tokenRateLimit: { tokens: 4000, intervalMs: 60_000 },
              failures: { probability: 1 / 7, status: 503 },
              hangs: { probability: 1 / 30 },
              slow: { probability: 0.2, latencyMs: [4000, 8000] },
            }
          : {
              latencyMs: [300, 900],
              rateLimit: { limit: 10, intervalMs: 1000 },
              failures: { probability: 1 / 7, status: 503 },
              hangs: { probability: 1 / 30 },
              slow: { probability: 0.2, latencyMs: [2000, 4000] },
            },
      );
  }
}

/**
 * Whether `value` names a profile.
 *
 * @example
 * ```ts
 * isUpstreamProfile('fast'); // true
 * ```
 */
export function isUpstreamProfile(value: unknown): value is UpstreamProfile {
  return typeof value === 'string' && (UPSTREAM_PROFILES as readonly string[]).includes(value);
}
