// Hostile OTLP/HTTP bodies for fuzzing `POST /v1/traces`, shared by the test suite (a few thousand
// inputs) and the reliability suite (bench/hostile.bench.ts: a million through the decoder, ten thousand
// over HTTP): valid requests in both encodings, then the same mutated (bytes flipped, inserted, deleted),
// truncated, nested thousands deep, with huge strings, or with every field of the wrong type.
import fc from 'fast-check';
import type { OtlpExportTraceServiceRequest } from '@overlap/shared';
import { isInvalidOtlpRequestError } from '@overlap/shared';
import { isOtlpBodyDecodeError } from '../../src/server/errors/OtlpBodyDecodeError.js';
import { decodeOtlpBody } from '../../src/server/ingest/decodeOtlpBody.js';
import { encodeOtlpProtobufRequest } from '../../src/server/testing/index.js';

/** One fuzz input: a body and the `Content-Type` it is sent with. */
export interface FuzzBody {
  readonly kind: string;
  readonly encoding: 'protobuf' | 'json';
  readonly body: Uint8Array;
}

/** What the decoder did with an input: stored spans (some may be `rejected`) or refused it whole (a 400). */
export type DecodeOutcome = 'accepted' | 'refused';

/**
 * Runs one input through exactly what `POST /v1/traces` runs once the body is read ({@link decodeOtlpBody}).
 *
 * @throws whatever the decoder throws that is not one of the two refusals it documents: a crash.
 */
export function decodeOutcome(input: FuzzBody): DecodeOutcome {
  try {
    decodeOtlpBody(input.body, input.encoding);
    return 'accepted';
  } catch (error) {
    if (isOtlpBodyDecodeError(error) || isInvalidOtlpRequestError(error)) return 'refused';
    throw error;
  }
}

const HEX = [...'0123456789abcdef'];
const hexId = (length: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...HEX), minLength: length, maxLength: length });
const nanos = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);
const text = fc.string({ maxLength: 24 });

interface AnyValueShape {
  [key: string]: unknown;
}

const anyValue: fc.Arbitrary<AnyValueShape> = fc.letrec<{ value: AnyValueShape }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text.map((stringValue) => ({ stringValue })),
    fc.boolean().map((boolValue) => ({ boolValue })),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => ({ intValue: String(n) })),
    fc.double().map((doubleValue) => ({ doubleValue: Number.isFinite(doubleValue) ? doubleValue : String(doubleValue) })),
    fc.array(tie('value'), { maxLength: 3 }).map((values) => ({ arrayValue: { values } })),
    fc.array(fc.record({ key: text, value: tie('value') }), { maxLength: 3 }).map((values) => ({ kvlistValue: { values } })),
    fc.uint8Array({ maxLength: 12 }).map((bytes) => ({ bytesValue: Buffer.from(bytes).toString('base64') })),
  ),
})).value;

const attributes = fc.array(fc.record({ key: text, value: anyValue }), { maxLength: 4 });

const span = fc.record(
  {
    traceId: hexId(32),
    spanId: hexId(16),
    parentSpanId: fc.oneof(hexId(16), fc.constant('')),
    name: text,
    kind: fc.integer({ min: 0, max: 5 }),
    startTimeUnixNano: nanos,
    endTimeUnixNano: nanos,
    attributes,
    events: fc.array(fc.record({ timeUnixNano: nanos, name: text, attributes }), { maxLength: 2 }),
    links: fc.array(fc.record({ traceId: hexId(32), spanId: hexId(16), attributes }), { maxLength: 2 }),
    status: fc.record({ code: fc.integer({ min: 0, max: 2 }), message: text }, { requiredKeys: [] }),
  },
  { requiredKeys: ['traceId', 'spanId', 'name', 'startTimeUnixNano'] },
);

/** A structurally valid OTLP/JSON `ExportTraceServiceRequest` (ids may be all zero, times odd). */
export const otlpRequest: fc.Arbitrary<OtlpExportTraceServiceRequest> = fc
  .array(
    fc.record({
      resource: fc.record({ attributes }),
      scopeSpans: fc.array(fc.record({ scope: fc.record({ name: text, version: text }), spans: fc.array(span, { maxLength: 4 }) }), { maxLength: 2 }),
    }),
    { maxLength: 2 },
  )
  .map((resourceSpans) => ({ resourceSpans }) as OtlpExportTraceServiceRequest);

