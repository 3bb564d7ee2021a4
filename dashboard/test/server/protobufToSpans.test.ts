// The protobuf fast path (protobufToSpans) must give exactly what the general path gives: the decoded
// message turned into OTLP/JSON, then otlpToSpans. Compared as data and as JSON (same key order).
import fc from 'fast-check';
import { otlpToSpans, spansToOtlp } from '@overlap/shared';
import type { AttributeValue, OtlpExportTraceServiceRequest, OtlpSpan, SpanRecord } from '@overlap/shared';
import { describe, expect, it } from 'vitest';
import { decodeOtlpBody } from '../../src/server/ingest/decodeOtlpBody.js';
import { decodeOtlpProtobufMessage, otlpRequestOfMessage } from '../../src/server/ingest/otlpProtobuf.js';
import { decimal, protobufToSpans } from '../../src/server/ingest/protobufToSpans.js';
import { internString } from '../../src/server/ingest/internString.js';
import { wireToSpans } from '../../src/server/ingest/wireToSpans.js';
import { encodeOtlpProtobufRequest } from '../../src/server/testing/index.js';
import { fuzzBody, otlpRequest } from './otlpFuzzInputs.js';
import { newTraceId, spanRecord } from './helpers.js';

const SEED = 20_261_206;

/** What the general path makes of a body, or the error it throws. */
function general(body: Uint8Array): { spans: SpanRecord[]; rejected: unknown[] } | { error: string } {
  try {
    return otlpToSpans(otlpRequestOfMessage(decodeOtlpProtobufMessage(body)));
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

function viaDecodeOtlpBody(body: Uint8Array): { spans: SpanRecord[]; rejected: unknown[] } | { error: string } {
  try {
    return decodeOtlpBody(body, 'protobuf');
  } catch (error) {
    const cause = (error as { cause?: Error }).cause;
    return { error: cause === undefined ? `${(error as Error).name}: ${(error as Error).message}` : `${cause.name}: ${cause.message}` };
  }
}

/** How often each fast path took a body (the tests check they are not always bypassed). */
const taken = { wire: 0, message: 0, bodies: 0 };

/** decodeOtlpBody, and each fast path on its own when it takes the body, give what the general path gives. */
function expectSame(body: Uint8Array): void {
  taken.bodies++;
  const expected = general(body);
  const actual = viaDecodeOtlpBody(body);
  if ('error' in expected) {
    expect('error' in actual).toBe(true);
    expect(wireToSpans(body)).toBeUndefined();
    return;
  }
  expect(actual).toStrictEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
  const wire = wireToSpans(body);
  if (wire !== undefined) {
    taken.wire++;
    expect({ spans: wire, rejected: [] }).toStrictEqual(expected);
    expect(JSON.stringify(wire)).toBe(JSON.stringify(expected.spans));
  }
  const message = protobufToSpans(decodeOtlpProtobufMessage(body));
  if (message !== undefined) {
    taken.message++;
    expect({ spans: message, rejected: [] }).toStrictEqual(expected);
    expect(JSON.stringify(message)).toBe(JSON.stringify(expected.spans));
  }
}

/** The span of an OTLP request with this span id. */
function otlpSpan(request: OtlpExportTraceServiceRequest, spanId: string): OtlpSpan {
  for (const resourceSpans of request.resourceSpans ?? []) {
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) if (span.spanId === spanId) return span;
    }
  }
  throw new Error(`no span ${spanId}`);
}

const protobufOf = (request: OtlpExportTraceServiceRequest): Uint8Array => encodeOtlpProtobufRequest(request);

