/**
 * fast-check arbitraries for the span model: valid {@link SpanRecord}s of every shape the model allows,
 * with awkward keys (ones the Jaeger mapping uses, `__proto__`) and awkward times (sub-microsecond
 * digits, up to 2^64 - 1).
 */
import fc from 'fast-check';
import type { AttributeValue, Attributes, ResourceRecord, ScopeRecord, SpanEventRecord, SpanLinkRecord, SpanRecord } from '../src/model.js';
import { GenAiAttributes, OverlapAttributes, OverlapJaegerTags } from '../src/attributes.js';

export interface SpanArbitraryOptions {
  /**
   * Also generate `NaN`, `±Infinity` and `-0` (which JSON numbers cannot hold) as top-level attribute
   * values. Inside arrays and maps they are never generated: both formats write those as JSON, where
   * they become `null`.
   */
  nonFiniteNumbers?: boolean;
}

const hexChar = fc.constantFrom(...'0123456789abcdef');
const hexId = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: hexChar, minLength: length, maxLength: length }).filter((value) => !/^0+$/.test(value));

export const traceIdArbitrary = hexId(32);
export const spanIdArbitrary = hexId(16);

/** Decimal nanosecond strings: mostly today's epoch with random sub-microsecond digits, sometimes anything up to 2^64 - 1. */
export const nanosArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: 1_700_000_000_000_000_000n, max: 1_800_000_000_000_000_000n }).map(String) },
  { weight: 1, arbitrary: fc.bigInt({ min: 1_700_000_000_000_000n, max: 1_800_000_000_000_000n }).map((micros) => `${micros}000`) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String) },
);

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 6 }));

/** Keys, including ones the Jaeger mapping uses for itself and one JavaScript treats specially. */
export const attributeKeyArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 10 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'error', 'span.kind', 'event', 'otel.status_code', 'otel.status_description', 'otel.scope.name', 'otel.library.name',
      'w3c.tracestate', 'otel.dropped_attributes_count', `${OverlapJaegerTags.ESCAPE_PREFIX}error`, `${OverlapJaegerTags.MARKER_PREFIX}in_flight`,
      `${OverlapJaegerTags.MARKER_PREFIX}json_keys`, OverlapJaegerTags.START_NANOS, OverlapJaegerTags.EVENT_NANOS, 'service.name', '__proto__',
      GenAiAttributes.TOOL_NAME, OverlapAttributes.GATE,
    ),
  },
);

const numberArbitrary: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => (Object.is(value, -0) ? 0 : value)),
);

/** An object built with own properties only (so `__proto__` is an ordinary key), from entries. */
export function objectFrom<T>(entries: ReadonlyArray<readonly [string, T]>): Record<string, T> {
  const object: Record<string, T> = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

const bytesArbitrary = fc.uint8Array({ maxLength: 9 }).map((bytes) => ({ bytesBase64: btoa(String.fromCharCode(...bytes)) }));

export function attributeValueArbitrary(options: SpanArbitraryOptions = {}): fc.Arbitrary<AttributeValue> {
  const { value } = fc.letrec<{ value: AttributeValue; leaf: AttributeValue; node: AttributeValue }>((tie) => ({
    leaf: fc.oneof(text, numberArbitrary, fc.boolean(), fc.constant(null), bytesArbitrary),
    node: fc.oneof(
      fc.array(tie('value'), { maxLength: 3 }),
      fc
        .array(fc.tuple(attributeKeyArbitrary, tie('value')), { maxLength: 3 })
        .map((entries) => objectFrom(entries))
        // A map whose only key is bytesBase64 is how the model spells bytes; skip the ambiguous ones.
        .filter((object) => !(Object.keys(object).length === 1 && Object.hasOwn(object, 'bytesBase64'))),
    ),
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('node')),
  }));
  return options.nonFiniteNumbers === true ? fc.oneof({ weight: 8, arbitrary: value }, { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0) }) : value;
}

export function attributesArbitrary(options: SpanArbitraryOptions = {}): fc.Arbitrary<Attributes> {
  return fc.array(fc.tuple(attributeKeyArbitrary, attributeValueArbitrary(options)), { maxLength: 5 }).map((entries) => objectFrom(entries));
}

const countArbitrary = fc.nat({ max: 1000 });
const flagsArbitrary = fc.nat({ max: 0xffffffff });

export function spanRecordArbitrary(options: SpanArbitraryOptions = {}): fc.Arbitrary<SpanRecord> {
  const attributes = attributesArbitrary(options);
  const event: fc.Arbitrary<SpanEventRecord> = fc.record(
    { name: text, timeUnixNano: nanosArbitrary, attributes, droppedAttributesCount: countArbitrary },
    { requiredKeys: ['name', 'timeUnixNano', 'attributes'] },
  );
  const link: fc.Arbitrary<SpanLinkRecord> = fc.record(
    { traceId: traceIdArbitrary, spanId: spanIdArbitrary, traceState: text, attributes, droppedAttributesCount: countArbitrary, flags: flagsArbitrary },
    { requiredKeys: ['traceId', 'spanId', 'attributes'] },
  );
  const resource: fc.Arbitrary<ResourceRecord> = fc.record(
    { serviceName: text, attributes, droppedAttributesCount: countArbitrary, schemaUrl: text },
    { requiredKeys: ['serviceName', 'attributes'] },
  );
  const scope: fc.Arbitrary<ScopeRecord> = fc.record(
    { name: text, version: text, attributes, droppedAttributesCount: countArbitrary, schemaUrl: text },
    { requiredKeys: ['name'] },
  );
  return fc.record(
    {
      traceId: traceIdArbitrary,
      spanId: spanIdArbitrary,
      parentSpanId: spanIdArbitrary,
      name: text,
      kind: fc.constantFrom('unspecified', 'internal', 'server', 'client', 'producer', 'consumer'),
      startTimeUnixNano: nanosArbitrary,
      endTimeUnixNano: nanosArbitrary,
      attributes,
      events: fc.array(event, { maxLength: 3 }),
      links: fc.array(link, { maxLength: 3 }),
      status: fc.record({ code: fc.constantFrom('unset', 'ok', 'error'), message: text }, { requiredKeys: ['code'] }),
      resource,
      scope,
      traceState: text,
      flags: flagsArbitrary,
      droppedAttributesCount: countArbitrary,
      droppedEventsCount: countArbitrary,
      droppedLinksCount: countArbitrary,
    },
    {
      requiredKeys: ['traceId', 'spanId', 'name', 'kind', 'startTimeUnixNano', 'attributes', 'events', 'links', 'status', 'resource', 'scope'],
    },
  ) as fc.Arbitrary<SpanRecord>;
}
