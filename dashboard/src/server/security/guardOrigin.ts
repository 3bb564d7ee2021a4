import type { NextFunction, Request, Response } from 'express';
import { isOtlpTracesRequest, sendRefusal } from '../http/sendRefusal.js';
import type { OriginPolicy } from './OriginPolicy.js';
import { RefusalCode, originRefusalMessage } from './refusalMessages.js';

/** Methods that only read: a page on another origin cannot read their answers (no CORS), so they need no Origin check. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Express middleware that refuses, with 403 `origin_not_allowed`, every state-changing request (`POST`,
 * `PUT`, `DELETE`, `PATCH`...) sent by a web page the {@link OriginPolicy} does not trust: only the
 * dashboard's own page, `allowedOrigins`, and (for `POST /v1/traces` only) `corsOrigins` pass; requests
 * without a browser behind them (no `Origin`) pass too.
 *
 * @example
 * ```ts
 * app.use(guardOrigin(new OriginPolicy([], [])));
 * ```
 */
export function guardOrigin(origins: OriginPolicy): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    const ingest = isOtlpTracesRequest(req);
    const source = origins.classify(req.headers.origin, req.headers.host, headerOf(req, 'sec-fetch-site'));
    if (source === 'no-browser' || source === 'same-origin' || source === 'allowed-origin' || (source === 'cors-origin' && ingest)) {
      next();
      return;
    }
    // The body is not read: do not leave it on a connection that could be reused.
    res.setHeader('Connection', 'close');
    sendRefusal(req, res, 403, RefusalCode.ORIGIN_NOT_ALLOWED, originRefusalMessage(req.headers.origin, `${req.method} ${req.path}`, ingest));
  };
}

function headerOf(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
}
