import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Attributes as OtelAttributes, HrTime } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import type { AttributeValue, Attributes, SpanRecord } from '@overlap/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceResponse } from '@overlap/shared';
import { getJson, startServer } from './helpers.js';
import type { RunningServer } from './helpers.js';
import { GenAiAttributes, OverlapAttributes, OverlapEvents } from '@overlap/shared';

type ExporterConfig = NonNullable<ConstructorParameters<typeof OtlpProtoExporter>[0]>;

let running: RunningServer;
beforeAll(async () => {
  running = await startServer();
});
afterAll(async () => {
  await running.close();
});

const KIND_NAMES = ['internal', 'server', 'client', 'producer', 'consumer'] as const;
const STATUS_NAMES = ['unset', 'ok', 'error'] as const;

function nanos(time: HrTime): string {
  return (BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])).toString();
}

function attributes(source: OtelAttributes | undefined): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(source ?? {})) out[key] = (value ?? null) as AttributeValue;
  return out;
}

/** What the dashboard should store for a span the SDK recorded. */
function expectedRecord(span: ReadableSpan): Partial<SpanRecord> {
  const record: Partial<SpanRecord> = {
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    name: span.name,
    kind: KIND_NAMES[span.kind],
    startTimeUnixNano: nanos(span.startTime),
    endTimeUnixNano: nanos(span.endTime),
    attributes: attributes(span.attributes),
    events: span.events.map((event) => ({ name: event.name, timeUnixNano: nanos(event.time), attributes: attributes(event.attributes) })),
    links: span.links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      attributes: attributes(link.attributes),
      flags: expect.any(Number) as unknown as number,
    })),
    status: span.status.message === undefined || span.status.message === '' ? { code: STATUS_NAMES[span.status.code] } : { code: STATUS_NAMES[span.status.code], message: span.status.message },
    resource: expect.objectContaining({ serviceName: 'exporter-test' }) as unknown as SpanRecord['resource'],
    scope: { name: 'overlap-test', version: '1.2.3' },
  };
  if (span.parentSpanContext?.spanId !== undefined) record.parentSpanId = span.parentSpanContext.spanId;
  return record;
}

/** Records a small trace with every kind of data through `exporter` and returns what the SDK recorded. */
async function recordTrace(exporter: SpanExporter): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'exporter-test', 'deployment.environment': 'test' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: memory }), new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('overlap-test', '1.2.3');
  const other = tracer.startSpan('other trace');
  other.end();
  const root = tracer.startSpan('invoke_agent researcher', {
    kind: SpanKind.SERVER,
    attributes: { [GenAiAttributes.OPERATION_NAME]: 'invoke_agent', [GenAiAttributes.AGENT_NAME]: 'researcher', [OverlapAttributes.DEADLINE_MS]: 5000 },
  });
  const rootContext = trace.setSpan(context.active(), root);
  const call = tracer.startSpan(
    'execute_tool search',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
        [GenAiAttributes.TOOL_NAME]: 'search',
        [OverlapAttributes.QUEUE_WAIT_MS]: 12.5,
        [OverlapAttributes.ATTEMPT]: 2,
        [OverlapAttributes.GATE]: ['search-api', 'global'],
        flag: true,
        counts: [1, 2, 3],
      },
      links: [{ context: other.spanContext(), attributes: { reason: 'hedge' } }],
    },
    rootContext,
  );
  call.addEvent(OverlapEvents.ATTEMPT_FAILED, { [OverlapAttributes.ATTEMPT]: 1, [GenAiAttributes.ERROR_TYPE]: 'UPSTREAM_503' });
  call.addEvent(OverlapEvents.RETRY_BACKOFF, { [OverlapAttributes.RETRY_DELAY_MS]: 250.75 });
  call.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream said 503' });
  call.end();
  const ok = tracer.startSpan('execute_tool fetch', { kind: SpanKind.PRODUCER }, rootContext);
  ok.setStatus({ code: SpanStatusCode.OK });
  ok.end();
  root.end();
  await provider.forceFlush();
  // Shutting down clears the in-memory exporter: read it first.
  const finished = memory.getFinishedSpans();
  await provider.shutdown();
  return finished;
}

async function expectStoredExactly(recorded: ReadableSpan[]): Promise<void> {
  const byTrace = new Map<string, ReadableSpan[]>();
  for (const span of recorded) byTrace.set(span.spanContext().traceId, [...(byTrace.get(span.spanContext().traceId) ?? []), span]);
  expect(byTrace.size).toBe(2);
  for (const [traceId, spans] of byTrace) {
    const { status, body } = await getJson<TraceResponse>(`${running.url}api/traces/${traceId}`);
    expect(status).toBe(200);
    const stored = [...body.spans].sort((a, b) => a.spanId.localeCompare(b.spanId));
    const expected = [...spans].sort((a, b) => a.spanContext().spanId.localeCompare(b.spanContext().spanId)).map(expectedRecord);
    expect(stored).toHaveLength(expected.length);
    stored.forEach((span, index) => expect(span).toEqual(expect.objectContaining(expected[index])));
    for (const span of stored) expect(span.resource.attributes['deployment.environment']).toBe('test');
  }
}

describe('POST /v1/traces', () => {
  it('POST /v1/traces - stores exactly what the official protobuf exporter sends', async () => {
    const recorded = await recordTrace(new OtlpProtoExporter({ url: `${running.url}v1/traces` }));
    await expectStoredExactly(recorded);
  });

  it('POST /v1/traces - stores exactly what the official protobuf exporter sends gzipped', async () => {
    const recorded = await recordTrace(new OtlpProtoExporter({ url: `${running.url}v1/traces`, compression: 'gzip' as ExporterConfig['compression'] }));
    await expectStoredExactly(recorded);
  });

  it('POST /v1/traces - stores exactly what the official JSON exporter sends', async () => {
    const recorded = await recordTrace(new OtlpHttpJsonExporter({ url: `${running.url}v1/traces` }));
    await expectStoredExactly(recorded);
  });

  it('POST /v1/traces - answers the exporters with a success they accept', async () => {
    const memory = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
    provider.getTracer('t').startSpan('one').end();
    await provider.forceFlush();
    for (const exporter of [new OtlpProtoExporter({ url: `${running.url}v1/traces` }), new OtlpHttpJsonExporter({ url: `${running.url}v1/traces` })]) {
      const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(memory.getFinishedSpans(), resolve));
      expect(result.error).toBeUndefined();
      expect(result.code).toBe(0);
      await exporter.shutdown();
    }
  });
});