/** A mutation of bytes: flips, insertions, deletions or a truncation, at places chosen by fast-check. */
const mutation = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
    fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  ),
  { minLength: 1, maxLength: 4 },
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(bytes: Uint8Array, edits: Mutation): Uint8Array {
  let out = Buffer.from(bytes);
  for (const edit of edits) {
    const at = out.length === 0 ? 0 : edit.at % (out.length + 1);
    if (edit.op === 'flip' && out.length > 0) out[at % out.length] = edit.byte;
    else if (edit.op === 'insert') out = Buffer.concat([out.subarray(0, at), edit.bytes, out.subarray(at)]);
    else if (edit.op === 'delete') out = Buffer.concat([out.subarray(0, at), out.subarray(at + edit.length)]);
    else if (edit.op === 'truncate') out = out.subarray(0, at);
  }
  return out;
}

const protobufOf = (request: OtlpExportTraceServiceRequest): Uint8Array => encodeOtlpProtobufRequest(request);
const jsonOf = (request: OtlpExportTraceServiceRequest): Uint8Array => Buffer.from(JSON.stringify(request));

// ------------------------------------------------------------------------- hand-built protobuf nesting

function varint(value: number): number[] {
  const bytes: number[] = [];
  let v = value;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return bytes;
}

/** A length-delimited field: tag (field number, wire type 2), length, payload. */
function field(fieldNumber: number, payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(varint((fieldNumber << 3) | 2)), Buffer.from(varint(payload.length)), payload]);
}

/**
 * A protobuf request with one span whose one attribute value is `depth` arrays deep (AnyValue.array_value
 * = 5, ArrayValue.values = 1), built by hand: no encoder would write it.
 */
