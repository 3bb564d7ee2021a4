// The live channel and OTLP deliver the same ended span to the dashboard; the dashboard keeps one
// version of a span (`compareSpanVersions`), so the two must be the same record, or the second copy
// replaces the first and the page redraws for nothing.
import { TraceFlags, context, createTraceState, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { otlpToSpans, spansToOtlp } from '@overlap/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { readableSpanToRecord } from '../../src/telemetry/readableSpanToRecord.js';
import { startOtlpListener } from './otlpListener.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('readableSpanToRecord', () => {
  it('readableSpanToRecord() - gives the record the official OTLP exporter gives, flags, links, events and trace state included', async () => {
    const listener = await startOtlpListener();
    cleanups.push(listener.close);
    const ended: ReadableSpan[] = [];
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'records', 'host.name': 'h' }),
      spanProcessors: [
        new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${listener.url}/v1/traces` }) }),
        { onStart: () => {}, onEnd: (span: ReadableSpan) => ended.push(span), forceFlush: async () => {}, shutdown: async () => {} },
      ],
    });
    cleanups.push(() => provider.shutdown());
    const tracer = provider.getTracer('@overlap/runner', '0.1.0');
    const remoteParent = trace.setSpanContext(context.active(), {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: createTraceState('vendor=parent'),
    });
    const linked = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: createTraceState('vendor=link') };
    const span = tracer.startSpan('execute_tool search', { attributes: { n: 1, list: ['a', 'b'] }, links: [{ context: linked, attributes: { why: 'cause' } }] }, remoteParent);
    span.addEvent('overlap.attempt.start', { attempt: 1 });
    span.setStatus({ code: 2, message: 'boom' });
    span.end();
    const local = tracer.startSpan('invoke_agent local');
    local.end();
    await provider.forceFlush();

    const exported = listener.jsonSpans();
    const live = otlpToSpans(spansToOtlp(ended.map((readable) => readableSpanToRecord(readable, false)))).spans;
    expect(live).toEqual(exported);
    expect(live.map((record) => record.flags)).toEqual([0x301, 0x101]);
    expect([live[0]!.traceState, live[0]!.links[0]!.traceState]).toEqual(['vendor=parent', 'vendor=link']);
  });
});
