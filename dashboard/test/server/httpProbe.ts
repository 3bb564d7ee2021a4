// Raw HTTP and socket.io probes for the security tests: Node's http client, so a test can send any Host,
// Origin or Sec-Fetch-Site header (fetch will not set Host), and socket.io clients that present an Origin
// the way a browser page would.
import { request as httpRequest } from 'node:http';
import { io as connect } from 'socket.io-client';
import type { Socket } from 'socket.io-client';

/** What {@link probe} received. */
export interface ProbeAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Sends one request to `url` (its path and query) with exactly these headers and body. */
export function probe(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<ProbeAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The `{ error: { code, message } }` of a JSON answer. */
export function errorOf(answer: ProbeAnswer): { code: string; message: string } {
  return (JSON.parse(answer.text) as { error: { code: string; message: string } }).error;
}

/** How a socket.io connection attempt ended. */
export type SocketOutcome = { connected: true; socket: Socket } | { connected: false; message: string };

/**
 * Opens a socket.io client on `namespace` with one transport and the given extra handshake headers
 * (`origin`, `host`), and resolves once it connects or fails. Connected sockets are the caller's to close.
 */
export function tryConnect(
  baseUrl: string,
  namespace: '' | 'runners',
  transport: 'websocket' | 'polling',
  headers: Record<string, string>,
  auth: Record<string, unknown> = {},
): Promise<SocketOutcome> {
  const socket = connect(`${baseUrl}${namespace}`, { transports: [transport], forceNew: true, reconnection: false, extraHeaders: headers, auth, timeout: 10_000 });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ connected: true, socket }));
    socket.once('connect_error', (error: Error & { description?: unknown; context?: unknown }) => {
      socket.close();
      resolve({ connected: false, message: error.message });
    });
  });
}
