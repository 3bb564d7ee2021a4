/**
 * The page's URLs, read and written in one place: every view the page can show has one, so a link shows
 * exactly what was seen, and the browser's back and forward buttons move between them.
 *
 * | URL (under the page's base, `/` by default) | shows |
 * | --- | --- |
 * | `/` | the newest trace, following new ones ("follow latest" on) |
 * | `/traces/<traceId>` | that trace, "follow latest" off |
 * | `/traces/<traceId>?follow=1` | that trace, and each newer one as it arrives |
 * | `…?span=<spanId>` | with that span selected (its details pinned) |
 * | `/compare/<a>/<b>` | runs A and B side by side, A the baseline |
 * | `…?agent=&service=&outcome=&minDurationMs=&since=&until=` | the trace list filtered so |
 *
 * The same routes work after `#` (`/#/traces/<traceId>?span=…`), for servers that serve the page only at
 * its root; a page opened that way keeps using the hash form. The URLs the page writes never carry the
 * token: `index.html` takes it out of the address bar at load and keeps it for the tab (see `readPageConfig`).
 *
 * Pure: no DOM, no `window`; the page passes its `location` in and applies what comes back.
 *
 * @packageDocumentation
 */
import { Outcome, TRACE_ID_PATTERN } from '@overlap/shared';

/** The trace list's filter, as in the URL and in `GET /api/traces`'s query. */
export interface TraceListFilter {
  readonly agent?: string;
  readonly service?: string;
  readonly outcome?: Outcome;
  /** Milliseconds. */
  readonly minDurationMs?: number;
  /** A time as `GET /api/traces` reads it: an ISO 8601 date, or milliseconds since the epoch. */
  readonly since?: string;
  readonly until?: string;
}

/** What the page shows. */
export type PageRoute =
  | {
      readonly view: 'trace';
      /** Undefined: the newest (with `follow`), or nothing yet. */
      readonly traceId?: string;
      /** The span whose details are pinned. */
      readonly spanId?: string;
      /** "Follow latest": select each new newest trace as it arrives. */
      readonly follow: boolean;
      readonly filter: TraceListFilter;
    }
  | { readonly view: 'compare'; readonly a: string; readonly b: string; readonly filter: TraceListFilter };

/** Whether the route is written in the path (`/traces/…`) or after `#` (`/#/traces/…`). */
export type RouteMode = 'path' | 'hash';

/** The filter keys, in the order the URL lists them. */
export const FILTER_KEYS = ['agent', 'service', 'outcome', 'minDurationMs', 'since', 'until'] as const;

const OUTCOMES: ReadonlySet<string> = new Set(Object.values(Outcome));
const ROUTE_TAIL = /(?:traces\/[^/]+|compare\/[^/]+\/[^/]+)\/?$/;
const TIME = /^\d+(\.\d+)?$/;

/**
 * The page's base path: its pathname without the route at its end (`/traces/…`, `/compare/…/…`).
 *
 * @example
 * ```ts
 * routeBase('/traces/4bf92f3577b34da6a3ce929d0e0e4736'); // '/'
 * routeBase('/dashboard/compare/aa…/bb…'); // '/dashboard/'
 * ```
 */
export function routeBase(pathname: string): string {
  const base = pathname.replace(ROUTE_TAIL, '');
  return base.endsWith('/') ? base : base.slice(0, base.lastIndexOf('/') + 1) || '/';
}

/**
 * Reads the route of a page URL. Unknown paths read as `/`; filter values that are not valid are left
 * out (a hand-edited URL cannot break the page); trace and span ids are lowercased.
 *
 * @example
 * ```ts
 * parseRoute(new URL('http://h/traces/AB…?span=0f…&agent=support')).route;
 * // { view: 'trace', traceId: 'ab…', spanId: '0f…', follow: false, filter: { agent: 'support' } }
 * ```
 */
