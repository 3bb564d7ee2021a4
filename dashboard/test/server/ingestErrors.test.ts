import { request as httpRequest } from 'node:http';
import { brotliCompressSync, createGzip, deflateSync, gzipSync } from 'node:zlib';
import { GenAiAttributes, spansToOtlp } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpProtoTypes } from '../../src/server/ingest/otlpProtoSchema.js';
import { decodeOtlpProtobufResponse, encodeOtlpProtobufRequest } from '../../src/server/testing/index.js';
import type { TraceListResponse, TraceResponse } from '@overlap/shared';
import { getJson, newTraceId, postSpans, spanRecord, startServer } from './helpers.js';
import type { RunningServer } from './helpers.js';

const MAX_BODY_MB = 1;
const MAX_BODY_BYTES = MAX_BODY_MB * 1024 * 1024;

let running: RunningServer;
let seeded: Map<string, SpanRecord[]>;

/** The traces in the store, with their spans, as the API reports them. */
async function storedTraces(): Promise<Map<string, SpanRecord[]>> {
  const { body } = await getJson<TraceListResponse>(`${running.url}api/traces?limit=500`);
  const traces = new Map<string, SpanRecord[]>();
  for (const summary of body.traces) {
    const trace = await getJson<TraceResponse>(`${running.url}api/traces/${summary.traceId}`);
    traces.set(summary.traceId, trace.body.spans);
  }
  return traces;
}

async function expectStoreUnchanged(): Promise<void> {
  expect(await storedTraces()).toEqual(seeded);
}

/** Sends raw bytes with Node's http client (fetch refuses some of the bodies tested here). */
function rawPost(
  path: string,
  headers: Record<string, string | number>,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, running.url), { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function decodeStatus(body: Buffer): { code?: number; message?: string; details?: unknown[] } {
  return OtlpProtoTypes.RpcStatus.toObject(OtlpProtoTypes.RpcStatus.decode(body), { arrays: false }) as { code?: number; message?: string };
}

/** A gzip stream of `inflatedBytes` zeros, built without holding them in memory. */
async function gzipBomb(inflatedBytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  const zeros = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < inflatedBytes; written += zeros.length) {
    if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  running = await startServer({ maxBodyMb: MAX_BODY_MB });
  const spans: SpanRecord[] = [];
  for (let t = 0; t < 3; t++) {
    const traceId = newTraceId();
    const root = spanRecord({ traceId, name: `root ${t}`, attributes: { [GenAiAttributes.AGENT_NAME]: 'seed' } });
    spans.push(root, spanRecord({ traceId, name: `child ${t}`, parentSpanId: root.spanId }));
  }
  expect((await postSpans(running.url, spans)).status).toBe(200);
  seeded = await storedTraces();
  expect(seeded.size).toBe(3);
});
afterAll(async () => {
  await running.close();
});