export function deepProtobuf(depth: number): Uint8Array {
  // Lengths from the inside out, then one buffer written from the outside in (concatenating level by
  // level would copy the whole value at every level).
  const inner = Buffer.from([0x18, 0x01]); // AnyValue.int_value = 1
  const anyValueLengths = [inner.length];
  const arrayValueLengths = [0];
  for (let level = 1; level <= depth; level++) {
    const arrayValue = 1 + varint(anyValueLengths[level - 1]!).length + anyValueLengths[level - 1]!;
    arrayValueLengths.push(arrayValue);
    anyValueLengths.push(1 + varint(arrayValue).length + arrayValue);
  }
  const value = Buffer.alloc(anyValueLengths[depth]!);
  let at = 0;
  for (let level = depth; level >= 1; level--) {
    for (const byte of [0x2a, ...varint(arrayValueLengths[level]!), 0x0a, ...varint(anyValueLengths[level - 1]!)]) value[at++] = byte;
  }
  inner.copy(value, at);
  const keyValue = Buffer.concat([field(1, Buffer.from('k')), field(2, value)]);
  const spanBytes = Buffer.concat([
    field(1, Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex')),
    field(2, Buffer.from('b7ad6b7169203331', 'hex')),
    field(5, Buffer.from('deep')),
    Buffer.from([0x39, 1, 0, 0, 0, 0, 0, 0, 0]), // start_time_unix_nano (fixed64) = 1
    field(9, keyValue),
  ]);
  return field(1, field(2, field(2, spanBytes)));
}

/** The same nesting in OTLP/JSON, or plain JSON arrays nested `depth` deep. */
export function deepJson(depth: number, plain: boolean): Uint8Array {
  if (plain) return Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`);
  const value = `${'{"arrayValue":{"values":['.repeat(depth)}{"intValue":"1"}${']}}'.repeat(depth)}`;
  return Buffer.from(
    `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"deep","startTimeUnixNano":"1","attributes":[{"key":"k","value":${value}}]}]}]}]}`,
  );
}

const SPAN_KEYS = ['traceId', 'spanId', 'parentSpanId', 'name', 'kind', 'startTimeUnixNano', 'endTimeUnixNano', 'attributes', 'events', 'links', 'status', 'droppedAttributesCount', 'flags'];

/** A request whose every level may hold any JSON value instead of what OTLP wants. */
const wrongTypes = fc.record({
  resourceSpans: fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.array(
      fc.record({
        resource: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ attributes: fc.jsonValue({ maxDepth: 2 }) })),
        scopeSpans: fc.oneof(
          fc.jsonValue({ maxDepth: 2 }),
          fc.array(fc.record({ scope: fc.jsonValue({ maxDepth: 1 }), spans: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.array(fc.dictionary(fc.constantFrom(...SPAN_KEYS), fc.jsonValue({ maxDepth: 2 })), { maxLength: 3 })) }), { maxLength: 2 }),
        ),
      }),
      { maxLength: 2 },
    ),
  ),
});

/** Bodies nested up to `maxDepth` deep: OTLP arrays in protobuf and JSON, and bare JSON arrays. */
export function deepBody(maxDepth: number): fc.Arbitrary<FuzzBody> {
  return fc.oneof(
    fc.integer({ min: 1, max: maxDepth }).map((d): FuzzBody => ({ kind: 'protobuf deep', encoding: 'protobuf', body: deepProtobuf(d) })),
    fc.tuple(fc.integer({ min: 1, max: maxDepth }), fc.boolean()).map(([d, plain]): FuzzBody => ({ kind: 'json deep', encoding: 'json', body: deepJson(d, plain) })),
  );
}

/** Valid requests with one span whose name and attribute are from 64 KiB up to `maxChars` characters. */
export function hugeBody(maxChars: number): fc.Arbitrary<FuzzBody> {
  return fc.tuple(otlpRequest, fc.integer({ min: 64 * 1024, max: maxChars }), fc.boolean()).map(([r, chars, asProtobuf]): FuzzBody => {
    const request: OtlpExportTraceServiceRequest = {
      resourceSpans: [
        ...(r.resourceSpans ?? []),
        {
          scopeSpans: [
            {
              spans: [
                { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'x'.repeat(chars), startTimeUnixNano: '1', attributes: [{ key: 'k'.repeat(chars >> 2), value: { stringValue: 'v'.repeat(chars) } }] },
              ],
            },
          ],
        },
      ],
    };
    return asProtobuf ? { kind: 'protobuf huge strings', encoding: 'protobuf', body: protobufOf(request) } : { kind: 'json huge strings', encoding: 'json', body: jsonOf(request) };
  });
}

/** Options of {@link fuzzBody}. */
export interface FuzzBodyOptions {
  /** Deepest nesting tried. @defaultValue 20000 */
  maxDepth?: number;
  /** Longest huge string tried, in characters. @defaultValue 2 MiB */
  maxHugeChars?: number;
}

/**
 * Every kind of hostile body. The expensive ones ({@link deepBody}, {@link hugeBody}) are about one input
 * in two thousand, so a million inputs run in minutes; a test checks them on their own too.
 */
export function fuzzBody(options: FuzzBodyOptions = {}): fc.Arbitrary<FuzzBody> {
  const maxDepth = options.maxDepth ?? 20_000;
  const maxHugeChars = options.maxHugeChars ?? 2 * 1024 * 1024;
  return fc.oneof(
    { arbitrary: otlpRequest.map((r): FuzzBody => ({ kind: 'protobuf valid', encoding: 'protobuf', body: protobufOf(r) })), weight: 300 },
    { arbitrary: otlpRequest.map((r): FuzzBody => ({ kind: 'json valid', encoding: 'json', body: jsonOf(r) })), weight: 300 },
    { arbitrary: fc.tuple(otlpRequest, mutation).map(([r, m]): FuzzBody => ({ kind: 'protobuf mutated', encoding: 'protobuf', body: mutate(protobufOf(r), m) })), weight: 600 },
    { arbitrary: fc.tuple(otlpRequest, mutation).map(([r, m]): FuzzBody => ({ kind: 'json mutated', encoding: 'json', body: mutate(jsonOf(r), m) })), weight: 600 },
    {
      arbitrary: fc.tuple(otlpRequest, fc.nat()).map(([r, n]): FuzzBody => {
        const b = protobufOf(r);
        return { kind: 'protobuf truncated', encoding: 'protobuf', body: b.subarray(0, b.length === 0 ? 0 : n % b.length) };
      }),
      weight: 300,
    },
    {
      arbitrary: fc.tuple(otlpRequest, fc.nat()).map(([r, n]): FuzzBody => {
        const b = jsonOf(r);
        return { kind: 'json truncated', encoding: 'json', body: b.subarray(0, n % b.length) };
      }),
      weight: 300,
    },
    { arbitrary: fc.uint8Array({ maxLength: 256 }).map((body): FuzzBody => ({ kind: 'protobuf random bytes', encoding: 'protobuf', body })), weight: 300 },
    { arbitrary: fc.uint8Array({ maxLength: 256 }).map((body): FuzzBody => ({ kind: 'json random bytes', encoding: 'json', body })), weight: 200 },
    { arbitrary: wrongTypes.map((r): FuzzBody => ({ kind: 'json wrong types', encoding: 'json', body: Buffer.from(JSON.stringify(r)) })), weight: 400 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v): FuzzBody => ({ kind: 'json any value', encoding: 'json', body: Buffer.from(JSON.stringify(v) ?? 'null') })), weight: 200 },
    { arbitrary: deepBody(maxDepth), weight: 1 },
    { arbitrary: hugeBody(maxHugeChars), weight: 1 },
  );
}
