import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateSpanRecord } from '../src/formats/index.js';
import { InvalidOtlpRequestError, isInvalidOtlpRequestError, otlpToSpans } from '../src/otlp/index.js';
import { GenAiAttributes, OverlapAttributes, OverlapEvents } from '../src/attributes.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';
const PARENT = 'eee19b7ec3c1b173';

function request(spans: unknown[], resourceAttributes: unknown[] = [{ key: 'service.name', value: { stringValue: 'agent' } }]): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: resourceAttributes },
        scopeSpans: [{ scope: { name: 'overlap', version: '0.1.0' }, spans }],
      },
    ],
  };
}

function span(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: TRACE,
    spanId: SPAN,
    parentSpanId: PARENT,
    name: 'execute_tool search',
    kind: 3,
    startTimeUnixNano: '1764072000123456789',
    endTimeUnixNano: '1764072000223456789',
    attributes: [],
    status: {},
    ...overrides,
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe('otlpToSpans()', () => {
  it('otlpToSpans() - reads every field of a well-formed span', () => {
    const { spans, rejected } = otlpToSpans(
      request([
        span({
          traceState: 'vendor=1',
          flags: 257,
          attributes: [
            { key: GenAiAttributes.TOOL_NAME, value: { stringValue: 'search' } },
            { key: 'count', value: { intValue: '42' } },
            { key: 'ratio', value: { doubleValue: 0.25 } },
            { key: 'ok', value: { boolValue: true } },
            { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2 }] } } },
            { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } } },
            { key: 'blob', value: { bytesValue: 'AAEC' } },
            { key: 'empty', value: {} },
          ],
          droppedAttributesCount: 2,
          events: [{ timeUnixNano: '1764072000150000000', name: OverlapEvents.ATTEMPT_START, attributes: [{ key: OverlapAttributes.ATTEMPT, value: { intValue: '1' } }] }],
          links: [{ traceId: TRACE.toUpperCase(), spanId: 'aaaaaaaaaaaaaaaa', traceState: 'x=y', attributes: [], flags: 1 }],
          status: { code: 2, message: 'boom' },
        }),
      ]),
    );
    expect(rejected).toEqual([]);
    expect(spans).toEqual([
      {
        traceId: TRACE,
        spanId: SPAN,
        parentSpanId: PARENT,
        name: 'execute_tool search',
        kind: 'client',
        startTimeUnixNano: '1764072000123456789',
        endTimeUnixNano: '1764072000223456789',
        traceState: 'vendor=1',
        flags: 257,
        attributes: {
          [GenAiAttributes.TOOL_NAME]: 'search',
          count: 42,
          ratio: 0.25,
          ok: true,
          tags: ['a', 2],
          map: { k: 'v' },
          blob: { bytesBase64: 'AAEC' },
          empty: null,
        },
        droppedAttributesCount: 2,
        events: [{ name: OverlapEvents.ATTEMPT_START, timeUnixNano: '1764072000150000000', attributes: { [OverlapAttributes.ATTEMPT]: 1 } }],
        links: [{ traceId: TRACE, spanId: 'aaaaaaaaaaaaaaaa', traceState: 'x=y', attributes: {}, flags: 1 }],
        status: { code: 'error', message: 'boom' },
        resource: { serviceName: 'agent', attributes: { 'service.name': 'agent' } },
        scope: { name: 'overlap', version: '0.1.0' },
      },
    ]);
  });

  it('otlpToSpans() - rejects bad spans with a reason and keeps the others', () => {
    const good = span({ spanId: '1111111111111111' });
    const { spans, rejected } = otlpToSpans(
      request([
        span({ traceId: 'abc' }),
        span({ traceId: '0'.repeat(32), spanId: '2222222222222222' }),
        span({ spanId: '0000000000000000' }),
        span({ spanId: 'zzzzzzzzzzzzzzzz' }),
        span({ spanId: '3333333333333333', parentSpanId: '123' }),
        span({ spanId: '4444444444444444', startTimeUnixNano: undefined }),
        span({ spanId: '5555555555555555', startTimeUnixNano: 'yesterday' }),
        span({ spanId: '6666666666666666', endTimeUnixNano: '-5' }),
        span({ spanId: '7777777777777777', attributes: 'nope' }),
        'not a span',
        good,
      ]),
    );
    expect(spans.map((s) => s.spanId)).toEqual(['1111111111111111']);
    expect(rejected).toEqual([
      { reason: 'traceId must be 32 hex characters, not all zero', spanId: SPAN },
      { reason: 'traceId must be 32 hex characters, not all zero', spanId: '2222222222222222' },
      { reason: 'spanId must be 16 hex characters, not all zero', spanId: '0000000000000000' },
      { reason: 'spanId must be 16 hex characters, not all zero', spanId: 'zzzzzzzzzzzzzzzz' },
      { reason: 'parentSpanId must be empty or 16 hex characters', spanId: '3333333333333333' },
      { reason: 'startTimeUnixNano must be a positive integer (nanoseconds since the epoch)', spanId: '4444444444444444' },
      { reason: 'startTimeUnixNano must be a positive integer (nanoseconds since the epoch)', spanId: '5555555555555555' },
      { reason: 'endTimeUnixNano must be a non-negative integer (nanoseconds since the epoch)', spanId: '6666666666666666' },
      { reason: 'attributes must be an array', spanId: '7777777777777777' },
      { reason: 'span is not an object' },
    ]);
  });

  it('otlpToSpans() - tolerates numbers for times, enum names, base64 ids and missing optional fields', () => {
    const { spans, rejected } = otlpToSpans(
      request(
        [
          {
            traceId: Buffer.from(TRACE, 'hex').toString('base64'),
            spanId: Buffer.from(SPAN, 'hex').toString('base64'),
            startTimeUnixNano: 1_764_072_000_123_456_000,
            endTimeUnixNano: { low: 0x5e8f_8f00, high: 0x187c_5d2a },
            kind: 'SPAN_KIND_SERVER',
            status: { code: 'STATUS_CODE_OK' },
          },
        ],
        [],
      ),
    );
    expect(rejected).toEqual([]);
    expect(spans).toHaveLength(1);
    const [record] = spans;
    expect(record).toMatchObject({
      traceId: TRACE,
      spanId: SPAN,
      name: '',
      kind: 'server',
      startTimeUnixNano: BigInt(1_764_072_000_123_456_000).toString(),
      endTimeUnixNano: ((0x187c_5d2an << 32n) | 0x5e8f_8f00n).toString(),
      attributes: {},
      events: [],
      links: [],
      status: { code: 'ok' },
      resource: { serviceName: 'unknown_service', attributes: {} },
      scope: { name: 'overlap', version: '0.1.0' },
    });
    expect(record).not.toHaveProperty('parentSpanId');
  });

  it('otlpToSpans() - reads an end time of 0 or none as an in-flight span', () => {
    const { spans } = otlpToSpans(request([span({ endTimeUnixNano: '0' }), span({ spanId: '1111111111111111', endTimeUnixNano: undefined })]));
    expect(spans).toHaveLength(2);
    for (const record of spans) expect(record).not.toHaveProperty('endTimeUnixNano');
  });

  it('otlpToSpans() - treats an all-zero or empty parent span id as a root', () => {
    const { spans, rejected } = otlpToSpans(request([span({ parentSpanId: '0000000000000000' }), span({ spanId: '1111111111111111', parentSpanId: '' })]));
    expect(rejected).toEqual([]);
    expect(spans.map((record) => record.spanId)).toEqual([SPAN, '1111111111111111']);
    for (const record of spans) expect(record).not.toHaveProperty('parentSpanId');
  });

  it('otlpToSpans() - keeps 64-bit times exactly and strips leading zeros', () => {
    const { spans } = otlpToSpans(request([span({ startTimeUnixNano: '018446744073709551615', endTimeUnixNano: '18446744073709551615' })]));
    expect(spans[0]?.startTimeUnixNano).toBe('18446744073709551615');
    expect(spans[0]?.endTimeUnixNano).toBe('18446744073709551615');
  });

  it('otlpToSpans() - drops links with bad ids and events without a time, and counts them', () => {
    const { spans } = otlpToSpans(
      request([
        span({
          links: [{ traceId: 'bad', spanId: SPAN }, { traceId: TRACE, spanId: PARENT }],
          events: [{ name: 'no time' }, { name: 'ok', timeUnixNano: '5' }],
          attributes: [{ value: { stringValue: 'no key' } }, { key: 'a', value: { stringValue: 'b' } }],
          droppedLinksCount: 1,
        }),
      ]),
    );
    expect(spans[0]).toMatchObject({
      links: [{ traceId: TRACE, spanId: PARENT, attributes: {} }],
      droppedLinksCount: 2,
      events: [{ name: 'ok', timeUnixNano: '5', attributes: {} }],
      droppedEventsCount: 1,
      attributes: { a: 'b' },
      droppedAttributesCount: 1,
    });
  });

  it('otlpToSpans() - stores a __proto__ attribute key as data', () => {
    const { spans } = otlpToSpans(request([span({ attributes: [{ key: '__proto__', value: { stringValue: 'x' } }] })]));
    const attributes = spans[0]?.attributes ?? {};
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(Object.keys(attributes)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(attributes, '__proto__')?.value).toBe('x');
  });

  it('otlpToSpans() - rejects a span whose attributes nest too deep instead of overflowing the stack', () => {
    let value: unknown = { stringValue: 'leaf' };
    for (let i = 0; i < 10_000; i++) value = { arrayValue: { values: [value] } };
    const { spans, rejected } = otlpToSpans(request([span({ attributes: [{ key: 'deep', value }] }), span({ spanId: '1111111111111111' })]));
    expect(spans.map((s) => s.spanId)).toEqual(['1111111111111111']);
    expect(rejected[0]?.reason).toMatch(/nested deeper than 64/);
  });

  it('otlpToSpans() - names the resource unknown_service when it has no service.name', () => {
    const { spans } = otlpToSpans({ resourceSpans: [{ scopeSpans: [{ spans: [span()] }] }] });
    expect(spans[0]?.resource).toEqual({ serviceName: 'unknown_service', attributes: {} });
    expect(spans[0]?.scope).toEqual({ name: '' });
  });

  it('otlpToSpans() - reads the deprecated instrumentationLibrarySpans', () => {
    const { spans } = otlpToSpans({
      resourceSpans: [{ instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'old', version: '1' }, spans: [span()] }] }],
    });
    expect(spans[0]?.scope).toEqual({ name: 'old', version: '1' });
  });

  it('otlpToSpans() - accepts an empty request', () => {
    expect(otlpToSpans({})).toEqual({ spans: [], rejected: [] });
    expect(otlpToSpans({ resourceSpans: [] })).toEqual({ spans: [], rejected: [] });
  });

  it('otlpToSpans() - throws InvalidOtlpRequestError naming the path when the structure is unreadable', () => {
    const cases: Array<[unknown, string]> = [
      [null, 'the request'],
      [[], 'the request'],
      ['text', 'the request'],
      [{ resourceSpans: {} }, 'resourceSpans'],
      [{ resourceSpans: [5] }, 'resourceSpans[0]'],
      [{ resourceSpans: [{ scopeSpans: 'x' }] }, 'resourceSpans[0].scopeSpans'],
      [{ resourceSpans: [{ scopeSpans: [{ spans: {} }] }] }, 'resourceSpans[0].scopeSpans[0].spans'],
    ];
    for (const [input, path] of cases) {
      let caught: unknown;
      try {
        otlpToSpans(input);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidOtlpRequestError);
      expect(isInvalidOtlpRequestError(caught)).toBe(true);
      expect((caught as InvalidOtlpRequestError).path).toBe(path);
    }
  });

  it('otlpToSpans() - does not change its input', () => {
    const input = deepFreeze(request([span({ attributes: [{ key: 'a', value: { intValue: '1' } }], events: [{ name: 'e', timeUnixNano: '1' }] })]));
    const before = JSON.stringify(input);
    expect(() => otlpToSpans(input)).not.toThrow();
    expect(JSON.stringify(input)).toBe(before);
  });

  it('otlpToSpans() - rejects times past 2^64 - 1 and ignores flags past 2^32 - 1', () => {
    const { spans, rejected } = otlpToSpans(request([span({ startTimeUnixNano: '18446744073709551616' }), span({ spanId: '1111111111111111', flags: 2 ** 32 })]));
    expect(rejected.map((r) => r.spanId)).toEqual([SPAN]);
    expect(spans[0]).not.toHaveProperty('flags');
  });

  it('otlpToSpans() - writes bytes sent as base64url or unpadded as standard base64, and non-base64 as null', () => {
    const { spans } = otlpToSpans(
      request([
        span({
          attributes: [
            { key: 'url', value: { bytesValue: '-_8' } },
            { key: 'std', value: { bytesValue: '+/8=' } },
            { key: 'bad', value: { bytesValue: 'not base64!' } },
          ],
        }),
      ]),
    );
    expect(spans[0]?.attributes).toEqual({ url: { bytesBase64: '+/8=' }, std: { bytesBase64: '+/8=' }, bad: null });
  });

  it('otlpToSpans() - never throws on messy spans, and every span it returns is a valid record', () => {
    const hex = (length: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: length, maxLength: length });
    const maybe = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof(valid, fc.anything());
    const anyValue = fc.oneof(
      fc.record({ stringValue: fc.string() }),
      fc.record({ intValue: fc.oneof(fc.integer(), fc.string()) }),
      fc.record({ doubleValue: fc.oneof(fc.double(), fc.constantFrom('NaN', '-Infinity', 'x')) }),
      fc.record({ bytesValue: fc.string() }),
      fc.record({ arrayValue: fc.anything() }),
      fc.record({ kvlistValue: fc.anything() }),
      fc.anything(),
    );
    const keyValues = fc.array(fc.oneof(fc.record({ key: fc.string(), value: anyValue }), fc.anything()), { maxLength: 4 });
    const messySpan = fc.record(
      {
        traceId: maybe(hex(32)),
        spanId: maybe(hex(16)),
        parentSpanId: maybe(hex(16)),
        name: maybe(fc.string()),
        kind: maybe(fc.integer({ min: -1, max: 7 })),
        startTimeUnixNano: maybe(fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 65n }).map(String), fc.integer({ min: 0 }))),
        endTimeUnixNano: maybe(fc.bigInt({ min: 0n, max: 2n ** 65n }).map(String)),
        attributes: maybe(keyValues),
        events: maybe(fc.array(fc.record({ name: maybe(fc.string()), timeUnixNano: maybe(fc.integer({ min: 0 })), attributes: maybe(keyValues) }), { maxLength: 2 })),
        links: maybe(fc.array(fc.record({ traceId: maybe(hex(32)), spanId: maybe(hex(16)), flags: fc.anything(), attributes: maybe(keyValues) }), { maxLength: 2 })),
        status: maybe(fc.record({ code: maybe(fc.integer({ min: 0, max: 3 })), message: fc.anything() })),
        flags: fc.anything(),
        traceState: fc.anything(),
        droppedAttributesCount: fc.anything(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(messySpan, fc.anything()), { maxLength: 6 }), maybe(keyValues), (spans, resourceAttributes) => {
        const result = otlpToSpans({ resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ scope: { name: 'x' }, spans }] }] });
        expect(result.spans.length + result.rejected.length).toBe(spans.length);
        for (const record of result.spans) expect(validateSpanRecord(record)).toMatchObject({ valid: true });
      }),
      { numRuns: 500 },
    );
  });
});