export function parseRoute(url: URL): { route: PageRoute; mode: RouteMode; base: string } {
  const base = routeBase(url.pathname);
  const hashed = url.hash.startsWith('#/');
  const inner = hashed ? new URL(url.hash.slice(1), 'http://route.invalid') : url;
  const path = hashed ? inner.pathname : `/${url.pathname.slice(base.length)}`;
  const params = inner.searchParams;
  const filter = readFilter(params);
  const mode: RouteMode = hashed ? 'hash' : 'path';
  const compare = /^\/compare\/([^/]+)\/([^/]+)\/?$/.exec(path);
  if (compare !== null) return { route: { view: 'compare', a: decodeId(compare[1]!), b: decodeId(compare[2]!), filter }, mode, base };
  const trace = /^\/traces\/([^/]+)\/?$/.exec(path);
  const span = params.get('span');
  if (trace !== null) {
    return {
      route: { view: 'trace', traceId: decodeId(trace[1]!), ...(span ? { spanId: span.toLowerCase() } : {}), follow: params.get('follow') === '1', filter },
      mode,
      base,
    };
  }
  return { route: { view: 'trace', follow: params.get('follow') !== '0', filter }, mode, base };
}

/**
 * The URL of a route, relative to the origin: `{base}traces/{id}?span=…` (or `{base}#/traces/…` in hash
 * mode), with the filter; never with the token, which stays out of the address bar.
 *
 * @example
 * ```ts
 * routeHref({ view: 'compare', a, b, filter: {} }, '/', 'path'); // `/compare/${a}/${b}`
 * ```
 */
export function routeHref(route: PageRoute, base: string, mode: RouteMode): string {
  const params = new URLSearchParams();
  let path = '';
  if (route.view === 'compare') {
    path = `compare/${encodeURIComponent(route.a)}/${encodeURIComponent(route.b)}`;
  } else if (route.traceId !== undefined) {
    path = `traces/${encodeURIComponent(route.traceId)}`;
    if (route.follow) params.set('follow', '1');
    if (route.spanId !== undefined) params.set('span', route.spanId);
  } else if (!route.follow) {
    params.set('follow', '0');
  }
  for (const key of FILTER_KEYS) {
    const value = route.filter[key];
    if (value !== undefined) params.set(key, String(value));
  }
  const query = params.toString();
  if (mode === 'hash') return `${base}${path === '' && query === '' ? '' : `#/${path}${query === '' ? '' : `?${query}`}`}`;
  return `${base}${path}${query === '' ? '' : `?${query}`}`;
}

/** Whether two filters ask for the same traces. */
export function sameFilter(a: TraceListFilter, b: TraceListFilter): boolean {
  return FILTER_KEYS.every((key) => a[key] === b[key]);
}

/** Whether the filter asks for anything. */
export function isFiltered(filter: TraceListFilter): boolean {
  return FILTER_KEYS.some((key) => filter[key] !== undefined);
}

/** The filter's query parameters for `GET /api/traces`. */
export function filterQuery(filter: TraceListFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filter[key];
    if (value !== undefined) params.set(key, String(value));
  }
  return params;
}

function readFilter(params: URLSearchParams): TraceListFilter {
  const filter: { -readonly [K in keyof TraceListFilter]: TraceListFilter[K] } = {};
  const text = (name: string): string | undefined => {
    const value = params.get(name)?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const agent = text('agent');
  if (agent !== undefined) filter.agent = agent;
  const service = text('service');
  if (service !== undefined) filter.service = service;
  const outcome = text('outcome');
  if (outcome !== undefined && OUTCOMES.has(outcome)) filter.outcome = outcome as Outcome;
  const minDuration = text('minDurationMs');
  if (minDuration !== undefined && TIME.test(minDuration)) filter.minDurationMs = Number(minDuration);
  for (const key of ['since', 'until'] as const) {
    const value = text(key);
    if (value !== undefined && (TIME.test(value) || Number.isFinite(Date.parse(value)))) filter[key] = value;
  }
  return filter;
}

function decodeId(raw: string): string {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    id = raw;
  }
  return TRACE_ID_PATTERN.test(id.toLowerCase()) ? id.toLowerCase() : id;
}
