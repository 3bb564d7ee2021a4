import type { NextFunction, Request, Response } from 'express';
import { isOtlpTracesRequest, sendRefusal } from '../http/sendRefusal.js';
import type { OriginPolicy } from './OriginPolicy.js';
import { RefusalCode, originRefusalMessage } from './refusalMessages.js';

/** How long a browser may reuse a pre-flight answer, in seconds. */
export const CORS_MAX_AGE_S = 600;

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

/**
 * Express middleware for browsers on other origins: answers CORS pre-flights (`OPTIONS` with
 * `Access-Control-Request-Method`) and adds `Access-Control-Allow-Origin` to the answers, for the origins
 * the {@link OriginPolicy} trusts: `corsOrigins` on `/v1/traces` (a browser app's OTLP exporter, as the
 * Collector's `cors.allowed_origins`), `allowedOrigins` everywhere. A pre-flight from any other origin is
 * refused with 403 `origin_not_allowed`, so the browser never sends the request. Pre-flights carry no
 * credentials, so this runs before the token check.
 *
 * @example
 * ```ts
 * app.use(answerCors(new OriginPolicy([], ['http://localhost:5173'])));
 * ```
 */
export function answerCors(origins: OriginPolicy): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && origin !== undefined && req.headers['access-control-request-method'] !== undefined;
    if (origin === undefined) {
      next();
      return;
    }
    const ingest = isOtlpTracesRequest(req);
    const source = origins.classify(origin, req.headers.host);
    const allowed = source === 'allowed-origin' || (source === 'cors-origin' && ingest);
    if (allowed) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
    }
    res.append('Vary', 'Origin');
    if (!preflight) {
      next();
      return;
    }
    if (!allowed) {
      if (source === 'same-origin') {
        // A page never pre-flights its own origin; nothing to grant.
        res.status(204).end();
        return;
      }
      sendRefusal(req, res, 403, RefusalCode.ORIGIN_NOT_ALLOWED, originRefusalMessage(origin, `a ${String(req.headers['access-control-request-method'])} request to ${req.path}`, ingest));
      return;
    }
    const requested = String(req.headers['access-control-request-headers'] ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => HEADER_NAME.test(name));
    res.setHeader('Access-Control-Allow-Methods', ingest && source === 'cors-origin' ? 'POST' : 'GET, HEAD, POST, PUT, DELETE');
    if (requested.length > 0) res.setHeader('Access-Control-Allow-Headers', requested.join(', '));
    res.setHeader('Access-Control-Max-Age', String(CORS_MAX_AGE_S));
    res.append('Vary', 'Access-Control-Request-Method, Access-Control-Request-Headers');
    res.status(204).end();
  };
}
