import fc from 'fast-check';
import { otlpToSpans, spansToOtlp } from '@overlap/shared';
import type { AttributeValue, SpanRecord } from '@overlap/shared';
import { describe, expect, it } from 'vitest';
import { decodeOtlpProtobufRequest } from '../../src/server/index.js';
import { encodeOtlpProtobufResponse } from '../../src/server/ingest/otlpProtobuf.js';
import { decodeOtlpProtobufResponse, encodeOtlpProtobufRequest } from '../../src/server/testing/index.js';
import { newTraceId, spanRecord } from './helpers.js';

function throughProtobuf(spans: SpanRecord[]): SpanRecord[] {
  return otlpToSpans(decodeOtlpProtobufRequest(encodeOtlpProtobufRequest(spansToOtlp(spans)))).spans;
}

describe('decodeOtlpProtobufRequest()', () => {
  it('decodeOtlpProtobufRequest() - reads back every field of the spans encoded', () => {
    const traceId = newTraceId();
    const parent = spanRecord({ traceId, name: 'parent', kind: 'server', traceState: 'a=1', flags: 0x301, status: { code: 'ok' } });
    const { endTimeUnixNano: _end, ...inFlight } = spanRecord({ traceId, name: 'in flight' });
    const child = spanRecord({
      traceId,
      parentSpanId: parent.spanId,
      name: 'child ✓',
      kind: 'consumer',
      startTimeUnixNano: '18446744073709551615',
      endTimeUnixNano: '18446744073709551615',
      attributes: {
        negative: -42,
        big: 9_007_199_254_740_991,
        min: -9_007_199_254_740_991,
        double: -0.5,
        negativeZero: -0,
        nan: Number.NaN,
        infinity: Number.NEGATIVE_INFINITY,
        bytes: { bytesBase64: 'AAECAwQ=' },
        nested: { list: [1, 'two', null, { deep: [true] }] },
        empty: null,
        unicode: 'naïve 🚀',
      },
      events: [{ name: 'e', timeUnixNano: '1', attributes: { n: -1 }, droppedAttributesCount: 3 }],
      links: [{ traceId: newTraceId(), spanId: 'ffffffffffffffff', traceState: 'b=2', attributes: { k: 'v' }, flags: 1, droppedAttributesCount: 1 }],
      status: { code: 'error', message: 'bad' },
      droppedAttributesCount: 1,
      droppedEventsCount: 2,
      droppedLinksCount: 3,
      resource: { serviceName: 'svc', attributes: { 'service.name': 'svc' }, droppedAttributesCount: 4, schemaUrl: 'https://opentelemetry.io/schemas/1.24.0' },
      scope: { name: 'lib', version: '2', attributes: { s: 1 }, droppedAttributesCount: 5, schemaUrl: 'https://example.com/s' },
    });
    expect(throughProtobuf([parent, inFlight, child])).toEqual([parent, inFlight, child]);
  });

  it('decodeOtlpProtobufRequest() - reads back any attribute value', () => {
    const value = fc.letrec<{ v: AttributeValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.boolean(),
        fc.maxSafeInteger(),
        fc.double(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(fc.string().filter((k) => k !== 'bytesBase64'), tie('v'), { maxKeys: 3, noNullPrototype: true }),
      ),
    })).v;
    const traceId = newTraceId();
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value, { maxKeys: 5, noNullPrototype: true }), (attributes) => {
        const span = spanRecord({ traceId, attributes });
        expect(throughProtobuf([span])).toEqual([span]);
      }),
      { numRuns: 200 },
    );
  });

  it('decodeOtlpProtobufRequest() - throws on bytes that are not a request', () => {
    expect(() => decodeOtlpProtobufRequest(Uint8Array.from([0x0a, 0x05, 0x01]))).toThrow();
  });
});

describe('encodeOtlpProtobufResponse()', () => {
  it('encodeOtlpProtobufResponse() - writes a partial success that decodes back, and nothing for a full success', () => {
    expect(encodeOtlpProtobufResponse({})).toHaveLength(0);
    const bytes = encodeOtlpProtobufResponse({ partialSuccess: { rejectedSpans: '3', errorMessage: 'three bad' } });
    expect(decodeOtlpProtobufResponse(bytes)).toEqual({ partialSuccess: { rejectedSpans: '3', errorMessage: 'three bad' } });
  });
});
