import { InvalidOptionError } from '@overlap/shared';

/** Where a request comes from, as {@link OriginPolicy.classify} sees it. */
export type RequestSource =
  /** No browser page involved: no `Origin` header and no cross-site fetch metadata (a Node exporter, curl, a runner). */
  | 'no-browser'
  /** A page of the dashboard itself (same scheme-less host and port as the request's `Host`). */
  | 'same-origin'
  /** A page on an origin listed in `allowedOrigins`: trusted like the dashboard's own page. */
  | 'allowed-origin'
  /** A page on an origin listed in `corsOrigins` only: may send spans to `/v1/traces`, nothing else. */
  | 'cors-origin'
  /** Any other page, or an opaque (`null`) origin. */
  | 'foreign';

/**
 * Reads an origin as given in an option (`https://app.example.com`, `http://localhost:5173`) into its
 * serialised form: lowercase scheme and host, default port dropped, no path.
 *
 * @returns `undefined` when it is not an http(s) origin.
 *
 * @example
 * ```ts
 * normalizeOrigin('HTTP://LocalHost:80'); // 'http://localhost'
 * normalizeOrigin('null');                // undefined
 * ```
 */
export function normalizeOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') return undefined;
  return url.origin;
}

/**
 * Decides which web pages may change state (run an agent, import, forward, send spans) or open the live
 * channel. A browser sends `Origin` with every `POST`, `PUT` and `DELETE` and with every WebSocket and
 * socket.io handshake, and a page cannot forge it; servers and command-line clients send none. So:
 * no `Origin` passes (the runner's exporters and live channel, `overlap import`, curl), the dashboard's
 * own page passes (its origin's host and port are the request's `Host`), origins listed in
 * `allowedOrigins` pass, origins listed in `corsOrigins` pass for OTLP ingest only, and every other
 * page is refused. Jupyter checks `Origin` the same way (`allow_origin`); the OpenTelemetry Collector
 * takes its browser senders as `cors.allowed_origins`.
 *
 * @example
 * ```ts
 * const origins = new OriginPolicy([], ['http://localhost:5173']);
 * origins.classify('http://127.0.0.1:16700', '127.0.0.1:16700'); // 'same-origin'
 * origins.classify('http://localhost:5173', '127.0.0.1:16700');  // 'cors-origin'
 * origins.classify('https://evil.example', '127.0.0.1:16700');   // 'foreign'
 * ```
 */
export class OriginPolicy {
  readonly #allowed: Set<string>;
  readonly #cors: Set<string>;

  /**
   * @throws {@link InvalidOptionError} naming `allowedOrigins[i]` or `corsOrigins[i]` for an entry that is
   * not an http(s) origin.
   */
  constructor(allowedOrigins: readonly string[], corsOrigins: readonly string[]) {
    this.#allowed = new Set(allowedOrigins.map((origin, i) => checkedOrigin('allowedOrigins', i, origin)));
    this.#cors = new Set(corsOrigins.map((origin, i) => checkedOrigin('corsOrigins', i, origin)));
  }

  /** The origins trusted like the page's own, normalised. */
  get allowedOrigins(): string[] {
    return [...this.#allowed];
  }

  /** The origins allowed to send spans from a browser, normalised. */
  get corsOrigins(): string[] {
    return [...this.#cors];
  }

  /**
   * Classifies a request by its `Origin` header, its `Host` header and (when it has no `Origin`) its
   * `Sec-Fetch-Site` header.
   */
  classify(originHeader: string | undefined, hostHeader: string | undefined, secFetchSite?: string | undefined): RequestSource {
    if (originHeader === undefined) {
      // Browsers send Origin on every request that changes state; fetch metadata without one still says
      // "another site" when that is what it was.
      return secFetchSite === 'cross-site' || secFetchSite === 'same-site' ? 'foreign' : 'no-browser';
    }
    const origin = normalizeOrigin(originHeader);
    if (origin === undefined) return 'foreign';
    if (hostHeader !== undefined && sameHost(origin, hostHeader)) return 'same-origin';
    if (this.#allowed.has(origin)) return 'allowed-origin';
    if (this.#cors.has(origin)) return 'cors-origin';
    return 'foreign';
  }
}

function checkedOrigin(option: string, index: number, value: unknown): string {
  const origin = typeof value === 'string' ? normalizeOrigin(value) : undefined;
  if (origin === undefined) throw new InvalidOptionError(`${option}[${index}]`, 'an http(s) origin such as http://localhost:5173 (scheme, host and port; no path)', value);
  return origin;
}

/** Whether the origin's host and port are the request's `Host` (its scheme may be https behind a proxy). */
function sameHost(origin: string, hostHeader: string): boolean {
  let requested: URL;
  try {
    requested = new URL(`http://${hostHeader}`);
  } catch {
    return false;
  }
  const url = new URL(origin);
  const port = (u: URL): string => u.port || (u.protocol === 'https:' ? '443' : '80');
  return url.hostname === requested.hostname && (url.port === requested.port || port(url) === (requested.port || '80'));
}
