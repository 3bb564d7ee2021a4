import { GenAiAttributes, OverlapAttributes, spansToOtlp } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeOtlpProtobufRequest } from '../../src/server/testing/index.js';
import type { TraceResponse } from '@overlap/shared';
import { getJson, msNanos, newTraceId, postSpans, spanRecord, startServer } from './helpers.js';
import type { RunningServer } from './helpers.js';

let running: RunningServer;
beforeAll(async () => {
  running = await startServer();
});
afterAll(async () => {
  await running.close();
});

async function postProtobuf(spans: SpanRecord[]): Promise<number> {
  const response = await fetch(`${running.url}v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: Buffer.from(encodeOtlpProtobufRequest(spansToOtlp(spans))),
  });
  return response.status;
}

describe('trace assembly over OTLP', () => {
  it('POST /v1/traces - assembles a trace delivered split, late and out of order, over both encodings', async () => {
    const traceId = newTraceId();
    const root = spanRecord({ traceId, name: 'invoke_agent a', startTimeUnixNano: msNanos(10_000), endTimeUnixNano: msNanos(11_000), attributes: { [GenAiAttributes.OPERATION_NAME]: 'invoke_agent', [GenAiAttributes.AGENT_NAME]: 'a' } });
    const call = (name: string, startMs: number, endMs: number): SpanRecord =>
      spanRecord({
        traceId,
        parentSpanId: root.spanId,
        name: `execute_tool ${name}`,
        startTimeUnixNano: msNanos(startMs),
        endTimeUnixNano: msNanos(endMs),
        attributes: { [GenAiAttributes.OPERATION_NAME]: 'execute_tool', [GenAiAttributes.TOOL_NAME]: name },
        resource: { serviceName: 'tools', attributes: { 'service.name': 'tools' } },
      });
    const a = call('a', 10_100, 10_600);
    const b = call('b', 10_200, 10_700);
    const queue = spanRecord({ traceId, parentSpanId: b.spanId, name: 'queue api', startTimeUnixNano: msNanos(10_200), endTimeUnixNano: msNanos(10_300), attributes: { [OverlapAttributes.PHASE]: 'queue' } });

    // Children before their parents, one batch per encoding, the root last.
    expect(await postProtobuf([queue])).toBe(200);
    const partial = await getJson<TraceResponse>(`${running.url}api/traces/${traceId}`);
    expect(partial.body.warnings.join(' ')).toMatch(/orphan|parent/i);
    expect((await postSpans(running.url, [b, a])).status).toBe(200);
    expect(await postProtobuf([root])).toBe(200);

    const { body } = await getJson<TraceResponse>(`${running.url}api/traces/${traceId}`);
    const byId = new Map(body.spans.map((s) => [s.spanId, s]));
    expect(byId.size).toBe(4);
    for (const span of [root, a, b, queue]) expect(byId.get(span.spanId)).toEqual(span);
    expect(body.warnings).toEqual([]);
    expect(body.summary).toMatchObject({
      traceId,
      rootName: 'invoke_agent a',
      agentName: 'a',
      serviceNames: ['svc', 'tools'],
      spanCount: 4,
      callCount: 2,
      wallMs: 1000,
      // b's 100 ms queue span is queue time, not run time, though b has no overlap.queue.wait_ms.
      sumOfCallsMs: 900,
    });
  });

  it('POST /v1/traces - counts a span delivered twice once', async () => {
    const traceId = newTraceId();
    const span = spanRecord({ traceId });
    await postSpans(running.url, [span]);
    expect(await postProtobuf([span])).toBe(200);
    const { body } = await getJson<TraceResponse>(`${running.url}api/traces/${traceId}`);
    expect(body.spans).toEqual([span]);
  });
});
