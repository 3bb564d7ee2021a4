import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateSpanRecord } from '../src/formats/index.js';
import type { AttributeValue, Attributes, ResourceRecord, ScopeRecord, SpanRecord } from '../src/model.js';
import { fromOtlpAnyValue, otlpToSpans, spansToOtlp, toOtlpAnyValue } from '../src/otlp/index.js';

// Arbitraries of *canonical* records: what otlpToSpans produces. Optional strings are non-empty and optional
// counts and flags positive (proto3 cannot tell them from absent), and no map has `bytesBase64` as a key.

const hexId = (bytes: number): fc.Arbitrary<string> =>
  fc
    .string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: bytes * 2, maxLength: bytes * 2 })
    .filter((id) => /[^0]/.test(id));
const nanos = fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map(String);
const nonEmpty = fc.string({ minLength: 1, maxLength: 12 });
const count = fc.integer({ min: 1, max: 10_000 });
const key = fc.oneof(fc.string({ maxLength: 10 }).filter((k) => k !== 'bytesBase64'), fc.constantFrom('__proto__', 'constructor', 'service.name'));

const { attributeValue } = fc.letrec<{ attributeValue: AttributeValue }>((tie) => ({
  attributeValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 12 }),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double(),
    fc.constant(null),
    fc.base64String({ maxLength: 12 }).map((bytesBase64) => ({ bytesBase64 })),
    fc.array(tie('attributeValue'), { maxLength: 3 }),
    fc.dictionary(key, tie('attributeValue'), { maxKeys: 3, noNullPrototype: true }),
  ),
}));
const attributes: fc.Arbitrary<Attributes> = fc.dictionary(key, attributeValue, { maxKeys: 4, noNullPrototype: true });

const resource = (group: number): fc.Arbitrary<ResourceRecord> =>
  fc
    .record(
      { attributes, serviceName: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }), droppedAttributesCount: count, schemaUrl: nonEmpty },
      { requiredKeys: ['attributes', 'serviceName'] },
    )
    .map(({ attributes: attrs, serviceName, ...rest }) => {
      // The group number keeps generated resources distinct, so groups never merge by accident.
      const all: Attributes = { ...attrs, 'test.group': group };
      if (serviceName !== undefined) all['service.name'] = serviceName;
      else delete all['service.name'];
      const name = all['service.name'];
      return { ...rest, attributes: all, serviceName: typeof name === 'string' && name !== '' ? name : 'unknown_service' };
    });

const scope: fc.Arbitrary<ScopeRecord> = fc.record(
  {
    name: fc.string({ maxLength: 8 }),
    version: nonEmpty,
    attributes: attributes.filter((a) => Object.keys(a).length > 0),
    droppedAttributesCount: count,
    schemaUrl: nonEmpty,
  },
  { requiredKeys: ['name'] },
);

const spanBody = fc.record(
  {
    traceId: hexId(16),
    spanId: hexId(8),
    parentSpanId: hexId(8),
    name: fc.string({ maxLength: 16 }),
    kind: fc.constantFrom('unspecified', 'internal', 'server', 'client', 'producer', 'consumer' as const),
    startTimeUnixNano: nanos,
    endTimeUnixNano: nanos,
    attributes,
    events: fc.array(
      fc.record({ name: fc.string({ maxLength: 8 }), timeUnixNano: nanos, attributes, droppedAttributesCount: count }, { requiredKeys: ['name', 'timeUnixNano', 'attributes'] }),
      { maxLength: 3 },
    ),
    links: fc.array(
      fc.record(
        { traceId: hexId(16), spanId: hexId(8), traceState: nonEmpty, attributes, droppedAttributesCount: count, flags: fc.integer({ min: 1, max: 0xffff_ffff }) },
        { requiredKeys: ['traceId', 'spanId', 'attributes'] },
      ),
      { maxLength: 2 },
    ),
    status: fc.record({ code: fc.constantFrom('unset', 'ok', 'error' as const), message: nonEmpty }, { requiredKeys: ['code'] }),
    traceState: nonEmpty,
    flags: fc.integer({ min: 1, max: 0xffff_ffff }),
    droppedAttributesCount: count,
    droppedEventsCount: count,
    droppedLinksCount: count,
  },
  { requiredKeys: ['traceId', 'spanId', 'name', 'kind', 'startTimeUnixNano', 'attributes', 'events', 'links', 'status'] },
);

/** Spans already grouped by resource and scope, as a list of groups of distinct resources. */
const groupedSpans: fc.Arbitrary<SpanRecord[]> = fc
  .array(fc.constant(null), { maxLength: 3 })
  .chain((groups) =>
    fc.tuple(
      ...groups.map((_, group) =>
        fc.tuple(resource(group), fc.array(fc.tuple(scope, fc.array(spanBody, { minLength: 1, maxLength: 4 })), { minLength: 1, maxLength: 2 })),
      ),
    ),
  )
  .map((groups) =>
    groups.flatMap(([res, scopes]) =>
      // Scopes of one resource are made distinct by their position.
      scopes.flatMap(([sc, bodies], index) => bodies.map((body): SpanRecord => ({ ...body, resource: res, scope: { ...sc, name: `${sc.name}#${index}` } }))),
    ),
  );

