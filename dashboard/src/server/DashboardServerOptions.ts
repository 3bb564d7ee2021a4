import { fileURLToPath } from 'node:url';
import { DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT, InvalidOptionError, validateOption } from '@overlap/shared';
import { UnsafeExposureError } from './errors/UnsafeExposureError.js';
import { DEFAULT_MAX_INGEST_QUEUE } from './ingest/IngestQueue.js';
import { isLoopbackHost } from './security/hostNames.js';
import { HostAllowList } from './security/HostAllowList.js';
import { OriginPolicy } from './security/OriginPolicy.js';
import { DEFAULT_MAX_SPANS, DEFAULT_MAX_SPANS_PER_TRACE, DEFAULT_MAX_TRACES } from './store/traceStoreLimits.js';

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
   * Interface to listen on. Any address other than loopback (`0.0.0.0`, a LAN address, a host name)
   * needs a {@link token}, or {@link insecure}: without either, construction throws
   * `UnsafeExposureError`.
   * @defaultValue `'127.0.0.1'`
   */
  host?: string;
  /**
   * More host names the dashboard answers to, besides `localhost`, `127.0.0.1`, `[::1]` and {@link host}:
   * every HTTP request and socket.io handshake whose `Host` names another is refused with 403, which stops
   * DNS-rebinding pages. `.example.com` allows `example.com` and every name under it. List the names you
   * reach the dashboard by through a proxy, a tunnel or the LAN (`192.168.1.20`, `dash.example.com`).
   * @defaultValue []
   */
  allowedHosts?: string[];
  /**
   * Web origins trusted like the dashboard's own page (`https://dash.example.com`, when a proxy serves it
   * there): they may change state (run agents, import, forward, send spans) and open the live channel,
   * and get CORS answers. Every other page's state-changing request and socket is refused with 403.
   * @defaultValue []
   */
  allowedOrigins?: string[];
  /**
   * Web origins whose pages may send spans to `POST /v1/traces` (a browser app's OTLP exporter, as the
   * OpenTelemetry Collector's `cors.allowed_origins`): pre-flights are answered for them, and nothing else
   * is opened to them.
   * @defaultValue []
   */
  corsOrigins?: string[];
  /**
   * Listen on a non-loopback {@link host} without a token anyway, with a warning (through
   * {@link onWarning}) on every start. For a trusted network only.
   * @defaultValue false
   */
  insecure?: boolean;
  /**
   * Most OTLP requests in progress at once (being read, decoded or stored); past it `POST /v1/traces`
   * answers 503 with `Retry-After: 1`, which exporters retry. Caps ingest memory at about
   * `maxIngestQueue × maxBodyMb`.
   * @defaultValue 32
   */
  maxIngestQueue?: number;
  /**
   * Most spans kept in one trace; the trace's spans past it are dropped and counted (its summary's
   * `droppedSpans`, the store's `droppedSpans`, the OTLP answer's `partialSuccess`).
   * @defaultValue 100000
   */
  maxSpansPerTrace?: number;
  /**
   * Receives the server's warnings (an {@link insecure} start).
   * @defaultValue writes them to standard error
   */
  onWarning?: (message: string) => void;
  /**
   * TCP port to listen on; 0 picks a free one.
   * @defaultValue 16700
   */
  port?: number;
  /**
   * An SQLite file that keeps every span (through `node:sqlite`, in WAL mode), so traces survive a
   * restart; created when missing. Without it, traces are kept in memory only.
   * @defaultValue none (in memory)
   */
  db?: string;
  /**
   * Most spans kept; the least recently active whole traces are evicted past it. `Infinity` for no bound.
   * @defaultValue 200000 in memory; `Infinity` with {@link db}
   */
  maxSpans?: number;
  /**
   * Most traces kept; the least recently active are evicted past it (`--retention N`). `Infinity` for no bound.
   * @defaultValue 2000 in memory; `Infinity` with {@link db}
   */
  maxTraces?: number;
  /**
   * Longest a trace is kept after it last changed, in milliseconds (`--retention 7d`); older traces are
   * evicted, least recently active first, as spans arrive and once a minute.
   * @defaultValue `Infinity` (no age limit)
   */
  maxAgeMs?: number;
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
export type ResolvedDashboardServerOptions = Required<Omit<DashboardServerOptions, 'token' | 'db'>> & {
  token: string | undefined;
  db: string | undefined;
  /** The Host allow-list built from `host` and `allowedHosts`. */
  hostAllowList: HostAllowList;
  /** The origin rules built from `allowedOrigins` and `corsOrigins`. */
  originPolicy: OriginPolicy;
};

