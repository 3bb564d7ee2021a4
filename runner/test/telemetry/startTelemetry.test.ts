import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context, diag, metrics, propagation, trace } from '@opentelemetry/api';
import { otlpToSpans, type SpanRecord } from '@overlap/shared';
import { Server as SocketServer } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Runner, Semaphore, defineAgent, defineTool } from '../../src/index.js';
import { startTelemetry, type TelemetryHandle } from '../../src/telemetry/index.js';
import { startOtlpListener } from './otlpListener.js';

const here = dirname(fileURLToPath(import.meta.url));
let handle: TelemetryHandle | undefined;
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
  trace.disable();
  context.disable();
  propagation.disable();
  metrics.disable();
  diag.disable();
});

const pool = new Semaphore({ name: 'pool', permits: 1 });
const lookup = defineTool({
  name: 'lookup',
  input: z.object({ key: z.string() }),
  gates: [pool],
  run: async ({ key }) => {
    await new Promise((r) => setTimeout(r, 5));
    return key.toUpperCase();
  },
});
const agent = defineAgent({
  name: 'telemetry_agent',
  run: (ctx) => ctx.all([ctx.call(lookup, { key: 'a' }), ctx.call(lookup, { key: 'b' })]),
});

describe('startTelemetry()', () => {
  it('startTelemetry() - delivers every span of a run to an OTLP/JSON endpoint, with attributes and parents', async () => {
    const listener = await startOtlpListener();
    cleanups.push(listener.close);
    handle = await startTelemetry(
      { serviceName: 'svc-json', otlp: { url: `${listener.url}/v1/traces`, protocol: 'http/json' }, flushOnExit: false },
      {},
    );
    await new Runner().run(agent, undefined);
    await handle.forceFlush();
    const spans = listener.jsonSpans();
    const names = spans.map((s) => s.name).sort();
    expect(names).toEqual(['execute_tool lookup', 'execute_tool lookup', 'invoke_agent telemetry_agent', 'queue pool']);
    const root = spans.find((s) => s.name === 'invoke_agent telemetry_agent')!;
    for (const call of spans.filter((s) => s.name === 'execute_tool lookup')) {
      expect(call.parentSpanId).toBe(root.spanId);
      expect(call.attributes['gen_ai.tool.name']).toBe('lookup');
      expect(call.attributes['overlap.outcome']).toBe('ok');
    }
    expect(root.resource.serviceName).toBe('svc-json');
    expect(handle.stats().destinations).toEqual([{ destination: `${listener.url}/v1/traces`, exported: 4, failed: 0 }]);
  });

  it('startTelemetry() - sends protobuf by default, to several destinations at once', async () => {
    const a = await startOtlpListener();
    const b = await startOtlpListener();
    cleanups.push(a.close, b.close);
    handle = await startTelemetry({ otlp: [{ url: `${a.url}/v1/traces` }, { url: `${b.url}/v1/traces`, protocol: 'http/json' }], flushOnExit: false }, {});
    await new Runner().run(agent, undefined);
    await handle.forceFlush();
    expect(a.received.length).toBeGreaterThan(0);
    expect(a.received.every((r) => r.contentType === 'application/x-protobuf' && r.path === '/v1/traces')).toBe(true);
    expect(b.jsonSpans()).toHaveLength(4);
    expect(handle.stats().destinations.map((d) => d.exported)).toEqual([4, 4]);
  });

  it('startTelemetry() - is configured by the OTEL_* variables alone', async () => {
    const listener = await startOtlpListener();
    cleanups.push(listener.close);
    const saved = { ...process.env };
    cleanups.push(() => {
      process.env = saved;
    });
    Object.assign(process.env, {
      OTEL_SERVICE_NAME: 'from-env',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${listener.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-team=agents',
    });
    handle = await startTelemetry({ serviceName: 'from-code', flushOnExit: false });
    expect(handle.serviceName).toBe('from-env');
    await new Runner().run(agent, undefined);
    await handle.forceFlush();
    const spans = listener.jsonSpans();
    expect(spans).toHaveLength(4);
    expect(new Set(spans.map((s) => s.resource.serviceName))).toEqual(new Set(['from-env']));
  });

  it('startTelemetry() - a destination that is down costs a warning and counted spans, never an error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const warnings: string[] = [];
    handle = await startTelemetry(
      { otlp: { url: `http://127.0.0.1:${port}/v1/traces`, protocol: 'http/json' }, onWarning: (m) => warnings.push(m), flushOnExit: false },
      {},
    );
    const runner = new Runner();
    for (let i = 0; i < 5; i += 1) await runner.run(agent, undefined);
    await handle.forceFlush();
    const [stats] = handle.stats().destinations;
    expect(stats!.exported).toBe(0);
    expect(stats!.failed).toBe(20);
    expect(warnings.some((w) => w.includes(`traces to http://127.0.0.1:${port}/v1/traces failed`))).toBe(true);
    // Rate-limited: several failed batches, not one warning each.
    expect(warnings.filter((w) => w.includes('failed')).length).toBeLessThanOrEqual(2);
  }, 60_000);

  it('startTelemetry({ dashboard }) - sends span starts on the live channel before the spans end, then their ends', async () => {
    const http = createServer();
    const io = new SocketServer(http);
    const live: SpanRecord[] = [];
    let token: unknown;
    io.of('/runners').on('connection', (socket) => {
      token = socket.handshake.auth.token;
      socket.on('live-batch', (batch: { spans?: unknown }) => {
        if (batch.spans !== undefined) live.push(...otlpToSpans(batch.spans).spans);
      });
    });
    const exports: SpanRecord[] = [];
    http.on('request', (req, res) => {
      if (req.url !== '/v1/traces') return;
      req.resume();
      req.on('end', () => {
        exports.push({} as SpanRecord);
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
    const { port } = http.address() as AddressInfo;
    handle = await startTelemetry({ dashboard: { url: `http://127.0.0.1:${port}`, token: 's3cret' }, flushOnExit: false }, {});
    const socket = handle.dashboard!.socket;
    if (!socket.connected) await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const slow = defineTool({
      name: 'slow',
      input: z.object({}),
      run: () => new Promise((r) => setTimeout(() => r('done'), 300)),
    });
    const run = new Runner().run(defineAgent({ name: 'live', run: (ctx) => ctx.call(slow, {}) }), undefined);
    await new Promise((r) => setTimeout(r, 150));
    const inFlight = live.filter((s) => s.endTimeUnixNano === undefined);
    expect(inFlight.map((s) => s.name).sort()).toEqual(['execute_tool slow', 'invoke_agent live']);
    expect(live.filter((s) => s.endTimeUnixNano !== undefined)).toEqual([]);
    await run;
    await handle.forceFlush();
    while (live.filter((s) => s.endTimeUnixNano !== undefined).length < 2) await new Promise((r) => setTimeout(r, 10));
    // The ends travel the live channel too, as the same spans (OTLP delivers them as well).
    const ended = live.filter((s) => s.endTimeUnixNano !== undefined);
    expect(ended.map((s) => s.name).sort()).toEqual(['execute_tool slow', 'invoke_agent live']);
    expect(ended.map((s) => s.spanId).sort()).toEqual(inFlight.map((s) => s.spanId).sort());
    expect(token).toBe('s3cret');
    expect(exports.length).toBeGreaterThan(0);
    expect(handle.stats().live).toMatchObject({ startsSent: 2, endsSent: 2, startsDropped: 0, endsDropped: 0 });
  });

  it('startTelemetry({ dashboard }) - sends a call that starts and ends before its batch leaves once, ended', async () => {
    const http = createServer();
    const io = new SocketServer(http);
    const live: SpanRecord[] = [];
    io.of('/runners').on('connection', (socket) =>
      socket.on('live-batch', (batch: { spans?: unknown }) => {
        if (batch.spans !== undefined) live.push(...otlpToSpans(batch.spans).spans);
      }),
    );
    http.on('request', (req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
    const { port } = http.address() as AddressInfo;
    handle = await startTelemetry({ dashboard: `http://127.0.0.1:${port}`, flushOnExit: false, useEnvironment: false }, {});
    const socket = handle.dashboard!.socket;
    if (!socket.connected) await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const quick = defineTool({ name: 'quick', input: z.object({}), run: () => 'done' });
    await new Runner().run(defineAgent({ name: 'quick_run', run: (ctx) => ctx.call(quick, {}) }), undefined);
    await handle.forceFlush();
    while (live.length < 2) await new Promise((r) => setTimeout(r, 10));
    expect(live.map((s) => [s.name, s.endTimeUnixNano !== undefined]).sort()).toEqual([
      ['execute_tool quick', true],
      ['invoke_agent quick_run', true],
    ]);
    expect(handle.stats().live).toMatchObject({ startsSent: 0, endsSent: 2 });
  });

  it('startTelemetry({ dashboard }) - announces calls waiting at a gate on the live channel, and withdraws them when they leave the queue', async () => {
    const http = createServer();
    const io = new SocketServer(http);
    const batches: Array<{ queued?: Array<{ queueId: string; spanName: string; serviceName: string }>; dequeued?: Array<{ queueId: string }> }> = [];
    io.of('/runners').on('connection', (socket) => socket.on('live-batch', (batch: (typeof batches)[number]) => batches.push(batch)));
    http.on('request', (req, res) => {
      if (req.url !== '/v1/traces') return;
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
    const { port } = http.address() as AddressInfo;
    handle = await startTelemetry({ serviceName: 'queue-svc', dashboard: `http://127.0.0.1:${port}`, flushOnExit: false, useEnvironment: false }, {});
    const socket = handle.dashboard!.socket;
    if (!socket.connected) await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const gate = new Semaphore({ name: 'one', permits: 1 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tool = defineTool({ name: 'gated', input: z.object({}), gates: [gate], run: () => held.then(() => 'ok') });
    const run = new Runner().run(defineAgent({ name: 'queue', run: (ctx) => ctx.all([() => ctx.call(tool, {}), () => ctx.call(tool, {})]) }), undefined);
    while (!batches.some((batch) => batch.queued !== undefined)) await new Promise((r) => setTimeout(r, 10));
    const queued = batches.flatMap((batch) => batch.queued ?? []);
    expect(queued).toEqual([expect.objectContaining({ spanName: 'execute_tool gated', serviceName: 'queue-svc' })]);
    release();
    await run;
    await handle.forceFlush();
    expect(batches.flatMap((batch) => batch.dequeued ?? [])).toEqual([expect.objectContaining({ queueId: queued[0]!.queueId })]);
    expect(handle.stats().live).toMatchObject({ queuedSent: 1, queuedDropped: 0 });
  });

  it('startTelemetry() - flushes what is buffered when the process gets SIGTERM', async () => {
    const listener = await startOtlpListener();
    cleanups.push(listener.close);
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'sigtermWorker.ts'), `${listener.url}/v1/traces`], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    expect(listener.jsonSpans()).toHaveLength(0);
    child.kill('SIGTERM');
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGTERM');
    expect(listener.jsonSpans().map((s) => s.name)).toEqual(['execute_tool lookup']);
  }, 20_000);

  it('DashboardLink.offerAgents() - registers agents, and runs one when the dashboard asks, with defaults filled in', async () => {
    const http = createServer();
    const io = new SocketServer(http);
    const registrations: unknown[] = [];
    let runnerSocket: import('socket.io').Socket | undefined;
    io.of('/runners').on('connection', (socket) => {
      runnerSocket = socket;
      socket.on('register', (payload: unknown, ack: (a: unknown) => void) => {
        registrations.push(payload);
        ack({ ok: true });
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
    const { port } = http.address() as AddressInfo;
    handle = await startTelemetry({ dashboard: `http://127.0.0.1:${port}`, flushOnExit: false }, {});
    const runs: Array<[string, Record<string, number>, { requestId: string | undefined }]> = [];
    handle.dashboard!.offerAgents(
      'examples',
      [{ name: 'burst', parameters: [{ name: 'limit', description: 'permits', default: 3, min: 1, max: 30 }] }],
      (agent, params, request) => {
        runs.push([agent, params, request]);
      },
    );
    while (registrations.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(registrations[0]).toMatchObject({ serviceName: 'examples', agents: [{ name: 'burst' }] });
    expect(await runnerSocket!.timeout(2000).emitWithAck('run-agent', { agent: 'burst', params: {}, requestId: 'req-1' })).toEqual({ accepted: true });
    expect(await runnerSocket!.timeout(2000).emitWithAck('run-agent', { agent: 'burst', params: { limit: 99 } })).toMatchObject({
      error: { code: 'invalid_parameter' },
    });
    expect(await runnerSocket!.timeout(2000).emitWithAck('run-agent', { agent: 'other', params: {} })).toMatchObject({
      error: { code: 'unknown_agent' },
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(runs).toEqual([['burst', { limit: 3 }, { requestId: 'req-1' }]]);
  });

  it('startTelemetry({ dashboard }) - a dashboard that is down costs warnings and counted spans; the app runs on', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const warnings: string[] = [];
    handle = await startTelemetry({ dashboard: `http://127.0.0.1:${port}`, onWarning: (m) => warnings.push(m), flushOnExit: false }, {});
    const runner = new Runner();
    for (let i = 0; i < 3; i += 1) await expect(runner.run(agent, undefined)).resolves.toEqual(['A', 'B']);
    await handle.forceFlush();
    const stats = handle.stats();
    expect(stats.destinations[0]).toMatchObject({ exported: 0, failed: 12 });
    expect(stats.live!.startsSent).toBe(0);
    expect(stats.live!.startsDropped).toBeGreaterThan(0);
    expect(warnings.some((w) => w.includes('failed'))).toBe(true);
  }, 60_000);
});