describe('POST /v1/traces (bad requests)', () => {
  it('POST /v1/traces - answers malformed protobuf with 400 and a protobuf google.rpc.Status', async () => {
    const response = await rawPost('/v1/traces', { 'content-type': 'application/x-protobuf' }, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/x-protobuf/);
    const status = decodeStatus(response.body);
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/not a valid protobuf/);
    await expectStoreUnchanged();
  });

  it('POST /v1/traces - answers malformed JSON with 400 and a JSON google.rpc.Status', async () => {
    const response = await rawPost('/v1/traces', { 'content-type': 'application/json' }, Buffer.from('{"resourceSpans": [ {'));
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const status = JSON.parse(response.body.toString()) as { code: number; message: string; details: Array<{ '@type': string }> };
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/not valid JSON/);
    expect(status.details[0]?.['@type']).toBe('type.googleapis.com/google.rpc.BadRequest');
    await expectStoreUnchanged();
  });

  it('POST /v1/traces - answers JSON of the wrong shape with 400 naming the field', async () => {
    const response = await rawPost('/v1/traces', { 'content-type': 'application/json' }, Buffer.from('{"resourceSpans": {"oops": 1}}'));
    expect(response.status).toBe(400);
    const status = JSON.parse(response.body.toString()) as { details: Array<{ fieldViolations: Array<{ field: string }> }> };
    expect(status.details[0]?.fieldViolations[0]?.field).toBe('resourceSpans');
    await expectStoreUnchanged();
  });

  it('POST /v1/traces - answers truncated bodies (protobuf, JSON, gzip) with 400', async () => {
    const traceId = newTraceId();
    const spans = Array.from({ length: 20 }, () => spanRecord({ traceId, name: 'x'.repeat(50) }));
    const proto = Buffer.from(encodeOtlpProtobufRequest(spansToOtlp(spans)));
    const json = Buffer.from(JSON.stringify(spansToOtlp(spans)));
    const cases: Array<[Record<string, string>, Buffer]> = [
      [{ 'content-type': 'application/x-protobuf' }, proto.subarray(0, proto.length - 7)],
      [{ 'content-type': 'application/json' }, json.subarray(0, json.length - 7)],
      [{ 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(json).subarray(0, 40)],
    ];
    for (const [headers, body] of cases) {
      const response = await rawPost('/v1/traces', headers, body);
      expect(response.status).toBe(400);
    }
    await expectStoreUnchanged();
  });

  it('POST /v1/traces - answers a body past the limit with 413', async () => {
    const big = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
    const response = await rawPost('/v1/traces', { 'content-type': 'application/json' }, big);
    expect(response.status).toBe(413);
    expect((JSON.parse(response.body.toString()) as { message: string }).message).toMatch(/larger than the limit of 1048576 bytes/);
    await expectStoreUnchanged();
  });

  it('POST /v1/traces - answers a body past the limit sent without Content-Length with 413', async () => {
    const response = await rawPost('/v1/traces', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, Buffer.alloc(MAX_BODY_BYTES + 10, 0x20));
    expect(response.status).toBe(413);
    await expectStoreUnchanged();
  });

  it('POST /v1/traces - answers a gzip bomb with 413 and stops inflating at the limit', async () => {
    const inflated = 256 * 1024 * 1024;
    const bomb = await gzipBomb(inflated);
    expect(bomb.length).toBeLessThan(MAX_BODY_BYTES);
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    }, 1);
    try {
      const response = await rawPost('/v1/traces', { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, bomb);
      expect(response.status).toBe(413);
      expect(decodeStatus(response.body).message).toMatch(/larger than the limit of \d+ bytes \(counted after decompression\)/);
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    // Inflating it all would hold 256 MiB; stopping at the limit holds about 1 MiB (plus the bomb itself).
    expect(peak - baseline).toBeLessThan(32 * 1024 * 1024);
    await expectStoreUnchanged();
  });

  it('POST /v1/traces - answers other media types and encodings with 415', async () => {
    const body = Buffer.from(JSON.stringify(spansToOtlp([spanRecord({ traceId: newTraceId() })])));
    const headerCases: Array<Record<string, string>> = [{ 'content-type': 'text/plain' }, { 'content-type': 'application/json', 'content-encoding': 'compress' }, {}];
    for (const headers of headerCases) {
      const response = await rawPost('/v1/traces', headers, body);
      expect(response.status, JSON.stringify(headers)).toBe(415);
      expect(JSON.parse(response.body.toString()), JSON.stringify(headers)).toMatchObject({ code: 3, message: expect.any(String) });
    }
    await expectStoreUnchanged();
  });

  it('POST /v1/traces - inflates gzip, deflate and brotli bodies, as express body parsers do', async () => {
    const traceId = newTraceId();
    const json = Buffer.from(JSON.stringify(spansToOtlp([spanRecord({ traceId, name: 'compressed' })])));
    for (const [encoding, compress] of [['gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync]] as const) {
      const response = await rawPost('/v1/traces', { 'content-type': 'application/json', 'content-encoding': encoding }, compress(json));
      expect(response.status, encoding).toBe(200);
    }
    expect((await storedTraces()).get(traceId)?.map((s) => s.name)).toEqual(['compressed']);
    seeded = await storedTraces();
  });

  it('POST /v1/traces - answers a corrupt gzip body with 400 and a google.rpc.Status', async () => {
    const response = await rawPost('/v1/traces', { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, Buffer.from('not gzip at all'));
    expect(response.status).toBe(400);
    expect(decodeStatus(response.body)).toMatchObject({ code: 3, message: expect.stringMatching(/could not read the request body/) });
    await expectStoreUnchanged();
  });

  it('POST /v1/traces - keeps valid spans and reports rejected ones as a partial success (JSON)', async () => {
    const traceId = newTraceId();
    const good = spanRecord({ traceId, name: 'good' });
    const request = spansToOtlp([good, spanRecord({ traceId, name: 'bad' })]);
    const badSpan = request.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[1];
    if (badSpan === undefined) throw new Error('test set-up: no second span');
    badSpan.traceId = '0'.repeat(32);
    const response = await rawPost('/v1/traces', { 'content-type': 'application/json' }, Buffer.from(JSON.stringify(request)));
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body.toString()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(body.partialSuccess.rejectedSpans).toBe('1');
    expect(body.partialSuccess.errorMessage).toMatch(/traceId must be 32 hex characters/);
    const after = await storedTraces();
    expect(after.get(traceId)?.map((s) => s.name)).toEqual(['good']);
    after.delete(traceId);
    expect(after).toEqual(seeded);
    seeded = await storedTraces();
  });

  it('POST /v1/traces - reports a partial success in protobuf to a protobuf request', async () => {
    const traceId = newTraceId();
    const request = spansToOtlp([spanRecord({ traceId }), spanRecord({ traceId })]);
    const spans = request.resourceSpans?.[0]?.scopeSpans?.[0]?.spans ?? [];
    for (const span of spans) span.startTimeUnixNano = '0';
    const response = await rawPost('/v1/traces', { 'content-type': 'application/x-protobuf' }, Buffer.from(encodeOtlpProtobufRequest(request)));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/x-protobuf/);
    expect(decodeOtlpProtobufResponse(response.body).partialSuccess).toMatchObject({ rejectedSpans: '2' });
    await expectStoreUnchanged();
  });

  it('POST /v1/traces - answers an empty request with a full success', async () => {
    const json = await rawPost('/v1/traces', { 'content-type': 'application/json' }, Buffer.from('{}'));
    expect(json.status).toBe(200);
    expect(JSON.parse(json.body.toString())).toEqual({});
    const proto = await rawPost('/v1/traces', { 'content-type': 'application/x-protobuf' }, Buffer.alloc(0));
    expect(proto.status).toBe(200);
    expect(proto.body.length).toBe(0);
    await expectStoreUnchanged();
  });
});