const KNOWN_OPTIONS = [
  'host', 'port', 'db', 'maxSpans', 'maxTraces', 'maxAgeMs', 'maxBodyMb', 'token', 'pageDir', 'tracesIntervalMs', 'forward', 'forwardBufferMb',
  'runRequestTimeoutMs', 'spansIntervalMs', 'allowedHosts', 'allowedOrigins', 'corsOrigins', 'insecure', 'maxIngestQueue',
  'maxSpansPerTrace', 'onWarning',
] as const satisfies ReadonlyArray<keyof DashboardServerOptions>;

/**
 * Merges options with their defaults and checks them.
 *
 * @throws {@link InvalidOptionError} naming the first bad option, what was expected and what was received.
 * @throws {@link UnsafeExposureError} for a non-loopback `host` without `token` or `insecure`.
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
  const db = given.db === undefined ? undefined : validateOption.nonEmptyString('db', given.db);
  const unbounded = db !== undefined;
  if (!Array.isArray(forward)) throw new InvalidOptionError('forward', 'an array of http(s) URLs', forward);
  const host = validateOption.nonEmptyString('host', given.host ?? DEFAULT_HOST);
  const token = given.token === undefined ? undefined : validateOption.nonEmptyString('token', given.token);
  const allowedHosts = stringList('allowedHosts', given.allowedHosts);
  const allowedOrigins = stringList('allowedOrigins', given.allowedOrigins);
  const corsOrigins = stringList('corsOrigins', given.corsOrigins);
  const insecure = given.insecure ?? false;
  if (typeof insecure !== 'boolean') throw new InvalidOptionError('insecure', 'a boolean', insecure);
  const resolved = {
    host,
    port: validateOption.integer('port', given.port ?? DEFAULT_PORT, 0, 65_535),
    db,
    maxSpans: validateOption.integerOrInfinity('maxSpans', given.maxSpans ?? (unbounded ? Number.POSITIVE_INFINITY : DEFAULT_MAX_SPANS), 1),
    maxTraces: validateOption.integerOrInfinity('maxTraces', given.maxTraces ?? (unbounded ? Number.POSITIVE_INFINITY : DEFAULT_MAX_TRACES), 1),
    maxAgeMs: validateOption.durationOrInfinity('maxAgeMs', given.maxAgeMs ?? Number.POSITIVE_INFINITY),
    maxBodyMb: validateOption.positive('maxBodyMb', given.maxBodyMb ?? DEFAULT_MAX_BODY_MB, 1024),
    token,
    pageDir: validateOption.nonEmptyString('pageDir', given.pageDir ?? fileURLToPath(new URL('../../dist/page/', import.meta.url))),
    tracesIntervalMs: validateOption.integer('tracesIntervalMs', given.tracesIntervalMs ?? DEFAULT_TRACES_INTERVAL_MS, 0),
    forward: forward.map((url, i) => validateOption.httpUrl(`forward[${i}]`, url)),
    forwardBufferMb: validateOption.positive('forwardBufferMb', given.forwardBufferMb ?? DEFAULT_FORWARD_BUFFER_MB, 4096),
    runRequestTimeoutMs: validateOption.integer('runRequestTimeoutMs', given.runRequestTimeoutMs ?? DEFAULT_RUN_REQUEST_TIMEOUT_MS, 1),
    spansIntervalMs: validateOption.integer('spansIntervalMs', given.spansIntervalMs ?? DEFAULT_SPANS_INTERVAL_MS, 0),
    allowedHosts,
    allowedOrigins,
    corsOrigins,
    insecure,
    maxIngestQueue: validateOption.integer('maxIngestQueue', given.maxIngestQueue ?? DEFAULT_MAX_INGEST_QUEUE, 1),
    maxSpansPerTrace: validateOption.integerOrInfinity('maxSpansPerTrace', given.maxSpansPerTrace ?? DEFAULT_MAX_SPANS_PER_TRACE, 1),
    onWarning: given.onWarning === undefined ? writeWarning : validateOption.func<(message: string) => void>('onWarning', given.onWarning),
    hostAllowList: new HostAllowList(host, allowedHosts),
    originPolicy: new OriginPolicy(allowedOrigins, corsOrigins),
  };
  // Checked last, so a typo in another option is reported first.
  if (!isLoopbackHost(host) && token === undefined && !insecure) throw new UnsafeExposureError(host);
  return resolved;
}

/** Whether a server with these options listens where other machines can reach it, without a token. */
export function isExposedWithoutToken(options: Pick<ResolvedDashboardServerOptions, 'host' | 'token'>): boolean {
  return !isLoopbackHost(options.host) && options.token === undefined;
}

function stringList(option: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new InvalidOptionError(option, 'an array of strings', value);
  return value.map((entry, i) => validateOption.nonEmptyString(`${option}[${i}]`, typeof entry === 'string' ? entry.trim() : entry));
}

function writeWarning(message: string): void {
  process.stderr.write(`overlap-dashboard: warning: ${message}\n`);
}
