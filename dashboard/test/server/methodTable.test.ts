import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { gzipSync } from 'node:zlib';
import { spansToOtlp } from '@overlap/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpProtoTypes } from '../../src/server/ingest/otlpProtoSchema.js';
import type { HealthResponse } from '../../src/server/index.js';
import { encodeOtlpProtobufRequest } from '../../src/server/testing/index.js';
import { deferred, getJson, newTraceId, spanRecord, startServer } from './helpers.js';
import type { RunningServer } from './helpers.js';
import { errorOf, probe } from './httpProbe.js';

let running: RunningServer;
let base: string;

beforeAll(async () => {
  running = await startServer({ maxBodyMb: 1 });
  base = running.url;
});
afterAll(async () => {
  await running.close();
});

/** Every route and the methods it takes (GET routes take HEAD too). */
const ROUTES: Array<[path: string, methods: string]> = [
  ['v1/traces', 'POST, OPTIONS'],
  ['healthz', 'GET, HEAD, OPTIONS'],
  ['api/traces', 'GET, HEAD, OPTIONS'],
  ['api/traces/0123456789abcdef0123456789abcdef', 'GET, HEAD, OPTIONS'],
  ['api/stats', 'GET, HEAD, OPTIONS'],
  ['api/traces/0123456789abcdef0123456789abcdef/export', 'GET, HEAD, OPTIONS'],
  ['api/export', 'GET, HEAD, OPTIONS'],
  ['api/import', 'POST, OPTIONS'],
  ['api/info', 'GET, HEAD, OPTIONS'],
  ['api/traces/0123456789abcdef0123456789abcdef/forward', 'POST, OPTIONS'],
  ['api/agents', 'GET, HEAD, OPTIONS'],
  ['api/agents/run', 'POST, OPTIONS'],
  ['api/compare?a=0123456789abcdef0123456789abcdef&b=0123456789abcdef0123456789abcdee', 'GET, HEAD, OPTIONS'],
  ['', 'GET, HEAD, OPTIONS'],
  ['traces/0123456789abcdef0123456789abcdef', 'GET, HEAD, OPTIONS'],
  ['compare/0123456789abcdef0123456789abcdef/0123456789abcdef0123456789abcdee', 'GET, HEAD, OPTIONS'],
];

describe('method table', () => {
  it('every route - answers a method it does not take with 405 and Allow, in its own error format', async () => {
    for (const [path, allow] of ROUTES) {
      for (const method of ['PUT', 'DELETE', 'PATCH', allow.startsWith('POST') ? 'GET' : 'POST']) {
        const answer = await probe(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: '{}' });
        expect(answer.status, `${method} /${path}`).toBe(405);
        expect(answer.headers.allow, `${method} /${path}`).toBe(allow);
        const body = JSON.parse(answer.text) as { code?: unknown; message?: string; error?: { code: string; message: string } };
        if (path === 'v1/traces') {
          // OTLP/HTTP answers are google.rpc.Status: code 12 UNIMPLEMENTED.
          expect(body).toMatchObject({ code: 12, message: `${method} is not allowed on /v1/traces: use ${allow}` });
        } else {
          expect(body.error).toEqual({ code: 'method_not_allowed', message: `${method} is not allowed on /${path.split('?')[0]}: use ${allow}` });
        }
      }
    }
  });

  it('PUT /v1/traces - answers 405 in protobuf to a protobuf request', async () => {
    const answer = await probe(`${base}v1/traces`, { method: 'PUT', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.alloc(0) });
    expect(answer.status).toBe(405);
    expect(answer.headers['content-type']).toMatch(/^application\/x-protobuf/);
  });

  it('OPTIONS - answers 204 with Allow on every route (no pre-flight: no Origin)', async () => {
    for (const [path, allow] of ROUTES) {
      const answer = await probe(`${base}${path}`, { method: 'OPTIONS' });
      expect(answer.status, path).toBe(204);
      expect(answer.headers.allow, path).toBe(allow);
    }
  });

  it('unknown paths - still answer 404, whatever the method', async () => {
    expect((await probe(`${base}api/nope`, { method: 'PUT' })).status).toBe(404);
    expect((await probe(`${base}v1/metrics`, { method: 'POST' })).status).toBe(404);
  });
});

describe('media types', () => {
  it('POST /api/agents/run - answers any Content-Type but application/json with 415, before reading the body', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const answer = await probe(`${base}api/agents/run`, {
        method: 'POST',
        headers: contentType === undefined ? {} : { 'content-type': contentType },
        body: '{"agent":"burst"}',
      });
      expect(answer.status, String(contentType)).toBe(415);
      expect(errorOf(answer)).toEqual({
        code: 'unsupported_media_type',
        message: `Content-Type must be application/json, received ${contentType === undefined ? 'none' : JSON.stringify(contentType)}`,
      });
    }
  });

  it('POST /api/import - takes JSON, JSON lines and bytes; answers the types a form can send with 415', async () => {
    const body = JSON.stringify(spansToOtlp([spanRecord({ traceId: newTraceId() })]));
    for (const contentType of ['application/json', 'application/x-ndjson', 'application/octet-stream', 'application/json; charset=utf-8']) {
      expect((await probe(`${base}api/import`, { method: 'POST', headers: { 'content-type': contentType }, body })).status, contentType).toBe(200);
    }
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const answer = await probe(`${base}api/import`, { method: 'POST', headers: { 'content-type': contentType }, body });
      expect(answer.status, contentType).toBe(415);
      expect(errorOf(answer).code).toBe('unsupported_media_type');
    }
  });
});

