import type { ServerResponse } from 'node:http';

/**
 * Answers with a JSON body and its length; does nothing when the connection is already gone.
 *
 * @example
 * ```ts
 * sendJson(response, 429, { error: 'rate_limited' }, { 'retry-after': '1' });
 * ```
 */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (response.destroyed) return;
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}