describe('wireToSpans() and protobufToSpans(), the fast paths of protobuf ingest', () => {
  it('protobufToSpans() - gives what the general path gives, for any valid request', () => {
    fc.assert(
      fc.property(otlpRequest, (request) => expectSame(protobufOf(request))),
      { numRuns: 1500, seed: SEED },
    );
    // Most valid requests take both fast paths (the others have a span to reject).
    expect(taken.wire).toBeGreaterThan(taken.bodies * 0.5);
    expect(taken.message).toBeGreaterThan(taken.bodies * 0.5);
  });

  it('protobufToSpans() - gives what the general path gives, for hostile protobuf bodies', () => {
    fc.assert(
      fc.property(
        fuzzBody({ maxDepth: 200, maxHugeChars: 128 * 1024 }).filter((input) => input.encoding === 'protobuf'),
        (input) => expectSame(input.body),
      ),
      { numRuns: 1500, seed: SEED },
    );
  });

  it('protobufToSpans() - takes every field of a valid request, odd values included, the way the general path does', () => {
    const traceId = newTraceId();
    const parent = spanRecord({ traceId, name: 'parent', kind: 'server', traceState: 'a=1', flags: 0x301, status: { code: 'ok' } });
    const { endTimeUnixNano: _end, ...inFlight } = spanRecord({ traceId, parentSpanId: parent.spanId, name: 'in flight' });
    const child = spanRecord({
      traceId,
      parentSpanId: parent.spanId,
      name: 'child ✓',
      kind: 'consumer',
      startTimeUnixNano: '18446744073709551615',
      endTimeUnixNano: '9007199254740993',
      attributes: {
        negative: -42,
        int32min: -2_147_483_648,
        big: 9_007_199_254_740_991,
        min: -9_007_199_254_740_991,
        double: -0.5,
        negativeZero: -0,
        nan: Number.NaN,
        infinity: Number.NEGATIVE_INFINITY,
        bytes: { bytesBase64: 'AAECAwQ=' },
        emptyBytes: { bytesBase64: '' },
        nested: { list: [1, 'two', null, { deep: [true, false, 0, ''] }] },
        empty: null,
        emptyString: '',
        unicode: 'naïve 🚀',
        ['__proto__']: 'data',
      },
      events: [
        { name: 'e', timeUnixNano: '1', attributes: { n: -1 }, droppedAttributesCount: 3 },
        { name: '', timeUnixNano: '4294967296', attributes: {} },
      ],
      links: [{ traceId: newTraceId(), spanId: 'ffffffffffffffff', traceState: 'b=2', attributes: { k: 'v' }, flags: 1, droppedAttributesCount: 1 }],
      status: { code: 'error', message: 'bad' },
      droppedAttributesCount: 1,
      droppedEventsCount: 2,
      droppedLinksCount: 3,
      resource: { serviceName: 'svc', attributes: { 'service.name': 'svc' }, droppedAttributesCount: 4, schemaUrl: 'https://opentelemetry.io/schemas/1.24.0' },
      scope: { name: 'lib', version: '2', attributes: { s: 1 }, droppedAttributesCount: 5, schemaUrl: 'https://example.com/s' },
    });
    const noService = spanRecord({ traceId: newTraceId(), resource: { serviceName: 'unknown_service', attributes: {} }, scope: { name: '' } });
    const request = spansToOtlp([parent, inFlight, child, noService]);
    // Things spansToOtlp never writes: an event without a time, a link with a bad id, a zero parent id.
    otlpSpan(request, child.spanId).events!.push({ timeUnixNano: '0', name: 'no time', attributes: [] });
    otlpSpan(request, child.spanId).links!.push({ traceId: '00000000000000000000000000000000', spanId: 'ffffffffffffffff', attributes: [] });
    otlpSpan(request, parent.spanId).parentSpanId = '0000000000000000';
    const body = protobufOf(request);
    expect(protobufToSpans(decodeOtlpProtobufMessage(body))).toBeDefined();
    expect(wireToSpans(body)).toBeDefined();
    expectSame(body);
  });

  it('protobufToSpans() - leaves requests with a span to reject, or values nested deep, to the general path', () => {
    let nested: AttributeValue = 'x';
    for (let i = 0; i < 12; i++) nested = [nested];
    const deep = spanRecord({ traceId: newTraceId(), attributes: { deep: nested } });
    const body = protobufOf(spansToOtlp([spanRecord({ traceId: newTraceId() }), deep]));
    expect(protobufToSpans(decodeOtlpProtobufMessage(body))).toBeUndefined();
    expect(wireToSpans(body)).toBeUndefined();
    expectSame(body);
    const zero = spanRecord({ traceId: newTraceId() });
    const request = spansToOtlp([spanRecord({ traceId: newTraceId() }), zero]);
    otlpSpan(request, zero.spanId).spanId = '0000000000000000';
    const rejecting = protobufOf(request);
    expect(protobufToSpans(decodeOtlpProtobufMessage(rejecting))).toBeUndefined();
    expect(wireToSpans(rejecting)).toBeUndefined();
    const result = decodeOtlpBody(rejecting, 'protobuf');
    expect(result.spans).toHaveLength(1);
    expect(result.rejected).toHaveLength(1);
    expectSame(rejecting);
  });

  it('protobufToSpans() - shares small repeated values frozen, and never confuses two values', () => {
    const traceId = newTraceId();
    const tricky: AttributeValue[][] = [['a', 'b'], ['a\u0000sb'], ['a\u0000s1:b'], [1, '1'], ['1', 1], [0], [-0], [true], ['true'], [null], ['null']];
    const spans = tricky.map((gate, i) => spanRecord({ traceId, name: `s${i}`, attributes: { gate }, events: [{ name: 'e', timeUnixNano: '1', attributes: { attempt: gate[0]! } }] }));
    const again = tricky.map((gate, i) => spanRecord({ traceId, name: `t${i}`, attributes: { gate }, events: [{ name: 'e', timeUnixNano: '1', attributes: { attempt: gate[0]! } }] }));
    // Each value twice in a row: the tables keep the last value per slot, so repeats close together share.
    const body = protobufOf(spansToOtlp(spans.flatMap((span, i) => [span, again[i]!])));
    expectSame(body);
    for (const decoded of [protobufToSpans(decodeOtlpProtobufMessage(body))!, wireToSpans(body)!]) {
    for (const [i, gate] of tricky.entries()) {
      const first = decoded.find((span) => span.name === `s${i}`)!;
      const second = decoded.find((span) => span.name === `t${i}`)!;
      expect(first.attributes.gate).toStrictEqual(gate);
      expect(Object.is((first.attributes.gate as AttributeValue[])[0], gate[0])).toBe(true);
      expect(second.attributes.gate).toBe(first.attributes.gate);
      expect(second.events[0]!.attributes).toBe(first.events[0]!.attributes);
      expect(Object.isFrozen(first.attributes.gate)).toBe(true);
      expect(() => (first.attributes.gate as AttributeValue[]).push('x')).toThrow(TypeError);
    }
    // Attribute objects are plain objects, as the general path makes them.
    expect(Object.getPrototypeOf(decoded[0]!.attributes)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(decoded[0]!.events[0]!.attributes)).toBe(Object.prototype);
    }
  });

  it('decimal() - writes any unsigned 64-bit Long exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (n) => {
        const low = Number(n & 0xffffffffn) | 0;
        const high = Number(n >> 32n) | 0;
        expect(decimal({ low, high, unsigned: true })).toBe(n.toString());
      }),
      { numRuns: 5000, seed: SEED },
    );
    for (const n of [0n, 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 10n ** 18n, 10n ** 19n, 2n ** 64n - 1n]) {
      expect(decimal({ low: Number(n & 0xffffffffn) | 0, high: Number(n >> 32n) | 0, unsigned: true })).toBe(n.toString());
    }
  });

  it('internString() - gives back a string equal to the one given', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 80 }), { maxLength: 50 }), (values) => {
        for (const value of values) expect(internString(value)).toBe(value);
      }),
      { seed: SEED },
    );
  });
});
