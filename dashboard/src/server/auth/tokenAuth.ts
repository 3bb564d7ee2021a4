import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Socket } from 'socket.io';

/**
 * Compares a presented token with the expected one in constant time (both are hashed first, so their
 * lengths do not leak either).
 *
 * @example
 * ```ts
 * tokenMatches('s3cret', req.headers['x-token']); // true or false
 * ```
 */
export function tokenMatches(expected: string, presented: unknown): boolean {
  if (typeof presented !== 'string') return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}

/** The token a request presents: `Authorization: Bearer <token>`, else the `token` query parameter. */
export function tokenOfRequest(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match?.[1] !== undefined) return match[1].trim();
  }
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
  return query ?? undefined;
}

/**
 * Express middleware that lets a request through only when it presents `token`; otherwise it calls
 * `reject` (which answers 401 in the route's own error format) after setting `WWW-Authenticate`.
 *
 * @example
 * ```ts
 * app.use(requireHttpToken('s3cret', (req, res) => res.status(401).json({ error: { code: 'unauthorized', message: '...' } })));
 * ```
 */
export function requireHttpToken(
  token: string,
  reject: (req: Request, res: Response) => void,
): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    if (tokenMatches(token, tokenOfRequest(req))) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="overlap-dashboard"');
    reject(req, res);
  };
}

/**
 * socket.io middleware that admits a connection only when it presents `token` in `auth.token` (or, for
 * clients that cannot set `auth`, an `Authorization: Bearer` header or `?token=` on the handshake).
 *
 * @example
 * ```ts
 * io.use(requireSocketToken('s3cret'));
 * io.of('/runners').use(requireSocketToken('s3cret'));
 * ```
 */
export function requireSocketToken(token: string): (socket: Socket, next: (error?: Error) => void) => void {
  return (socket, next) => {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const presented = auth?.token ?? tokenOfRequest(socket.request);
    if (tokenMatches(token, presented)) return next();
    const error = new Error('unauthorized: a valid token is required') as Error & { data?: unknown };
    error.data = { code: 'unauthorized' };
    next(error);
  };
}
