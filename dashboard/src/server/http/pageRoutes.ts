import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router } from 'express';

/** What `GET /` answers when the page has not been built. */
export const PAGE_NOT_BUILT_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Overlap dashboard</title></head>
<body>
<h1>Overlap dashboard</h1>
<p>The browser page is not built. Run <code>npm run build -w @overlap/dashboard</code> and reload.</p>
<p>The server is running: OTLP/HTTP traces go to <code>POST /v1/traces</code>, and the REST API is under <code>/api</code>.</p>
</body>
</html>
`;

/** The page's own URLs besides `/`: a trace (`/traces/<traceId>`) and a comparison (`/compare/<a>/<b>`). */
export const PAGE_ROUTES = ['/traces/:traceId', '/compare/:a/:b'] as const;

/**
 * Whether a request is for the page itself (`/`, its routes, its assets), which holds no data: the
 * page asks the API, with the token, for everything.
 */
export function isPageRequest(method: string, path: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return path === '/' || path.startsWith('/assets/') || /^\/traces\/[^/]+\/?$/.test(path) || /^\/compare\/[^/]+\/[^/]+\/?$/.test(path);
}

/**
 * Serves the browser page: `GET /` and the page's routes (`/traces/<traceId>`, `/compare/<a>/<b>`, so a
 * link to a trace or a comparison opens the page showing it) send `index.html` from `pageDir`, and
 * `/assets/*` its files, when the page is built; otherwise they answer a short HTML note saying so. The
 * directory is looked at on each request, so building the page while the server runs works.
 *
 * @example
 * ```ts
 * app.use(pageRoutes('/path/to/dashboard/dist/page'));
 * ```
 */
export function pageRoutes(pageDir: string): Router {
  const router = Router();
  const indexPath = join(pageDir, 'index.html');
  router.get(['/', ...PAGE_ROUTES], (_req, res) => {
    if (existsSync(indexPath)) {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(indexPath);
    } else {
      res.status(200).type('text/html').send(PAGE_NOT_BUILT_HTML);
    }
  });
  router.use('/assets', express.static(join(pageDir, 'assets'), { fallthrough: true, index: false }));
  return router;
}
