import { setOwn } from '../otlp/otlpAttributes.js';
import type { AttributeValue, Attributes, ResourceRecord, ScopeRecord, SpanEventRecord, SpanKindName, SpanRecord, StatusCodeName } from '../model.js';

/**
 * The compact wire form of a trace's spans, for sending a whole trace to a page (`trace-spans`): every
 * string that repeats (names, attribute keys and values, status messages) is written once in `strings`
 * and referred to by index, every distinct resource and scope once in `resources` and `scopes`, and
 * each span is one array. A 50,000-span trace of a runner process is a fraction of its `SpanRecord[]`
 * JSON, and parses faster. JSON-safe; decoded by {@link decodeSpanColumns} into the same records.
 */
export interface SpanColumns {
  readonly v: 1;
  /** The trace id most spans have; a span with another says so in its extras. */
  readonly traceId: string;
  readonly strings: string[];
  readonly resources: ResourceRecord[];
  readonly scopes: ScopeRecord[];
  /**
   * One array per span: `[spanId, parentSpanId or '', name, kind, start, end or '', attributes, status,
   * status message or -1, resource, scope, events, extras?]`, where names, kinds' and statuses' codes,
   * messages, resources and scopes are indexes, and `attributes` is `[key, value, key, value...]` with keys
   * and string values as indexes into `strings` and any other value wrapped in a one-element array.
   */
  readonly spans: unknown[][];
}

const KINDS: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUSES: readonly StatusCodeName[] = ['unset', 'ok', 'error'];

/** The fields of a span written as "extras": rare, so not given a column. */
interface Extras {
  traceId?: string;
  links?: SpanRecord['links'];
  traceState?: string;
  flags?: number;
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
}

/**
 * Encodes spans in the compact wire form. The spans are not changed; {@link decodeSpanColumns} gives
 * records equal to them (as JSON would carry them: a non-finite number becomes `null`).
 *
 * @example
 * ```ts
 * const body = Buffer.from(JSON.stringify(encodeSpanColumns(store.getSpans(traceId)!)));
 * ```
 */
export function encodeSpanColumns(spans: readonly SpanRecord[]): SpanColumns {
  const strings: string[] = [];
  const stringIndex = new Map<string, number>();
  const intern = (value: string): number => {
    let index = stringIndex.get(value);
    if (index === undefined) {
      index = strings.length;
      strings.push(value);
      stringIndex.set(value, index);
    }
    return index;
  };
  const encodeAttributes = (attributes: Attributes): unknown[] => {
    const out: unknown[] = [];
    for (const key in attributes) {
      if (!Object.hasOwn(attributes, key)) continue;
      const value = attributes[key]!;
      out.push(intern(key), typeof value === 'string' ? intern(value) : [value]);
    }
    return out;
  };
  const resources = new Table<ResourceRecord>();
  const scopes = new Table<ScopeRecord>();
  const traceId = mostCommonTraceId(spans);
  const rows: unknown[][] = new Array(spans.length);
  for (let i = 0; i < spans.length; i += 1) {
    const span = spans[i]!;
    const row: unknown[] = [
      span.spanId,
      span.parentSpanId ?? '',
      intern(span.name),
      KINDS.indexOf(span.kind),
      span.startTimeUnixNano,
      span.endTimeUnixNano ?? '',
      encodeAttributes(span.attributes),
      STATUSES.indexOf(span.status.code),
      span.status.message === undefined ? -1 : intern(span.status.message),
      resources.indexOf(span.resource),
      scopes.indexOf(span.scope),
      span.events.length === 0 ? 0 : span.events.map((event) => encodeEvent(event, intern(event.name), encodeAttributes(event.attributes))),
    ];
    const extras = extrasOf(span, traceId);
    if (extras !== undefined) row.push(extras);
    rows[i] = row;
  }
  return { v: 1, traceId, strings, resources: resources.values, scopes: scopes.values, spans: rows };
}

/**
 * Decodes the compact wire form into span records. Records share their resource and scope objects
 * (treat them as read-only, as every holder of spans does).
 *
 * @throws TypeError when `value` is not the compact wire form (version 1).
 *
 * @example
 * ```ts
 * const spans = decodeSpanColumns(JSON.parse(new TextDecoder().decode(buffer)));
 * ```
 */