const identify = (s: SpanRecord): string => JSON.stringify(s);

describe('spansToOtlp()', () => {
  it('spansToOtlp() - otlpToSpans() reads back exactly the spans it was given', () => {
    fc.assert(
      fc.property(groupedSpans, (spans) => {
        const decoded = otlpToSpans(JSON.parse(JSON.stringify(spansToOtlp(spans))));
        expect(decoded.rejected).toEqual([]);
        expect(decoded.spans).toEqual(spans);
        for (const span of decoded.spans) expect(validateSpanRecord(span).valid).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('spansToOtlp() - keeps every span when resources are interleaved, regrouping them', () => {
    fc.assert(
      fc.property(
        groupedSpans.chain((spans) => fc.shuffledSubarray(spans, { minLength: spans.length, maxLength: spans.length })),
        (spans) => {
          const request = spansToOtlp(spans);
          const decoded = otlpToSpans(request).spans;
          const byId = (list: SpanRecord[]): SpanRecord[] => [...list].sort((a, b) => (identify(a) < identify(b) ? -1 : identify(a) > identify(b) ? 1 : 0));
          expect(byId(decoded)).toEqual(byId(spans));
          const groupCount = new Set(spans.map((s) => s.resource.attributes['test.group'])).size;
          expect(request.resourceSpans).toHaveLength(groupCount);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('spansToOtlp() - writes an in-flight span with endTimeUnixNano "0" and it reads back in flight', () => {
    const span: SpanRecord = {
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      name: 'queue tools',
      kind: 'internal',
      startTimeUnixNano: '1764072000123456789',
      attributes: {},
      events: [],
      links: [],
      status: { code: 'unset' },
      resource: { serviceName: 'agent', attributes: { 'service.name': 'agent' } },
      scope: { name: 'overlap' },
    };
    const request = spansToOtlp([span]);
    expect(request.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]?.endTimeUnixNano).toBe('0');
    expect(otlpToSpans(request).spans).toEqual([span]);
  });

  it('spansToOtlp() - adds service.name to a resource that lacks it, so the name survives', () => {
    const span: SpanRecord = {
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      name: 'x',
      kind: 'internal',
      startTimeUnixNano: '1',
      endTimeUnixNano: '2',
      attributes: {},
      events: [],
      links: [],
      status: { code: 'ok' },
      resource: { serviceName: 'billing', attributes: { host: 'a' } },
      scope: { name: 's' },
    };
    const [decoded] = otlpToSpans(spansToOtlp([span])).spans;
    expect(decoded?.resource).toEqual({ serviceName: 'billing', attributes: { 'service.name': 'billing', host: 'a' } });
  });

  it('spansToOtlp() - writes 64-bit integers as strings, ids as hex and enums as integers', () => {
    const request = spansToOtlp([
      {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        name: 'x',
        kind: 'client',
        startTimeUnixNano: '1764072000123456789',
        endTimeUnixNano: '1764072000123456790',
        attributes: { n: 7, d: 1.5, nan: Number.NaN },
        events: [],
        links: [],
        status: { code: 'error', message: 'bad' },
        resource: { serviceName: 'unknown_service', attributes: {} },
        scope: { name: 's' },
      },
    ]);
    expect(request.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]).toMatchObject({
      kind: 3,
      startTimeUnixNano: '1764072000123456789',
      attributes: [
        { key: 'n', value: { intValue: '7' } },
        { key: 'd', value: { doubleValue: 1.5 } },
        { key: 'nan', value: { doubleValue: 'NaN' } },
      ],
      status: { code: 2, message: 'bad' },
    });
    expect(request.resourceSpans?.[0]?.resource).toEqual({ attributes: [] });
  });

  it('spansToOtlp() - does not change its input', () => {
    fc.assert(
      fc.property(groupedSpans, (spans) => {
        const before = JSON.stringify(spans);
        spansToOtlp(spans);
        expect(JSON.stringify(spans)).toBe(before);
      }),
      { numRuns: 50 },
    );
  });
});

describe('toOtlpAnyValue()', () => {
  it('toOtlpAnyValue() - fromOtlpAnyValue() reads back every value, through JSON', () => {
    fc.assert(
      fc.property(attributeValue, (value) => {
        expect(fromOtlpAnyValue(JSON.parse(JSON.stringify(toOtlpAnyValue(value))))).toEqual(value);
      }),
      { numRuns: 500 },
    );
  });
});
