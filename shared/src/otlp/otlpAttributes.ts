/**
 * Converting OTLP `AnyValue`s and `KeyValue` lists to the model's {@link AttributeValue}s and back.
 *
 * Mapping (model ⇄ OTLP): string ⇄ `stringValue`; boolean ⇄ `boolValue`; a safe integer ⇄ `intValue`
 * (a decimal string); any other number ⇄ `doubleValue` (`"NaN"`, `"Infinity"`, `"-Infinity"`, `"-0"` for
 * the values JSON cannot hold); `null` ⇄ an empty `AnyValue`; array ⇄ `arrayValue`; `{ bytesBase64 }` ⇄ `bytesValue`;
 * any other object ⇄ `kvlistValue`. Bytes read in base64url or without padding are written back as standard
 * padded base64; a `bytesValue` that is not base64 at all reads as `null`. So `fromOtlpAnyValue(toOtlpAnyValue(v))` equals `v`, except for a
 * map whose only key is `bytesBase64` with a string value, which reads back as bytes. Integers past
 * 2^53 lose precision (the model keeps numbers).
 *
 * @packageDocumentation
 */
import type { AttributeValue, Attributes } from '../model.js';
import type { OtlpAnyValue, OtlpKeyValue } from './types.js';

/** Deepest nesting of arrays and maps read; deeper values are refused rather than overflowing the stack. */
export const MAX_ATTRIBUTE_DEPTH = 64;

/** Thrown by the readers here on input too deeply nested; {@link otlpToSpans} turns it into a rejected span. */
export class AttributeDepthError extends Error {
  readonly code = 'OVERLAP_ATTRIBUTE_TOO_DEEP' as const;
  constructor() {
    super(`attribute values nested deeper than ${MAX_ATTRIBUTE_DEPTH} levels`);
    this.name = 'AttributeDepthError';
  }
}

/**
 * Reads an OTLP `AnyValue` (as JSON) into a model value. Anything unreadable becomes `null`.
 *
 * @example
 * ```ts
 * fromOtlpAnyValue({ intValue: '42' });                         // 42
 * fromOtlpAnyValue({ arrayValue: { values: [{ boolValue: true }] } }); // [true]
 * ```
 */
export function fromOtlpAnyValue(value: unknown, depth = 0): AttributeValue {
  if (typeof value !== 'object' || value === null) return null;
  if (depth > MAX_ATTRIBUTE_DEPTH) throw new AttributeDepthError();
  const v = value as Record<string, unknown>;
  if (v.stringValue !== undefined && v.stringValue !== null) return typeof v.stringValue === 'string' ? v.stringValue : String(v.stringValue);
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (v.intValue !== undefined && v.intValue !== null) return readInt(v.intValue);
  if (v.doubleValue !== undefined && v.doubleValue !== null) return readDouble(v.doubleValue);
  if (typeof v.arrayValue === 'object' && v.arrayValue !== null) {
    const values = (v.arrayValue as { values?: unknown }).values;
    if (!Array.isArray(values)) return [];
    return values.map((item) => fromOtlpAnyValue(item, depth + 1));
  }
  if (typeof v.kvlistValue === 'object' && v.kvlistValue !== null) {
    return fromOtlpKeyValues((v.kvlistValue as { values?: unknown }).values, depth + 1).attributes;
  }
  if (typeof v.bytesValue === 'string') {
    const bytesBase64 = canonicalBase64(v.bytesValue);
    return bytesBase64 === undefined ? null : { bytesBase64 };
  }
  return null;
}

/**
 * Reads a list of OTLP `KeyValue`s into attributes. A later duplicate key wins; entries without a string
 * key are skipped and counted in `dropped`.
 *
 * @example
 * ```ts
 * fromOtlpKeyValues([{ key: 'gen_ai.tool.name', value: { stringValue: 'search' } }]);
 * // { attributes: { 'gen_ai.tool.name': 'search' }, dropped: 0 }
 * ```
 */
export function fromOtlpKeyValues(list: unknown, depth = 0): { attributes: Attributes; dropped: number } {
  const attributes: Attributes = {};
  let dropped = 0;
  if (!Array.isArray(list)) return { attributes, dropped };
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null || typeof (entry as { key?: unknown }).key !== 'string') {
      dropped++;
      continue;
    }
    const { key, value } = entry as { key: string; value?: unknown };
    setOwn(attributes, key, fromOtlpAnyValue(value, depth));
  }
  return { attributes, dropped };
}

/**
 * Writes a model value as an OTLP `AnyValue` (JSON encoding).
 *
 * @example
 * ```ts
 * toOtlpAnyValue(1.5);     // { doubleValue: 1.5 }
 * toOtlpAnyValue(['a']);   // { arrayValue: { values: [{ stringValue: 'a' }] } }
 * ```
 */
export function toOtlpAnyValue(value: AttributeValue): OtlpAnyValue {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) return { intValue: String(value) };
    // JSON has no -0, NaN or infinities: write them as the strings the proto3 JSON mapping accepts.
    if (Object.is(value, -0)) return { doubleValue: '-0' };
    return { doubleValue: Number.isFinite(value) ? value : String(value) };
  }
  if (value === null) return {};
  if (Array.isArray(value)) return { arrayValue: { values: value.map(toOtlpAnyValue) } };
  if (isBytes(value)) return { bytesValue: value.bytesBase64 };
  return { kvlistValue: { values: toOtlpKeyValues(value as Attributes) } };
}

/** Writes attributes as a list of OTLP `KeyValue`s, in key order. */
export function toOtlpKeyValues(attributes: Attributes): OtlpKeyValue[] {
  const list: OtlpKeyValue[] = [];
  for (const key of Object.keys(attributes)) list.push({ key, value: toOtlpAnyValue(attributes[key] as AttributeValue) });
  return list;
}

/** Sets `key` as an own property, so a key such as `__proto__` is stored as data rather than changing the prototype. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard padded base64 of a base64 or base64url string, or undefined when it is neither. */
function canonicalBase64(value: string): string | undefined {
  if (STRICT_BASE64.test(value)) return value;
  const standard = value.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (standard.length % 4 === 1) return undefined;
  const padded = standard + '='.repeat((4 - (standard.length % 4)) % 4);
  return STRICT_BASE64.test(padded) ? padded : undefined;
}

function isBytes(value: object): value is { bytesBase64: string } {
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'bytesBase64' && typeof (value as { bytesBase64?: unknown }).bytesBase64 === 'string';
}

function readInt(value: unknown): AttributeValue {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const n = Number(value);
    return value.trim() !== '' && Number.isFinite(n) ? n : null;
  }
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'object' && value !== null) {
    const { low, high } = value as { low?: unknown; high?: unknown };
    if (typeof low === 'number' && typeof high === 'number') return Number(BigInt.asIntN(64, (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0)));
  }
  return null;
}

function readDouble(value: unknown): AttributeValue {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return Number.NaN;
    if (value === 'Infinity') return Number.POSITIVE_INFINITY;
    if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
    const n = Number(value);
    return value.trim() !== '' && !Number.isNaN(n) ? n : null;
  }
  return null;
}
