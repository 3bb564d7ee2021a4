import { InvalidOptionError } from '@overlap/runner';
import { ENDPOINT_NAMES, isEndpointName, type EndpointName } from './EndpointName.js';
import { DEFAULT_ENDPOINTS, type EndpointOptions, type ResolvedEndpointOptions } from './EndpointOptions.js';
import type { FaultSchedule } from './FaultSchedule.js';

/** Options of `createUpstream`. */
export interface UpstreamOptions {
  /**
   * Address to listen on.
   * @defaultValue '127.0.0.1'
   */
  host?: string;
  /**
   * Port to listen on; 0 picks a free one (read it from `upstream.url`).
   * @defaultValue 0
   */
  port?: number;
  /**
   * Seed of every latency and fault draw: two upstreams with the same seed that get the same requests
   * in the same order answer them with the same latencies and faults.
   * @defaultValue 1
   */
  seed?: number;
  /**
   * Multiplies every drawn latency (slow ones included); tests use 0.1 to run ten times faster. Rate
   * limit windows are not scaled.
   * @defaultValue 1
   */
  latencyScale?: number;
  /**
   * Send `Retry-After` in fractions of a second (`"0.35"`) rather than whole seconds as HTTP specifies
   * (`"1"`), for short rate-limit windows in tests. The runner parses both.
   * @defaultValue false
   */
  fractionalRetryAfter?: boolean;
  /** Per endpoint, options that replace its defaults field by field. */
  endpoints?: Partial<Record<EndpointName, EndpointOptions>>;
}

/** {@link UpstreamOptions} with every default filled in. */
export interface ResolvedUpstreamOptions {
  readonly host: string;
  readonly port: number;
  readonly seed: number;
  readonly latencyScale: number;
  readonly fractionalRetryAfter: boolean;
  readonly endpoints: Readonly<Record<EndpointName, ResolvedEndpointOptions>>;
}

/**
 * Merges upstream options with their defaults and checks them; a bad one throws `InvalidOptionError`
 * naming it (`createUpstream.endpoints.orders.rateLimit.limit: expected ...`).
 *
 * @example
 * ```ts
 * const resolved = resolveUpstreamOptions({ seed: 7, endpoints: { orders: { rateLimit: null } } });
 * resolved.endpoints.orders.latencyMs; // [150, 300], the default
 * ```
 */
export function resolveUpstreamOptions(options: UpstreamOptions = {}): ResolvedUpstreamOptions {
  const at = 'createUpstream';
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError(`${at} options`, 'an object', options);
  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0) throw new InvalidOptionError(`${at}.host`, 'a host name or address', host);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionError(`${at}.port`, 'an integer from 0 to 65535', port);
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new InvalidOptionError(`${at}.seed`, 'an integer', seed);
  const latencyScale = options.latencyScale ?? 1;
  if (typeof latencyScale !== 'number' || !Number.isFinite(latencyScale) || latencyScale < 0) {
    throw new InvalidOptionError(`${at}.latencyScale`, 'a finite number >= 0', latencyScale);
  }
  const fractionalRetryAfter = options.fractionalRetryAfter ?? false;
  if (typeof fractionalRetryAfter !== 'boolean') {
    throw new InvalidOptionError(`${at}.fractionalRetryAfter`, 'a boolean', fractionalRetryAfter);
  }
  const given = options.endpoints ?? {};
  if (typeof given !== 'object' || given === null) throw new InvalidOptionError(`${at}.endpoints`, 'an object', given);
  for (const name of Object.keys(given)) {
    if (!isEndpointName(name)) throw new InvalidOptionError(`${at}.endpoints.${name}`, `one of ${ENDPOINT_NAMES.join(', ')}`, name);
  }
  const endpoints = {} as Record<EndpointName, ResolvedEndpointOptions>;
  for (const name of ENDPOINT_NAMES) {
    endpoints[name] = resolveEndpoint(`${at}.endpoints.${name}`, DEFAULT_ENDPOINTS[name], given[name]);
  }
  return Object.freeze({ host, port, seed, latencyScale, fractionalRetryAfter, endpoints: Object.freeze(endpoints) });
}

