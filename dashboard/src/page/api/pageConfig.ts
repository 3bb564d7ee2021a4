import { routeBase } from '../route/pageRoute.js';

/** Where the page talks to, read from its own URL. */
export interface PageConfig {
  /** The server's base URL, ending with `/`: the page's own directory, without a route (`traces/…`) after it. */
  readonly baseUrl: URL;
  /** The `?token=` the page was opened with, passed on to REST calls and the socket. */
  readonly token: string | undefined;
}

/**
 * Reads the page's configuration from its URL: the server is where the page came from, and a token
 * given as `?token=` on the page URL is used for every request (the server asks for it on every route
 * and socket when it runs with one).
 *
 * @example
 * ```ts
 * const { baseUrl, token } = readPageConfig(new URL(location.href));
 * ```
 */
export function readPageConfig(pageUrl: URL): PageConfig {
  const token = pageUrl.searchParams.get('token');
  const baseUrl = new URL(routeBase(pageUrl.pathname), pageUrl);
  baseUrl.search = '';
  baseUrl.hash = '';
  return { baseUrl, token: token === null || token === '' ? undefined : token };
}

/**
 * A URL under the server's base with the token added as `?token=`, for requests that cannot carry an
 * `Authorization` header (script and worker URLs).
 *
 * @example
 * ```ts
 * new Worker(withToken(new URL('assets/analysis-worker.js', baseUrl), token), { type: 'module' });
 * ```
 */
export function withToken(url: URL, token: string | undefined): URL {
  const copy = new URL(url);
  if (token !== undefined) copy.searchParams.set('token', token);
  return copy;
}
