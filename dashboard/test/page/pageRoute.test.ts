import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readPageConfig } from '../../src/page/api/pageConfig.js';
import { parseRoute, routeBase, routeHref } from '../../src/page/route/pageRoute.js';
import type { PageRoute, RouteMode } from '../../src/page/route/pageRoute.js';

const A = '4bf92f3577b34da6a3ce929d0e0e4736';
const B = '00f067aa0ba902b700f067aa0ba902b7';

describe('pageRoute', () => {
  it('parseRoute() - reads the trace, the span, follow, the comparison and the filter, in the path or after #', () => {
    expect(parseRoute(new URL(`http://h/traces/${A.toUpperCase()}?span=00F067AA0BA902B7&agent=support&outcome=timeout&minDurationMs=250`)).route).toEqual({
      view: 'trace',
      traceId: A,
      spanId: '00f067aa0ba902b7',
      follow: false,
      filter: { agent: 'support', outcome: 'timeout', minDurationMs: 250 },
    });
    expect(parseRoute(new URL(`http://h/traces/${A}?follow=1`)).route).toMatchObject({ traceId: A, follow: true });
    expect(parseRoute(new URL('http://h/')).route).toEqual({ view: 'trace', follow: true, filter: {} });
    expect(parseRoute(new URL(`http://h/compare/${A}/${B}?service=api`))).toEqual({ route: { view: 'compare', a: A, b: B, filter: { service: 'api' } }, mode: 'path', base: '/' });
    expect(parseRoute(new URL(`http://h/dash/?token=t#/traces/${A}?span=0123456789abcdef`))).toEqual({
      route: { view: 'trace', traceId: A, spanId: '0123456789abcdef', follow: false, filter: {} },
      mode: 'hash',
      base: '/dash/',
    });
  });

  it('parseRoute() - leaves out filter values that are not valid, so a hand-edited URL cannot break the page', () => {
    expect(parseRoute(new URL('http://h/?outcome=great&minDurationMs=-3&since=yesterday&until=1764072000000&agent=')).route).toEqual({
      view: 'trace',
      follow: true,
      filter: { until: '1764072000000' },
    });
  });

  it('routeHref() and parseRoute() - write a URL that reads back as the same route, and never carries the token', () => {
    const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
    const filter = fc.record(
      {
        agent: fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && s !== ''),
        service: fc.constantFrom('api', 'billing & co', 'ünïcode/α'),
        outcome: fc.constantFrom('ok', 'error', 'timeout', 'cancelled', 'rejected' as const),
        minDurationMs: fc.integer({ min: 0, max: 100_000 }),
        since: fc.constantFrom('2026-01-02T03:04:05.000Z', '1764072000000'),
        until: fc.constantFrom('2026-02-02T00:00:00.000Z'),
      },
      { requiredKeys: [] },
    );
    const route: fc.Arbitrary<PageRoute> = fc.oneof(
      fc.record({ view: fc.constant('trace' as const), traceId: hex(32), spanId: hex(16), follow: fc.boolean(), filter }, { requiredKeys: ['view', 'traceId', 'follow', 'filter'] }),
      fc.record({ view: fc.constant('trace' as const), follow: fc.boolean(), filter }),
      fc.record({ view: fc.constant('compare' as const), a: hex(32), b: hex(32), filter }),
    );
    fc.assert(
      fc.property(route, fc.constantFrom<RouteMode>('path', 'hash'), fc.constantFrom('/', '/dashboard/'), fc.option(fc.constantFrom('s3cret', 'a b&c'), { nil: undefined }), (r, mode, base, token) => {
        const url = new URL(routeHref(r, base, mode), 'http://host');
        expect(parseRoute(url)).toEqual({ route: r, mode, base });
        expect(url.searchParams.has('token')).toBe(false);
        // The token the page was given at load (kept for the tab by index.html) is the one it uses.
        expect(readPageConfig(url, token)).toEqual({ baseUrl: new URL(base, 'http://host'), token });
      }),
      { numRuns: 300 },
    );
  });

  it('routeBase() - is the page\'s directory without the route after it', () => {
    expect(routeBase('/')).toBe('/');
    expect(routeBase(`/traces/${A}`)).toBe('/');
    expect(routeBase(`/x/y/compare/${A}/${B}/`)).toBe('/x/y/');
    expect(routeBase('/index.html')).toBe('/');
  });
});
