import type { NextFunction, Request, Response } from 'express';
import type { ApiErrorBody } from '@overlap/shared';
import { isHttpError } from '../errors/HttpError.js';
import { bodyParserFailure } from './bodyParserErrors.js';

/**
 * Sends `{ error: { code, message } }` with the given status.
 *
 * @example
 * ```ts
 * sendJsonError(res, 404, 'not_found', `no trace ${traceId}`);
 * ```
 */
export function sendJsonError(res: Response, status: number, code: string, message: string): void {
  const body: ApiErrorBody = { error: { code, message } };
  res.status(status).type('application/json').send(JSON.stringify(body));
}

/**
 * Express error handler of the REST API: an `HttpError` becomes its status and code, a refusal of
 * express's body parsers its status and code (see {@link bodyParserFailure}), anything else a 500 `internal`.
 */
export function jsonErrorHandler(error: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(error);
    return;
  }
  if (isHttpError(error)) {
    // A body refused for its size may not have been read to its end: do not reuse the connection.
    if (error.status === 413) res.setHeader('Connection', 'close');
    sendJsonError(res, error.status, error.code, error.message);
    return;
  }
  const failure = bodyParserFailure(error);
  if (failure !== undefined) {
    if (failure.status === 413) res.setHeader('Connection', 'close');
    sendJsonError(res, failure.status, failure.code, failure.message);
    return;
  }
  const status = typeof (error as { status?: unknown })?.status === 'number' ? (error as { status: number }).status : 500;
  if (status >= 400 && status < 500) {
    sendJsonError(res, status, status === 413 ? 'payload_too_large' : 'bad_request', error instanceof Error ? error.message : String(error));
    return;
  }
  console.error('overlap-dashboard: unexpected error', error);
  sendJsonError(res, 500, 'internal', 'internal server error');
}

/** Express handler for routes that do not exist: 404 `not_found`. */
export function jsonNotFound(req: Request, res: Response): void {
  sendJsonError(res, 404, 'not_found', `no route ${req.method} ${req.path}`);
}