function resolveEndpoint(at: string, defaults: ResolvedEndpointOptions, options: EndpointOptions | undefined): ResolvedEndpointOptions {
  if (options === undefined) return defaults;
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError(at, 'an object', options);
  const latencyMs = options.latencyMs === undefined ? defaults.latencyMs : range(`${at}.latencyMs`, options.latencyMs);
  let rateLimit = defaults.rateLimit;
  if (options.rateLimit !== undefined) {
    if (options.rateLimit === null) rateLimit = null;
    else {
      const limit = options.rateLimit.limit;
      if (!Number.isInteger(limit) || limit < 1) throw new InvalidOptionError(`${at}.rateLimit.limit`, 'an integer >= 1', limit);
      const intervalMs = options.rateLimit.intervalMs ?? 1000;
      if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs <= 0) {
        throw new InvalidOptionError(`${at}.rateLimit.intervalMs`, 'a finite number > 0', intervalMs);
      }
      rateLimit = { limit, intervalMs };
    }
  }
  let failures = defaults.failures;
  if (options.failures !== undefined) {
    if (options.failures === null) failures = null;
    else {
      const status = options.failures.status ?? 503;
      if (!Number.isInteger(status) || status < 500 || status > 599) {
        throw new InvalidOptionError(`${at}.failures.status`, 'a 5xx status', status);
      }
      failures = { ...schedule(`${at}.failures`, options.failures), status };
    }
  }
  const hangs = options.hangs === undefined ? defaults.hangs : options.hangs === null ? null : schedule(`${at}.hangs`, options.hangs);
  let slow = defaults.slow;
  if (options.slow !== undefined) {
    if (options.slow === null) slow = null;
    else slow = { ...schedule(`${at}.slow`, options.slow), latencyMs: range(`${at}.slow.latencyMs`, options.slow.latencyMs) };
  }
  const tokenLatencyMs =
    options.tokenLatencyMs === undefined ? defaults.tokenLatencyMs : range(`${at}.tokenLatencyMs`, options.tokenLatencyMs);
  let tokenRateLimit = defaults.tokenRateLimit;
  if (options.tokenRateLimit !== undefined) {
    if (options.tokenRateLimit === null) tokenRateLimit = null;
    else {
      const tokens = options.tokenRateLimit.tokens;
      if (!Number.isInteger(tokens) || tokens < 1) throw new InvalidOptionError(`${at}.tokenRateLimit.tokens`, 'an integer >= 1', tokens);
      const intervalMs = options.tokenRateLimit.intervalMs ?? 60_000;
      if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs <= 0) {
        throw new InvalidOptionError(`${at}.tokenRateLimit.intervalMs`, 'a finite number > 0', intervalMs);
      }
      tokenRateLimit = { tokens, intervalMs };
    }
  }
  return Object.freeze({ latencyMs, rateLimit, failures, hangs, slow, tokenLatencyMs, tokenRateLimit });
}

function range(at: string, value: unknown): readonly [number, number] {
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !value.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0) ||
    (value[0] as number) > (value[1] as number)
  ) {
    throw new InvalidOptionError(at, '[min, max] milliseconds with 0 <= min <= max', value);
  }
  return Object.freeze([value[0] as number, value[1] as number] as const);
}

function schedule(at: string, value: FaultSchedule): FaultSchedule {
  if (typeof value !== 'object' || value === null) throw new InvalidOptionError(at, '{ probability } or { pattern }', value);
  if ('pattern' in value) {
    if (typeof value.pattern !== 'string' || !/^[x.]+$/.test(value.pattern)) {
      throw new InvalidOptionError(`${at}.pattern`, "a non-empty string of 'x' (hit) and '.' (miss)", value.pattern);
    }
    return { pattern: value.pattern };
  }
  const probability = (value as { probability?: unknown }).probability;
  if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) {
    throw new InvalidOptionError(`${at}.probability`, 'a number from 0 to 1', probability);
  }
  return { probability };
}
