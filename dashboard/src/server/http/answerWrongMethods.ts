import type { Request, Response, Router } from 'express';
import { sendRefusal } from './sendRefusal.js';

/**
 * Completes a router's method table: for every path it routes, a request with a method the path does not
 * handle gets 405 `method_not_allowed` with `Allow` listing the ones it does (in the route's error format:
 * a `google.rpc.Status` on `/v1/traces`), and `OPTIONS` gets 204 with the same `Allow`. `GET` routes
 * answer `HEAD` too, as Express does. Call it after the router's routes are registered; routes added later
 * are not covered.
 *
 * @returns the same router.
 *
 * @example
 * ```ts
 * app.use('/api', answerWrongMethods(traceRoutes(store, summaries)));
 * // PUT /api/traces -> 405, Allow: GET, HEAD, OPTIONS
 * ```
 */
export function answerWrongMethods<T extends Router>(router: T): T {
  const methodsByPath = new Map<string, Set<string>>();
  for (const layer of router.stack) {
    const route = layer.route;
    if (route === undefined) continue;
    // A route may serve several paths (`router.get(['/', '/traces/:traceId'], ...)`).
    const routePath: unknown = route.path;
    const paths = (Array.isArray(routePath) ? routePath : [routePath]).filter((path): path is string => typeof path === 'string');
    for (const path of paths) {
      let methods = methodsByPath.get(path);
      if (methods === undefined) {
        methods = new Set();
        methodsByPath.set(path, methods);
      }
      for (const handler of route.stack) {
        const method = handler.method?.toUpperCase();
        if (method === undefined || method === '_ALL') continue;
        methods.add(method);
        if (method === 'GET') methods.add('HEAD');
      }
    }
  }
  for (const [path, methods] of methodsByPath) {
    if (methods.size === 0) continue;
    methods.add('OPTIONS');
    const allow = [...methods].join(', ');
    router.all(path, (req: Request, res: Response) => {
      res.setHeader('Allow', allow);
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
      // The body, if any, is not read.
      res.setHeader('Connection', 'close');
      sendRefusal(req, res, 405, 'method_not_allowed', `${req.method} is not allowed on ${req.originalUrl.split('?')[0]}: use ${allow}`);
    });
  }
  return router;
}
