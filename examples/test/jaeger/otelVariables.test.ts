// Jaeger cannot run here, so its compatibility is shown through what it takes in. This test stands a
// local OTLP/HTTP listener in for Jaeger's collector port (4318) and checks that the official exporter,
// configured by the standard OTEL_* variables alone, delivers every span of an example run.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, diag, metrics, propagation, trace } from '@opentelemetry/api';
import { decodeOtlpProtobufRequest } from '@overlap/dashboard';
import { Runner } from '@overlap/runner';
import { startTelemetry } from '@overlap/runner/telemetry';
import { GenAiAttributes, otlpToSpans, OverlapAttributes, type SpanRecord } from '@overlap/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanRecorder } from '../../src/cli/SpanRecorder.js';
import { createUpstream, findExample } from '../../src/index.js';

const received: Array<{ path: string; contentType: string; spans: SpanRecord[] }> = [];
const listener = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    received.push({
      path: req.url ?? '',
      contentType: String(req.headers['content-type']),
      spans: otlpToSpans(decodeOtlpProtobufRequest(body)).spans,
    });
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});
const savedEnv = { ...process.env };

beforeAll(async () => {
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  process.env = savedEnv;
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  trace.disable();
  context.disable();
  propagation.disable();
  metrics.disable();
  diag.disable();
});

describe('Jaeger over OTLP, configured by OTEL_* variables only', () => {
  it('startTelemetry() - with only OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_SERVICE_NAME set, every span of an example run reaches the collector port with its attributes', async () => {
    const { port } = listener.address() as AddressInfo;
    Object.assign(process.env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_SERVICE_NAME: 'jaeger-compat',
      OTEL_TRACES_EXPORTER: 'otlp',
    });
    delete process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
    delete process.env.OVERLAP_DASHBOARD_URL;
    const recorder = new SpanRecorder();
    const telemetry = await startTelemetry({ spanProcessors: [recorder], flushOnExit: false });
    const upstream = await createUpstream({ seed: 3, latencyScale: 0.2 });
    try {
      const result = await findExample('flaky-retrieval')!.run({ runner: new Runner(), upstreamUrl: upstream.url });
      expect(result.runs.every((r) => r.error === undefined)).toBe(true);
      await telemetry.forceFlush();
    } finally {
      await upstream.close();
      await telemetry.shutdown();
    }
    expect(received.length).toBeGreaterThan(0);
    expect(received.every((r) => r.path === '/v1/traces' && r.contentType === 'application/x-protobuf')).toBe(true);
    const delivered = new Map(received.flatMap((r) => r.spans).map((s) => [s.spanId, s]));
    expect(recorder.spans.length).toBeGreaterThan(5);
    expect(delivered.size).toBe(recorder.spans.length);
    for (const span of recorder.spans) {
      const got = delivered.get(span.spanId);
      expect(got, span.name).toBeDefined();
      expect(got!.name).toBe(span.name);
      expect(got!.parentSpanId).toBe(span.parentSpanId);
      expect(got!.attributes).toEqual(span.attributes);
      expect(got!.events.map((e) => e.name)).toEqual(span.events.map((e) => e.name));
      expect(got!.startTimeUnixNano).toBe(span.startTimeUnixNano);
      expect(got!.resource.serviceName).toBe('jaeger-compat');
    }
    // The trace has what a user looks for in Jaeger: a retried call, a timed-out call, a queue wait or not.
    const calls = recorder.spans.filter((s) => s.attributes[GenAiAttributes.OPERATION_NAME] === 'execute_tool');
    expect(calls.some((s) => (s.attributes[OverlapAttributes.ATTEMPT] as number) > 1)).toBe(true);
    expect(calls.some((s) => s.attributes[OverlapAttributes.OUTCOME] === 'timeout')).toBe(true);
  });
});
