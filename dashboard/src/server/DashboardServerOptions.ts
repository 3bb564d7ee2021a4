import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { InvalidOptionError } from './errors/InvalidOptionError.js';
import { DEFAULT_MAX_SPANS, DEFAULT_MAX_TRACES } from './store/TraceStore.js';

/** Default of {@link DashboardServerOptions.host}: loopback only, so nothing is exposed by accident. */
export const DEFAULT_HOST = '127.0.0.1';
/** Default of {@link DashboardServerOptions.port}; deliberately not one of Jaeger's (16686, 4317, 4318). */
export const DEFAULT_PORT = 16700;
/** Default of {@link DashboardServerOptions.maxBodyMb}. */
export const DEFAULT_MAX_BODY_MB = 16;
/** Default of {@link DashboardServerOptions.tracesIntervalMs}. */
export const DEFAULT_TRACES_INTERVAL_MS = 100;
/** Default of {@link DashboardServerOptions.spansIntervalMs}. */
export const DEFAULT_SPANS_INTERVAL_MS = 50;

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
   * Most frequent emission of `spans` events to clients watching a trace, in milliseconds.
   * @defaultValue 50
   */
  spansIntervalMs?: number;
}

/** {@link DashboardServerOptions} with every default applied. */
export type ResolvedDashboardServerOptions = Required<Omit<DashboardServerOptions, 'token'>> & { token: string | undefined };

const optionsSchema = z.strictObject({
  host: z.string({ error: 'expected a string' }).min(1, 'expected a non-empty host name or address').default(DEFAULT_HOST),
  port: z.number({ error: 'expected a number' }).int('expected an integer').min(0, 'expected a port from 0 to 65535').max(65_535, 'expected a port from 0 to 65535').default(DEFAULT_PORT),
  maxSpans: z.number({ error: 'expected a number' }).int('expected an integer').min(1, 'expected an integer >= 1').default(DEFAULT_MAX_SPANS),
  maxTraces: z.number({ error: 'expected a number' }).int('expected an integer').min(1, 'expected an integer >= 1').default(DEFAULT_MAX_TRACES),
  maxBodyMb: z.number({ error: 'expected a number' }).positive('expected a number of MiB > 0').max(1024, 'expected at most 1024 MiB').default(DEFAULT_MAX_BODY_MB),
  token: z.string({ error: 'expected a string' }).min(1, 'expected a non-empty string').optional(),
  pageDir: z.string({ error: 'expected a string' }).min(1, 'expected a directory path').default(fileURLToPath(new URL('../../dist/page/', import.meta.url))),
  tracesIntervalMs: z.number({ error: 'expected a number' }).int('expected an integer').min(0, 'expected an integer >= 0').default(DEFAULT_TRACES_INTERVAL_MS),
  forward: z
    .array(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as http://localhost:4318/v1/traces' }))
    .default([]),
  forwardBufferMb: z.number({ error: 'expected a number' }).positive('expected a number of MiB > 0').max(4096, 'expected at most 4096 MiB').default(32),
  runRequestTimeoutMs: z.number({ error: 'expected a number' }).int('expected an integer').min(1, 'expected an integer >= 1').default(5_000),
  spansIntervalMs: z.number({ error: 'expected a number' }).int('expected an integer').min(0, 'expected an integer >= 0').default(DEFAULT_SPANS_INTERVAL_MS),
});

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
  // Treat explicit undefined as "not given", as an options object built from flags often has them.
  const given = Object.fromEntries(Object.entries(options ?? {}).filter(([, value]) => value !== undefined));
  const parsed = optionsSchema.safeParse(given);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option = issue?.path.length ? issue.path.join('.') : 'options';
    const received = issue !== undefined && issue.path.length > 0 ? describe(issue.path.reduce<unknown>((value, key) => (value as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey], given)) : describe(options);
    const problem = issue?.code === 'unrecognized_keys' ? `unknown option ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` : (issue?.message ?? 'invalid');
    throw new InvalidOptionError(issue?.code === 'unrecognized_keys' ? 'options' : option, `${problem}, received ${received}`);
  }
  return { ...parsed.data, token: parsed.data.token };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