export function decodeSpanColumns(value: unknown): SpanRecord[] {
  const columns = value as Partial<SpanColumns> | null;
  if (typeof columns !== 'object' || columns === null || columns.v !== 1 || !Array.isArray(columns.spans) || !Array.isArray(columns.strings)) {
    throw new TypeError('decodeSpanColumns: not the compact span columns, version 1');
  }
  const strings = columns.strings;
  const resources = columns.resources ?? [];
  const scopes = columns.scopes ?? [];
  const traceId = columns.traceId ?? '';
  const decodeAttributes = (encoded: unknown[]): Attributes => {
    const out: Attributes = {};
    for (let i = 0; i < encoded.length; i += 2) {
      const key = strings[encoded[i] as number]!;
      const raw = encoded[i + 1];
      const attribute = (typeof raw === 'number' ? strings[raw] : (raw as [AttributeValue])[0]) as AttributeValue;
      setOwn(out, key, attribute);
    }
    return out;
  };
  const spans: SpanRecord[] = new Array(columns.spans.length);
  for (let i = 0; i < columns.spans.length; i += 1) {
    const row = columns.spans[i]!;
    const statusMessage = row[8] as number;
    const span: SpanRecord = {
      traceId,
      spanId: row[0] as string,
      name: strings[row[2] as number]!,
      kind: KINDS[row[3] as number]!,
      startTimeUnixNano: row[4] as string,
      attributes: decodeAttributes(row[6] as unknown[]),
      events: row[11] === 0 ? [] : (row[11] as unknown[][]).map((event) => decodeEvent(event, strings, decodeAttributes)),
      links: [],
      status: statusMessage === -1 ? { code: STATUSES[row[7] as number]! } : { code: STATUSES[row[7] as number]!, message: strings[statusMessage]! },
      resource: resources[row[9] as number]!,
      scope: scopes[row[10] as number]!,
    };
    if (row[1] !== '') span.parentSpanId = row[1] as string;
    if (row[5] !== '') span.endTimeUnixNano = row[5] as string;
    if (row.length > 12) Object.assign(span, row[12] as Extras);
    spans[i] = span;
  }
  return spans;
}

/** Distinct values by content; the same object is looked up without serialising it again. */
class Table<T extends object> {
  readonly values: T[] = [];
  readonly #byObject = new Map<T, number>();
  readonly #byJson = new Map<string, number>();

  indexOf(value: T): number {
    let index = this.#byObject.get(value);
    if (index !== undefined) return index;
    const json = JSON.stringify(value);
    index = this.#byJson.get(json);
    if (index === undefined) {
      index = this.values.length;
      this.values.push(value);
      this.#byJson.set(json, index);
    }
    this.#byObject.set(value, index);
    return index;
  }
}

function encodeEvent(event: SpanEventRecord, name: number, attributes: unknown[]): unknown[] {
  return event.droppedAttributesCount === undefined ? [name, event.timeUnixNano, attributes] : [name, event.timeUnixNano, attributes, event.droppedAttributesCount];
}

function decodeEvent(encoded: unknown[], strings: readonly string[], decodeAttributes: (encoded: unknown[]) => Attributes): SpanEventRecord {
  const event: SpanEventRecord = { name: strings[encoded[0] as number]!, timeUnixNano: encoded[1] as string, attributes: decodeAttributes(encoded[2] as unknown[]) };
  if (encoded.length > 3) event.droppedAttributesCount = encoded[3] as number;
  return event;
}

function extrasOf(span: SpanRecord, traceId: string): Extras | undefined {
  let extras: Extras | undefined;
  if (span.traceId !== traceId) (extras ??= {}).traceId = span.traceId;
  if (span.links.length > 0) (extras ??= {}).links = span.links;
  if (span.traceState !== undefined) (extras ??= {}).traceState = span.traceState;
  if (span.flags !== undefined) (extras ??= {}).flags = span.flags;
  if (span.droppedAttributesCount !== undefined) (extras ??= {}).droppedAttributesCount = span.droppedAttributesCount;
  if (span.droppedEventsCount !== undefined) (extras ??= {}).droppedEventsCount = span.droppedEventsCount;
  if (span.droppedLinksCount !== undefined) (extras ??= {}).droppedLinksCount = span.droppedLinksCount;
  return extras;
}

function mostCommonTraceId(spans: readonly SpanRecord[]): string {
  const counts = new Map<string, number>();
  let best = '';
  let bestCount = 0;
  for (const span of spans) {
    const count = (counts.get(span.traceId) ?? 0) + 1;
    counts.set(span.traceId, count);
    if (count > bestCount) {
      best = span.traceId;
      bestCount = count;
    }
  }
  return best;
}
