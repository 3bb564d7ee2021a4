import type { NextFunction, Request, Response } from 'express';
import { sendJsonError } from './jsonErrors.js';

/**
 * Express middleware for routes that take a body: refuses with 415 `unsupported_media_type` a request
 * whose `Content-Type` is not one of `mediaTypes` (parameters such as `charset` ignored), before the body
 * is read. Listing no CORS-safelisted type (`text/plain`, `application/x-www-form-urlencoded`,
 * `multipart/form-data`) means a browser must pre-flight any request another site's page makes here, and
 * the pre-flight is refused: a form or a `no-cors` fetch cannot reach the route.
 *
 * @example
 * ```ts
 * router.post('/agents/run', requireMediaType(['application/json']), express.json({ type: 'application/json' }), handler);
 * ```
 */
export function requireMediaType(mediaTypes: readonly string[]): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const received = req.headers['content-type'];
    const mediaType = (received ?? '').split(';')[0]?.trim().toLowerCase();
    if (mediaType !== undefined && mediaTypes.includes(mediaType)) {
      next();
      return;
    }
    res.setHeader('Connection', 'close');
    const shown = received === undefined ? 'none' : JSON.stringify(received.slice(0, 200));
    sendJsonError(res, 415, 'unsupported_media_type', `Content-Type must be ${mediaTypes.join(' or ')}, received ${shown}`);
  };
}