describe('body size', () => {
  const LIMIT = 1024 * 1024;

  /** An OTLP/JSON body of exactly `bytes` bytes: a valid request padded with trailing spaces. */
  function jsonBodyOf(bytes: number): Buffer {
    const json = JSON.stringify(spansToOtlp([spanRecord({ traceId: newTraceId() })]));
    return Buffer.concat([Buffer.from(json), Buffer.alloc(bytes - Buffer.byteLength(json), 0x20)]);
  }

  it('POST /v1/traces - accepts exactly the limit of decoded bytes and answers 413 at the limit + 1, gzip or not', async () => {
    for (const gzip of [false, true]) {
      for (const [size, status] of [[LIMIT, 200], [LIMIT + 1, 413]] as const) {
        const decoded = jsonBodyOf(size);
        const body = gzip ? gzipSync(decoded) : decoded;
        const headers: Record<string, string> = { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) };
        const answer = await probe(`${base}v1/traces`, { method: 'POST', headers, body });
        expect(answer.status, `${size} bytes${gzip ? ' gzip' : ''}`).toBe(status);
        if (status === 413) expect(JSON.parse(answer.text)).toMatchObject({ code: 8, message: expect.stringMatching(/limit of 1048576 bytes/) });
      }
    }
  });

  it('POST /api/import - accepts exactly the limit of decoded bytes and answers 413 payload_too_large at the limit + 1', async () => {
    for (const [size, status] of [[LIMIT, 200], [LIMIT + 1, 413]] as const) {
      const answer = await probe(`${base}api/import`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(jsonBodyOf(size)) });
      expect(answer.status, String(size)).toBe(status);
      if (status === 413) expect(errorOf(answer).code).toBe('payload_too_large');
    }
  });
});

describe('ingest queue', () => {
  /** Starts a POST /v1/traces whose body is sent only when `finish` is called; resolves with the answer. */
  function heldRequest(url: string): { finish: () => void; abort: () => void; answer: Promise<IncomingMessage>; started: Promise<void> } {
    const body = Buffer.from(JSON.stringify(spansToOtlp([spanRecord({ traceId: newTraceId() })])));
    const answer = deferred<IncomingMessage>();
    const started = deferred<void>();
    const req: ClientRequest = httpRequest(`${url}v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length) } }, (res) => {
      res.resume();
      answer.resolve(res);
    });
    req.on('error', () => {});
    req.flushHeaders();
    req.write(body.subarray(0, 10), () => started.resolve());
    return { finish: () => req.end(body.subarray(10)), abort: () => req.destroy(), answer: answer.promise, started: started.promise };
  }

  it('POST /v1/traces - past maxIngestQueue requests in progress answers 503 with Retry-After (UNAVAILABLE), and admits again once one finishes', async () => {
    const small = await startServer({ maxIngestQueue: 2 });
    try {
      const first = heldRequest(small.url);
      const second = heldRequest(small.url);
      await Promise.all([first.started, second.started]);
      // Both are admitted and their bodies are being read: wait until the server counts them.
      await expect.poll(async () => (await getJson<HealthResponse>(`${small.url}healthz`)).body.ingest.queued).toBe(2);
      const body = JSON.stringify(spansToOtlp([spanRecord({ traceId: newTraceId() })]));
      const refused = await probe(`${small.url}v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(JSON.parse(refused.text)).toMatchObject({ code: 14, message: expect.stringMatching(/ingest queue is full \(2 requests in progress\).*--max-ingest-queue/) });
      const protobuf = await probe(`${small.url}v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.from(encodeOtlpProtobufRequest(spansToOtlp([]))) });
      expect(protobuf.status).toBe(503);
      expect(OtlpProtoTypes.RpcStatus.decode(Buffer.from(protobuf.text, 'latin1')).code).toBe(14);

      first.finish();
      expect((await first.answer).statusCode).toBe(200);
      await expect.poll(async () => (await getJson<HealthResponse>(`${small.url}healthz`)).body.ingest.queued).toBe(1);
      expect((await probe(`${small.url}v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(200);
      second.finish();
      expect((await second.answer).statusCode).toBe(200);
      const health = (await getJson<HealthResponse>(`${small.url}healthz`)).body;
      expect(health.ingest).toMatchObject({ overloadedRequests: 2, requests: 3, queued: 0, maxQueued: 2 });
    } finally {
      await small.close();
    }
  });

  it('POST /v1/traces - a client that goes away gives its place in the queue back', async () => {
    const small = await startServer({ maxIngestQueue: 1 });
    try {
      const held = heldRequest(small.url);
      await held.started;
      await expect.poll(async () => (await getJson<HealthResponse>(`${small.url}healthz`)).body.ingest.queued).toBe(1);
      held.abort();
      await expect.poll(async () => (await getJson<HealthResponse>(`${small.url}healthz`)).body.ingest.queued).toBe(0);
      const body = JSON.stringify(spansToOtlp([spanRecord({ traceId: newTraceId() })]));
      expect((await probe(`${small.url}v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(200);
    } finally {
      await small.close();
    }
  });
});
