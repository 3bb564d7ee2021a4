import type { EndpointName } from './EndpointName.js';
import type { FaultSchedule } from './FaultSchedule.js';

/** A rate limit: at most `limit` requests admitted in any window of `intervalMs`. */
export interface EndpointRateLimit {
  /** Requests admitted per window. */
  readonly limit: number;
  /**
   * Length of the sliding window.
   * @defaultValue 1000
   */
  readonly intervalMs?: number;
}

/** A token budget: at most `tokens` prompt and completion tokens admitted in any window of `intervalMs`. */
export interface EndpointTokenRateLimit {
  /** Tokens (prompt plus completion) admitted per window. */
  readonly tokens: number;
  /**
   * Length of the sliding window.
   * @defaultValue 60000 (tokens per minute, as OpenAI counts them)
   */
  readonly intervalMs?: number;
}

/**
 * How one endpoint of the local upstream behaves. Given to `createUpstream({ endpoints: { name: ... } })`,
 * the fields given replace the endpoint's defaults ({@link DEFAULT_ENDPOINTS}) one by one; `null` turns a
 * default fault off.
 */
export interface EndpointOptions {
  /**
   * Time to answer, in milliseconds, drawn uniformly from `[min, max]` by the endpoint's seeded generator
   * (then multiplied by the upstream's `latencyScale`).
   * @defaultValue per endpoint, see {@link DEFAULT_ENDPOINTS}
   */
  readonly latencyMs?: readonly [min: number, max: number];
  /**
   * Past this rate, requests are answered at once with `429 Too Many Requests` and a `Retry-After`
   * header saying when the window has room again. `null`: no limit.
   * @defaultValue 10 per second for `orders`, none for the others
   */
  readonly rateLimit?: EndpointRateLimit | null;
  /**
   * Requests answered with a 5xx `status` (after their drawn latency).
   * @defaultValue `{ pattern: 'xx.', status: 503 }` for `faq`, none for the others
   */
  readonly failures?: (FaultSchedule & { readonly status?: number }) | null;
  /**
   * Requests never answered: the server keeps them open until the client goes away (and counts that
   * in `stats`), as a stuck database or a dead proxy would.
   * @defaultValue every request to `database` (`{ pattern: 'x' }`), none for the others
   */
  readonly hangs?: FaultSchedule | null;
  /**
   * Requests answered after a latency drawn from `slow.latencyMs` instead of `latencyMs`.
   * @defaultValue `{ pattern: 'xx.', latencyMs: [3000, 4000] }` for `largeModel`, none for the others
   */
  readonly slow?: (FaultSchedule & { readonly latencyMs: readonly [min: number, max: number] }) | null;
  /**
   * For a model served through the OpenAI-compatible API: the time between two generated tokens, in
   * milliseconds, drawn once per request from `[min, max]` (then multiplied by `latencyScale`). The
   * drawn `latencyMs` is then the time to the first token, and an answer of n tokens ends n - 1 token
   * times later (streamed token by token, or all at once without `stream`).
   * @defaultValue [8, 16] for `model`, [10, 20] for `largeModel`, [4, 8] for `smallModel`, [0, 0] for the others
   */
  readonly tokenLatencyMs?: readonly [min: number, max: number];
  /**
   * For a model served through the OpenAI-compatible API: past this many tokens per window, requests are
   * answered at once with `429`, `retry-after`, `retry-after-ms` and `x-ratelimit-*-tokens` headers, as
   * OpenAI's tokens-per-minute limit does. `null`: no limit.
   * @defaultValue 40000 a minute for `model`, 30000 for `largeModel`, 60000 for `smallModel`, none for the others
   */
  readonly tokenRateLimit?: EndpointTokenRateLimit | null;
}

/** An endpoint's options with every default filled in. */
export interface ResolvedEndpointOptions {
  readonly latencyMs: readonly [min: number, max: number];
  readonly rateLimit: Required<EndpointRateLimit> | null;
  readonly failures: (FaultSchedule & { readonly status: number }) | null;
  readonly hangs: FaultSchedule | null;
  readonly slow: (FaultSchedule & { readonly latencyMs: readonly [min: number, max: number] }) | null;
  readonly tokenLatencyMs: readonly [min: number, max: number];
  readonly tokenRateLimit: Required<EndpointTokenRateLimit> | null;
}

const plain = { rateLimit: null, failures: null, hangs: null, slow: null, tokenLatencyMs: [0, 0], tokenRateLimit: null } as const;
const perMinute = (tokens: number) => ({ tokens, intervalMs: 60_000 });

/**
 * The endpoints' defaults, chosen so the demo shows each example's point at real-world speeds: lookups
 * in a few hundred milliseconds, models in most of a second, `orders` limited to 10 requests a second,
 * `faq` failing twice in every three requests (so its retries show), `database` hanging, and `largeModel`
 * slow twice in every three requests (so the fallback and the hedge show). The models' `latencyMs` is
 * their time to the first token; their tokens follow every 4-20 ms, under a tokens-per-minute budget the
 * examples stay well inside.
 */
export const DEFAULT_ENDPOINTS: Readonly<Record<EndpointName, ResolvedEndpointOptions>> = Object.freeze({
  weather: { ...plain, latencyMs: [250, 400] },
  userStatus: { ...plain, latencyMs: [200, 350] },
  orders: { ...plain, latencyMs: [200, 300], rateLimit: { limit: 10, intervalMs: 1000 } },
  kbSearch: { ...plain, latencyMs: [300, 500] },
  faq: { ...plain, latencyMs: [150, 300], failures: { pattern: 'xx.', status: 503 } },
  vectorStore: { ...plain, latencyMs: [200, 400] },
  database: { ...plain, latencyMs: [100, 200], hangs: { pattern: 'x' } },
  materials: { ...plain, latencyMs: [400, 700] },
  userProfile: { ...plain, latencyMs: [100, 250] },
  template: { ...plain, latencyMs: [50, 150] },
  model: { ...plain, latencyMs: [350, 500], tokenLatencyMs: [8, 16], tokenRateLimit: perMinute(40_000) },
  largeModel: {
    ...plain,
    latencyMs: [300, 450],
    slow: { pattern: 'xx.', latencyMs: [3000, 4000] },
    tokenLatencyMs: [10, 20],
    tokenRateLimit: perMinute(30_000),
  },
  smallModel: { ...plain, latencyMs: [150, 250], tokenLatencyMs: [4, 8], tokenRateLimit: perMinute(60_000) },
});
