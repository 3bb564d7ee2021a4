import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { otlpToSpans } from '@overlap/shared';
import { OtlpForwarder } from '../../src/server/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, newTraceId, postSpans, spanRecord, startServer, type RunningServer } from './helpers.js';

interface Received {
  contentType: string;
  body: Buffer;
}

/** A stand-in for Jaeger's OTLP/HTTP port: answers with `status(n)` for the n-th request. */
async function startTarget(status: (n: number) => number = () => 200) {
  const received: Received[] = [];
  let requests = 0;
  const arrived: Array<() => void> = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests += 1;
      const code = status(requests);
      if (code === 200) {
        received.push({ contentType: String(req.headers['content-type']), body: Buffer.concat(chunks) });
        for (const wake of arrived.splice(0)) wake();
      }
      res.writeHead(code, code === 503 ? { 'retry-after': '0' } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    received,
    requests: () => requests,
    /** Resolves once `count` bodies have been accepted. */
    until: async (count: number) => {
      while (received.length < count) await new Promise<void>((resolve) => arrived.push(resolve));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sits between an exporter and the dashboard: keeps each request's bytes and passes it on unchanged. */
async function startTap(dashboardUrl: string) {
  const sent: Buffer[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      sent.push(body);
      const headers: Record<string, string> = { 'content-type': String(req.headers['content-type']) };
      if (req.headers['content-encoding'] !== undefined) headers['content-encoding'] = String(req.headers['content-encoding']);
      void fetch(`${dashboardUrl}v1/traces`, { method: 'POST', headers, body }).then(async (answer) => {
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/x-protobuf' }).end(Buffer.from(await answer.arrayBuffer()));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1/traces`, sent, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const running: RunningServer[] = [];
const targets: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
  for (const t of targets.splice(0)) await t.close();
});

describe('--forward', () => {
  it('forward - passes what the official exporter sent on to the target, as protobuf, byte for byte', async () => {
    const target = await startTarget();
    targets.push(target);
    const dashboard = await startServer({ forward: [target.url] });
    running.push(dashboard);
    const tap = await startTap(dashboard.url);
    targets.push(tap);
    const exporter = new OTLPTraceExporter({ url: tap.url });
    const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
    provider.getTracer('t').startSpan('forwarded-span').end();
    await provider.forceFlush();
    await target.until(1);
    expect(tap.sent).toHaveLength(1);
    expect(target.received[0]!.contentType).toBe('application/x-protobuf');
    expect(target.received[0]!.body.includes(Buffer.from('forwarded-span'))).toBe(true);
    // The very bytes the exporter sent, not a re-encoding of the spans.
    expect(target.received[0]!.body.equals(tap.sent[0]!)).toBe(true);
    await provider.shutdown();
  });

  it('forward - retries a target that answers 503 until it accepts, without holding up ingest', async () => {
    const target = await startTarget((n) => (n <= 2 ? 503 : 200));
    targets.push(target);
    const dashboard = await startServer({ forward: [target.url] });
    running.push(dashboard);
    const traceId = newTraceId();
    const response = await postSpans(dashboard.url, [spanRecord({ traceId, name: 'retried' })]);
    expect(response.status).toBe(200);
    await target.until(1);
    expect(target.requests()).toBe(3);
    expect(otlpToSpans(JSON.parse(target.received[0]!.body.toString('utf8'))).spans.map((s) => s.name)).toEqual(['retried']);
    const health = await getJson<{ forward: Array<{ sentBatches: number; failedAttempts: number }> }>(`${dashboard.url}healthz`);
    expect(health.body.forward[0]).toMatchObject({ sentBatches: 1, failedAttempts: 2 });
  });

  it('forward - a target that is down fills a bounded buffer, drops the oldest batches, and ingest still answers 200', async () => {
    const target = await startTarget(() => 503);
    targets.push(target);
    const dashboard = await startServer({ forward: [target.url], forwardBufferMb: 0.01 });
    running.push(dashboard);
    const traceId = newTraceId();
    for (let i = 0; i < 40; i += 1) {
      const response = await postSpans(dashboard.url, [spanRecord({ traceId, name: `span ${i} ${'x'.repeat(200)}` })]);
      expect(response.status).toBe(200);
    }
    const health = await getJson<{ forward: Array<{ queuedBytes: number; droppedBatches: number }>; store: { spans: number } }>(`${dashboard.url}healthz`);
    expect(health.body.forward[0]!.queuedBytes).toBeLessThanOrEqual(0.01 * 1024 * 1024);
    expect(health.body.forward[0]!.droppedBatches).toBeGreaterThan(0);
    const stored = await getJson<{ spans: unknown[] }>(`${dashboard.url}api/traces/${traceId}`);
    expect(stored.body.spans).toHaveLength(40);
  });

  it('POST /api/traces/:id/forward - sends one stored trace to the targets; 409 without targets', async () => {
    const target = await startTarget();
    targets.push(target);
    const withTarget = await startServer({ forward: [target.url] });
    const without = await startServer();
    running.push(withTarget, without);
    const traceId = newTraceId();
    await postSpans(without.url, [spanRecord({ traceId, name: 'only here' })]);
    expect((await fetch(`${without.url}api/traces/${traceId}/forward`, { method: 'POST' })).status).toBe(409);
    // Import into the forwarding server through the API (not OTLP ingest), then send it on demand.
    const exported = await (await fetch(`${without.url}api/traces/${traceId}/export?format=otlp`)).text();
    await fetch(`${withTarget.url}api/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: exported });
    expect(target.received).toHaveLength(0);
    const response = await fetch(`${withTarget.url}api/traces/${traceId}/forward`, { method: 'POST' });
    expect(response.status).toBe(202);
    await target.until(1);
    expect(otlpToSpans(JSON.parse(target.received[0]!.body.toString('utf8'))).spans.map((s) => s.name)).toEqual(['only here']);
    expect((await fetch(`${withTarget.url}api/traces/${'0'.repeat(31)}1/forward`, { method: 'POST' })).status).toBe(404);
    const info = await getJson<{ forwardTargets: string[] }>(`${withTarget.url}api/info`);
    expect(info.body.forwardTargets).toEqual([target.url]);
  });

  it('OtlpForwarder.close() - aborts a request in flight, so a hung target does not hold the connection open', async () => {
    let closedByClient!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closedByClient = resolve));
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    // A target that reads the request and never answers.
    const hung = createServer((req) => {
      req.resume();
      req.on('end', arrived);
      req.socket.on('close', closedByClient);
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    targets.push({ close: () => new Promise<void>((resolve) => (hung.closeAllConnections(), hung.close(() => resolve()))) });
    const { port } = hung.address() as AddressInfo;
    const forwarder = new OtlpForwarder({ targets: [`http://127.0.0.1:${port}/v1/traces`], requestTimeoutMs: 60_000 });
    forwarder.forward(Buffer.from('{}'), 'json');
    await requestArrived;
    forwarder.close();
    await connectionClosed;
    expect(forwarder.stats()[0]!.sentBatches).toBe(0);
  });
});
