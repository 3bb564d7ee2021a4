import { fileURLToPath } from 'node:url';
import { DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT, InvalidOptionError, validateOption } from '@overlap/shared';
import { DEFAULT_MAX_SPANS, DEFAULT_MAX_TRACES } from './store/TraceStore.js';

/** Default of {@link DashboardServerOptions.host}: loopback only, so nothing is exposed by accident. */
export const DEFAULT_HOST = DEFAULT_DASHBOARD_HOST;
/** Default of {@link DashboardServerOptions.port}; deliberately not one of Jaeger's (16686, 4317, 4318). */
export const DEFAULT_PORT = DEFAULT_DASHBOARD_PORT;
/** Default of {@link DashboardServerOptions.maxBodyMb}. */
export const DEFAULT_MAX_BODY_MB = 16;
/** Default of {@link DashboardServerOptions.tracesIntervalMs}. */
export const DEFAULT_TRACES_INTERVAL_MS = 100;
/** Default of {@link DashboardServerOptions.spansIntervalMs}. */
export const DEFAULT_SPANS_INTERVAL_MS = 20;
/** Default of {@link DashboardServerOptions.forwardBufferMb}. */
export const DEFAULT_FORWARD_BUFFER_MB = 32;
/** Default of {@link DashboardServerOptions.runRequestTimeoutMs}. */
export const DEFAULT_RUN_REQUEST_TIMEOUT_MS = 5_000;

/** Options of `createDashboardServer`. */
export interface DashboardServerOptions {
  /**
   * Interface to listen on. Use `0.0.0.0` to accept other machines (then set a {@link token}).
   * @defaultValue `'127.0.0.1'`
   */
  host?: string;
  /**
   * TCP port to listen on; 0 picks a free one.
   * @defaultValue 16700
   */
  port?: number;
  /**
   * Most spans kept in memory; the least recently active whole traces are evicted past it.
   * @defaultValue 200000
   */
  maxSpans?: number;
  /**
   * Most traces kept in memory; the least recently active are evicted past it.
   * @defaultValue 2000
   */
  maxTraces?: number;
  /**
   * Largest request body accepted, in MiB, both as received and after gzip inflation (413 past it).
   * Also the largest socket.io message.
   * @defaultValue 16
   */
  maxBodyMb?: number;
  /**
   * When set, every HTTP route and socket requires it: `Authorization: Bearer <token>` or `?token=<token>`
   * on HTTP, `auth: { token }` on socket.io.
   * @defaultValue none (no authentication)
   */
  token?: string;
  /**
   * Directory of the built browser page (`index.html` and `assets/`).
   * @defaultValue the package's `dist/page`
   */
  pageDir?: string;
  /**
   * Most frequent emission of `traces` events to page clients, in milliseconds.
   * @defaultValue 100
   */
  tracesIntervalMs?: number;
  /**
   * OTLP/HTTP traces URLs (Jaeger's `http://host:4318/v1/traces`, a collector) that everything ingested
   * is forwarded to, through a bounded retry buffer that never blocks ingest.
   * @defaultValue [] (no forwarding)
   */
  forward?: string[];
  /**
   * Most MiB waiting per forward target while it is slow or down; the oldest batches are dropped past it.
   * @defaultValue 32
   */
  forwardBufferMb?: number;
  /**
   * How long a runner may take to accept a run requested from the page.
   * @defaultValue 5000
   */
  runRequestTimeoutMs?: number;
  /**
   * Most frequent emission of `spans` events to clients watching a trace, in milliseconds. A span is
   * passed on at once when the last event left longer ago than this, else this long after it.
   * @defaultValue 20
   */
  spansIntervalMs?: number;
}

/** {@link DashboardServerOptions} with every default applied. */
export type ResolvedDashboardServerOptions = Required<Omit<DashboardServerOptions, 'token'>> & { token: string | undefined };

const KNOWN_OPTIONS = [
  'host', 'port', 'maxSpans', 'maxTraces', 'maxBodyMb', 'token', 'pageDir', 'tracesIntervalMs', 'forward', 'forwardBufferMb',
  'runRequestTimeoutMs', 'spansIntervalMs',
] as const satisfies ReadonlyArray<keyof DashboardServerOptions>;

/**
 * Merges options with their defaults and checks them.
 *
 * @throws {@link InvalidOptionError} naming the first bad option, what was expected and what was received.
 *
 * @example
 * ```ts
 * resolveDashboardOptions({ port: 0 }).host; // '127.0.0.1'
 * ```
 */
export function resolveDashboardOptions(options: DashboardServerOptions = {}): ResolvedDashboardServerOptions {
  validateOption.object('options', options);
  // Treat explicit undefined as "not given", as an options object built from flags often has them.
  const given = validateOption.knownKeys(
    'options',
    Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)),
    KNOWN_OPTIONS,
  ) as DashboardServerOptions;
  const forward = given.forward ?? [];
  if (!Array.isArray(forward)) throw new InvalidOptionError('forward', 'an array of http(s) URLs', forward);
  return {
    host: validateOption.nonEmptyString('host', given.host ?? DEFAULT_HOST),
    port: validateOption.integer('port', given.port ?? DEFAULT_PORT, 0, 65_535),
    maxSpans: validateOption.integer('maxSpans', given.maxSpans ?? DEFAULT_MAX_SPANS, 1),
    maxTraces: validateOption.integer('maxTraces', given.maxTraces ?? DEFAULT_MAX_TRACES, 1),
    maxBodyMb: validateOption.positive('maxBodyMb', given.maxBodyMb ?? DEFAULT_MAX_BODY_MB, 1024),
    token: given.token === undefined ? undefined : validateOption.nonEmptyString('token', given.token),
    pageDir: validateOption.nonEmptyString('pageDir', given.pageDir ?? fileURLToPath(new URL('../../dist/page/', import.meta.url))),
    tracesIntervalMs: validateOption.integer('tracesIntervalMs', given.tracesIntervalMs ?? DEFAULT_TRACES_INTERVAL_MS, 0),
    forward: forward.map((url, i) => validateOption.httpUrl(`forward[${i}]`, url)),
    forwardBufferMb: validateOption.positive('forwardBufferMb', given.forwardBufferMb ?? DEFAULT_FORWARD_BUFFER_MB, 4096),
    runRequestTimeoutMs: validateOption.integer('runRequestTimeoutMs', given.runRequestTimeoutMs ?? DEFAULT_RUN_REQUEST_TIMEOUT_MS, 1),
    spansIntervalMs: validateOption.integer('spansIntervalMs', given.spansIntervalMs ?? DEFAULT_SPANS_INTERVAL_MS, 0),
  };
}
