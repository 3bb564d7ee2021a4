import type { IncomingMessage } from 'node:http';

/** A request body read as JSON: its value (undefined when empty), or why it could not be read. */
export type JsonBodyResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

/**
 * Reads a request's body and parses it as JSON; an empty body is `undefined`. A body over `maxBytes`
 * is read to its end (so the connection stays usable) but not kept, and reported as too large.
 *
 * @example
 * ```ts
 * const body = await readJsonBody(request, 256 * 1024);
 * if (!body.ok) sendJson(response, 400, { error: 'bad_request', message: body.message });
 * ```
 */
export function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<JsonBodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    request.on('error', reject);
    request.on('end', () => {
      if (size > maxBytes) return resolve({ ok: false, message: `the body is larger than ${maxBytes} bytes` });
      if (size === 0) return resolve({ ok: true, value: undefined });
      try {
        resolve({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      } catch {
        resolve({ ok: false, message: 'the body is not JSON' });
      }
    });
  });
}
