import { routeBase } from '../route/pageRoute.js';

/** Where the page talks to, read from its own URL. */
export interface PageConfig {
  /** The server's base URL, ending with `/`: the page's own directory, without a route (`traces/…`) after it. */
  readonly baseUrl: URL;
  /** The `?token=` the page was opened with, passed on to REST calls, downloads and the socket. */
  readonly token: string | undefined;
}

/**
 * Reads the page's configuration: the server is where the page came from, and the token is the one the
 * page was opened with (`?token=`), which `index.html` takes out of the address bar at once and passes on
 * as `token`; a `?token=` still in `pageUrl` wins. The page sends it with every request (the server asks
 * for it on every route and socket when it runs with one).
 *
 * @example
 * ```ts
 * const { baseUrl, token } = readPageConfig(new URL(location.href), window.__overlapPageToken);
 * ```
 */
export function readPageConfig(pageUrl: URL, token?: string): PageConfig {
  const fromUrl = pageUrl.searchParams.get('token');
  const baseUrl = new URL(routeBase(pageUrl.pathname), pageUrl);
  baseUrl.search = '';
  baseUrl.hash = '';
  const chosen = fromUrl !== null && fromUrl !== '' ? fromUrl : token;
  return { baseUrl, token: chosen === undefined || chosen === '' ? undefined : chosen };
}
