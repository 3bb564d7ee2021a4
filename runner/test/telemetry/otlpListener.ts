import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { otlpToSpans, type SpanRecord } from '@overlap/shared';

/** One request an OTLP listener received. */
export interface ReceivedExport {
  contentType: string;
  path: string;
  body: Buffer;
}

/**
 * A real HTTP server standing in for an OTLP/HTTP collector (Jaeger's port 4318, say): it records every
 * request and answers as the OTLP spec says. JSON bodies are decoded with `@overlap/shared`.
 */
export async function startOtlpListener(): Promise<{
  url: string;
  received: ReceivedExport[];
  jsonSpans: () => SpanRecord[];
  close: () => Promise<void>;
}> {
  const received: ReceivedExport[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const contentType = String(req.headers['content-type'] ?? '');
      received.push({ contentType, path: req.url ?? '', body });
      if (contentType.includes('json')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    jsonSpans: () =>
      received
        .filter((r) => r.contentType.includes('json'))
        .flatMap((r) => otlpToSpans(JSON.parse(r.body.toString('utf8'))).spans),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
