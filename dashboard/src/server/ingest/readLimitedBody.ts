import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';
import { HttpError } from '../errors/HttpError.js';

/**
 * Reads a request body into one buffer, inflating `Content-Encoding: gzip`, and refuses it with a 413
 * {@link HttpError} as soon as either the bytes received or the bytes inflated pass `maxBytes`. Inflation
 * is streamed and stopped at the limit, so a gzip bomb never allocates much more than `maxBytes`.
 *
 * @throws {@link HttpError} 413 `payload_too_large` past the limit (checked first against
 * `Content-Length`, before reading); 415 `unsupported_encoding` for an encoding other than gzip or
 * identity; 400 `malformed_body` for a corrupt or truncated gzip stream or an aborted upload.
 *
 * @example
 * ```ts
 * const body = await readLimitedBody(req, 16 * 1024 * 1024);
 * ```
 */
export async function readLimitedBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip' && encoding !== '') {
    throw new HttpError(415, 'unsupported_encoding', `Content-Encoding ${JSON.stringify(encoding)} is not supported (use gzip or identity)`);
  }
  const declaredLength = Number(req.headers['content-length']);
  if (Number.isFinite(declaredLength) && declaredLength > maxBytes) throw tooLarge(maxBytes);

  const gzip = encoding === 'gzip' || encoding === 'x-gzip';
  const gunzip = gzip ? createGunzip() : undefined;
  const source: NodeJS.ReadableStream = gunzip ?? req;
  const chunks: Buffer[] = [];
  let received = 0;
  let inflated = 0;

  return new Promise<Buffer>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      req.off('data', countReceived);
      if (error !== undefined) {
        chunks.length = 0;
        if (gunzip !== undefined) {
          req.unpipe(gunzip);
          gunzip.destroy();
        }
        // Discard the rest of the upload rather than buffering it; the response closes the connection.
        req.resume();
        reject(error);
      } else {
        resolve(body ?? Buffer.alloc(0));
      }
    };
    const countReceived = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > maxBytes) finish(tooLarge(maxBytes));
    };
    if (gunzip !== undefined) {
      req.on('data', countReceived);
      req.pipe(gunzip);
    }
    source.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (gzip) {
        inflated += chunk.length;
        if (inflated > maxBytes) return finish(tooLarge(maxBytes, 'decompressed '));
      } else {
        countReceived(chunk);
        if (settled) return;
      }
      chunks.push(chunk);
    });
    source.on('end', () => finish(undefined, Buffer.concat(chunks)));
    source.on('error', (error: Error) =>
      finish(new HttpError(400, 'malformed_body', `could not read the request body: ${error.message}`, { cause: error })),
    );
    req.on('close', () => {
      if (!req.complete) finish(new HttpError(400, 'malformed_body', 'the client aborted the upload'));
    });
    req.on('error', (error: Error) => finish(new HttpError(400, 'malformed_body', `could not read the request body: ${error.message}`, { cause: error })));
  });
}

function tooLarge(maxBytes: number, what = ''): HttpError {
  return new HttpError(413, 'payload_too_large', `the ${what}request body is larger than the limit of ${maxBytes} bytes`);
}
