/**
 * Attributes ⇄ Jaeger tags (and log fields, and process tags), losslessly.
 *
 * - string → `string`; boolean → `bool`; a safe integer → `int64`; any other number → `float64` (`NaN`,
 *   `Infinity`, `-Infinity` and `-0`, which JSON numbers cannot hold, as strings); `{ bytesBase64 }` →
 *   `binary` (base64, as Jaeger writes bytes).
 * - `null`, arrays and maps → a `string` tag holding their JSON (what the OpenTelemetry Collector writes
 *   for arrays and maps, so Jaeger UI shows them readably); their keys are listed in the tag
 *   {@link JSON_KEYS_TAG} (a JSON array) so they read back as values, not strings.
 * - Keys that the Jaeger mapping itself uses (`error`, `span.kind`, `event`, `otel.status_code`... the
 *   `reserved` set of each caller) and keys starting with {@link ESCAPE_PREFIX} or {@link MARKER_PREFIX}
 *   are written as `overlap.attr.{key}`, and read back without the prefix.
 *
 * @packageDocumentation
 */
import type { AttributeValue, Attributes } from '../model.js';
import { describeValue } from '../describeValue.js';
import { OverlapJaegerTags } from '../attributes.js';
import type { JaegerKeyValue } from './jaegerTypes.js';

/** Prefix of attribute keys escaped because they clash with a key the mapping uses. */
export const ESCAPE_PREFIX = OverlapJaegerTags.ESCAPE_PREFIX;
/** Prefix of Overlap's own bookkeeping tags in Jaeger files. */
export const MARKER_PREFIX = OverlapJaegerTags.MARKER_PREFIX;
/** Tag listing (as a JSON array) the keys whose `string` values are the JSON of an array, a map or `null`. */
export const JSON_KEYS_TAG = `${MARKER_PREFIX}json_keys`;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Appends one tag per attribute to `into` (and the {@link JSON_KEYS_TAG} tag when needed), escaping keys
 * that clash with `reserved`.
 */
export function encodeAttributes(attributes: Attributes, reserved: ReadonlySet<string>, into: JaegerKeyValue[]): void {
  const jsonKeys: string[] = [];
  for (const key of Object.keys(attributes)) {
    const value = attributes[key]!;
    const tagKey = reserved.has(key) || key.startsWith(ESCAPE_PREFIX) || key.startsWith(MARKER_PREFIX) ? `${ESCAPE_PREFIX}${key}` : key;
    const tag = encodeValue(tagKey, value);
    if (tag === undefined) {
      jsonKeys.push(tagKey);
      into.push({ key: tagKey, type: 'string', value: JSON.stringify(value) });
    } else {
      into.push(tag);
    }
  }
  if (jsonKeys.length > 0) into.push({ key: JSON_KEYS_TAG, type: 'string', value: JSON.stringify(jsonKeys) });
}

/** The tag of a scalar value; `undefined` for `null`, arrays and maps (written as JSON by the caller). */
function encodeValue(key: string, value: AttributeValue): JaegerKeyValue | undefined {
  switch (typeof value) {
    case 'string':
      return { key, type: 'string', value };
    case 'boolean':
      return { key, type: 'bool', value };
    case 'number':
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) return { key, type: 'int64', value };
      if (Number.isFinite(value) && !Object.is(value, -0)) return { key, type: 'float64', value };
      return { key, type: 'float64', value: Object.is(value, -0) ? '-0' : String(value) };
    default:
      if (isBytes(value)) return { key, type: 'binary', value: value.bytesBase64 };
      return undefined;
  }
}

function isBytes(value: AttributeValue): value is { bytesBase64: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'bytesBase64' && typeof (value as { bytesBase64?: unknown }).bytesBase64 === 'string';
}

/** Where {@link decodeTags} reports what it had to guess or coerce. */
export type TagWarning = (message: string) => void;

/** What {@link decodeTags} found: the attributes, and the tags the mapping itself uses. */
export interface DecodedTags {
  readonly attributes: Attributes;
  /** Values of the tags whose keys are in `reserved` (first occurrence of each). */
  readonly special: ReadonlyMap<string, AttributeValue>;
}

/**
 * Reads tags back: tags whose key is in `reserved` go to `special` (decoded, first occurrence wins);
 * the others become attributes, unescaped, with JSON values parsed back. Tags from other writers are
 * read leniently: a missing `type` is inferred from the value, `int64` and `float64` may be strings, and
 * a value that does not fit its type is kept as a string with a warning. `path` prefixes the warnings.
 *
 * Precondition: every entry is an object with a string `key` (the caller checks the structure).
 */
export function decodeTags(tags: ReadonlyArray<{ key: string; type?: unknown; value?: unknown }>, reserved: ReadonlySet<string>, path: string, warn: TagWarning): DecodedTags {
  let jsonKeys: ReadonlySet<string> = new Set();
  const jsonKeysTag = tags.find((tag) => tag.key === JSON_KEYS_TAG);
  if (jsonKeysTag !== undefined) jsonKeys = parseJsonKeys(jsonKeysTag.value, path, warn);
  const attributes: Attributes = {};
  const special = new Map<string, AttributeValue>();
  for (const tag of tags) {
    if (tag.key === JSON_KEYS_TAG) continue;
    if (reserved.has(tag.key)) {
      if (!special.has(tag.key)) special.set(tag.key, decodeValue(tag, false, path, warn));
      continue;
    }
    const key = tag.key.startsWith(ESCAPE_PREFIX) ? tag.key.slice(ESCAPE_PREFIX.length) : tag.key;
    // defineProperty keeps a key named "__proto__" an ordinary property.
    Object.defineProperty(attributes, key, {
      value: decodeValue(tag, jsonKeys.has(tag.key), path, warn),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { attributes, special };
}

function parseJsonKeys(value: unknown, path: string, warn: TagWarning): ReadonlySet<string> {
  try {
    const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : undefined;
    if (Array.isArray(parsed) && parsed.every((key) => typeof key === 'string')) return new Set(parsed as string[]);
  } catch {
    // reported below
  }
  warn(`${path}: tag ${JSON_KEYS_TAG} is not a JSON array of keys; JSON values are kept as strings`);
  return new Set();
}

function decodeValue(tag: { key: string; type?: unknown; value?: unknown }, isJson: boolean, path: string, warn: TagWarning): AttributeValue {
  const { value } = tag;
  const type = tag.type ?? inferType(value);
  const mismatch = (): AttributeValue => {
    warn(`${path}: tag ${JSON.stringify(tag.key)} of type ${String(type)} has the value ${describeValue(value)}; kept as a string`);
    return typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  };
  switch (type) {
    case 'string':
      if (typeof value !== 'string') return mismatch();
      if (!isJson) return value;
      try {
        return JSON.parse(value) as AttributeValue;
      } catch {
        warn(`${path}: tag ${JSON.stringify(tag.key)} is listed as JSON but is not; kept as a string`);
        return value;
      }
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return mismatch();
    case 'int64':
    case 'float64': {
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
      if (type === 'float64' && value === 'NaN') return NaN;
      return mismatch();
    }
    case 'binary':
      if (typeof value === 'string' && BASE64.test(value)) return { bytesBase64: value };
      return mismatch();
    default:
      return mismatch();
  }
}

function inferType(value: unknown): string {
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  return 'string';
}
