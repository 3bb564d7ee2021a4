import { UNKNOWN_SERVICE_NAME } from '@overlap/shared';
import type { AttributeValue, Attributes, ResourceRecord, ScopeRecord, SpanEventRecord, SpanKindName, SpanLinkRecord, SpanRecord } from '@overlap/shared';
import { EventAttributes, NO_EVENTS, NO_LINKS, STATUS_OF, STATUS_NAMES, SpanAttributes, decimal } from './protobufToSpans.js';

/**
 * The span records of a binary protobuf `ExportTraceServiceRequest`, read straight from its bytes: exactly
 * what `otlpToSpans(decodeOtlpProtobufRequest(bytes))` gives, without protobufjs's message objects (and
 * their 64-bit Longs) and without the OTLP/JSON objects in between. It is the first step of
 * `decodeOtlpBody` for protobuf; the general path (protobufjs) is the reference, and tests compare the two.
 *
 * It reads only the common case, and returns `undefined` for anything else, to be decoded the general
 * way: every span valid (ids of the right length, not zero; a start time); fields known to OTLP 1.x with
 * their wire types, each singular field once; strings of valid UTF-8; attribute values nested at most 8
 * deep. So a body it accepts is one protobufjs decodes without error, to the same records.
 *
 * Strings of up to 64 ASCII bytes are looked up by their bytes in a small table before a string is made,
 * so the attribute keys, names and values that every span repeats are shared (one string in the store)
 * and cost no decoding.
 *
 * @example
 * ```ts
 * const spans = wireToSpans(body) ?? otlpToSpans(decodeOtlpProtobufRequest(body)).spans;
 * ```
 */
export function wireToSpans(bytes: Uint8Array): SpanRecord[] | undefined {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader = new WireReader(buf);
  try {
    return reader.request();
  } catch (error) {
    if (error === FALL_BACK) return undefined;
    throw error;
  }
}

/** Thrown inside to hand the request to the general path. */
const FALL_BACK = Symbol('fall back');

const KIND_NAMES: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** Wire types. */
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** Deepest attribute nesting read here. */
const MAX_DEPTH = 8;

/** The string table: the last ASCII string (of at most 64 bytes) read per slot. */
const MAX_TABLE_LENGTH = 64;
const SLOTS = 4_096;
const table: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);

class WireReader {
  private pos = 0;
  private readonly spans: SpanRecord[] = [];
  private lastTraceStart = -1;
  private lastTrace = '';
  private lastParentStart = -1;
  private lastParent = '';

  constructor(private readonly buf: Buffer) {}

  request(): SpanRecord[] {
    const end = this.buf.length;
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag !== ((1 << 3) | LEN)) throw FALL_BACK;
      const length = this.length(end);
      this.resourceSpans(this.pos + length);
    }
    return this.spans;
  }

  private resourceSpans(end: number): void {
    // The resource and schema URL may come after the spans: find them first.
    const start = this.pos;
    const { headerAt, headerEnd, schemaUrl } = this.header(end);
    let resource: ResourceRecord;
    if (headerAt >= 0) {
      this.pos = headerAt;
      resource = this.resource(headerEnd);
    } else {
      resource = { serviceName: UNKNOWN_SERVICE_NAME, attributes: {} };
    }
    if (schemaUrl !== undefined && schemaUrl !== '') resource.schemaUrl = schemaUrl;
    this.pos = start;
    while (this.pos < end) {
      const tag = this.varint32();
      const length = this.length(end);
      const fieldEnd = this.pos + length;
      if (tag >>> 3 === 2) this.scopeSpans(fieldEnd, resource);
      this.pos = fieldEnd;
    }
  }

  /**
   * Where a ResourceSpans' or ScopeSpans' own message (field 1) and schema URL (field 3) are, since they
   * may come after its spans (field 2, skipped here); leaves `pos` at `end`.
   */
  private header(end: number): { headerAt: number; headerEnd: number; schemaUrl: string | undefined } {
    let headerAt = -1;
    let headerEnd = -1;
    let schemaUrl: string | undefined;
    while (this.pos < end) {
      const tag = this.varint32();
      if ((tag & 7) !== LEN) throw FALL_BACK;
      const length = this.length(end);
      const fieldEnd = this.pos + length;
      const field = tag >>> 3;
      if (field === 1) {
        if (headerAt >= 0) throw FALL_BACK;
        headerAt = this.pos;
        headerEnd = fieldEnd;
      } else if (field === 3) {
        if (schemaUrl !== undefined) throw FALL_BACK;
        schemaUrl = this.stringVerified(fieldEnd);
      } else if (field !== 2) {
        throw FALL_BACK;
      }
      this.pos = fieldEnd;
    }
    return { headerAt, headerEnd, schemaUrl };
  }

  private resource(end: number): ResourceRecord {
    const attributes: Attributes = {};
    let dropped = 0;
    let seen = 0;
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === ((1 << 3) | LEN)) {
        this.keyValue(this.fieldEnd(end), attributes, 0);
      } else if (tag === ((2 << 3) | VARINT)) {
        seen = once(seen, 2);
        dropped = this.varint32();
      } else {
        throw FALL_BACK;
      }
    }
    this.atEnd(end);
    const serviceName = attributes['service.name'];
    const record: ResourceRecord = { serviceName: typeof serviceName === 'string' && serviceName !== '' ? serviceName : UNKNOWN_SERVICE_NAME, attributes };
    if (dropped > 0) record.droppedAttributesCount = dropped;
    return record;
  }

  private scopeSpans(end: number, resource: ResourceRecord): void {
    const start = this.pos;
    const { headerAt, headerEnd, schemaUrl } = this.header(end);
    let scope: ScopeRecord;
    if (headerAt >= 0) {
      this.pos = headerAt;
      scope = this.scope(headerEnd);
    } else {
      scope = { name: '' };
    }
    if (schemaUrl !== undefined && schemaUrl !== '') scope.schemaUrl = schemaUrl;
    this.pos = start;
    while (this.pos < end) {
      const tag = this.varint32();
      const length = this.length(end);
      const fieldEnd = this.pos + length;
      if (tag >>> 3 === 2) this.spans.push(this.span(fieldEnd, resource, scope));
      this.pos = fieldEnd;
    }
  }

  private scope(end: number): ScopeRecord {
    let name = '';
    let version = '';
    const attributes: Attributes = {};
    let hasAttributes = false;
    let dropped = 0;
    let seen = 0;
    while (this.pos < end) {
      const tag = this.varint32();
      switch (tag) {
        case (1 << 3) | LEN:
          seen = once(seen, 1);
          name = this.stringVerified(this.fieldEnd(end));
          break;
        case (2 << 3) | LEN:
          seen = once(seen, 2);
          version = this.stringVerified(this.fieldEnd(end));
          break;
        case (3 << 3) | LEN:
          hasAttributes = true;
          this.keyValue(this.fieldEnd(end), attributes, 0);
          break;
        case (4 << 3) | VARINT:
          seen = once(seen, 4);
          dropped = this.varint32();
          break;
        default:
          throw FALL_BACK;
      }
    }
    this.atEnd(end);
    const record: ScopeRecord = { name };
    if (version !== '') record.version = version;
    if (hasAttributes && Object.keys(attributes).length > 0) record.attributes = attributes;
    if (dropped > 0) record.droppedAttributesCount = dropped;
    return record;
  }

  private span(end: number, resource: ResourceRecord, scope: ScopeRecord): SpanRecord {
    let traceId: string | undefined;
    let spanId: string | undefined;
    let parentSpanId: string | undefined;
    let traceState = '';
    let flags = 0;
    let name = '';
    let kind = 0;
    let startTimeUnixNano: string | undefined;
    let endTimeUnixNano: string | undefined;
    const attributes = new (SpanAttributes as unknown as new () => Attributes)();
    let droppedAttributes = 0;
    let events: SpanEventRecord[] | undefined;
    let droppedEvents = 0;
    let links: SpanLinkRecord[] | undefined;
    let droppedLinks = 0;
    let status: SpanRecord['status'] = STATUS_OF.unset;
    let seen = 0;
    while (this.pos < end) {
      const tag = this.varint32();
      switch (tag) {
        case (1 << 3) | LEN: {
          seen = once(seen, 1);
          const length = this.length(end);
          if (length !== 16) throw FALL_BACK;
          traceId = this.traceId();
          break;
        }
        case (2 << 3) | LEN: {
          seen = once(seen, 2);
          const length = this.length(end);
          if (length !== 8 || this.isZero(8)) throw FALL_BACK;
          spanId = this.buf.toString('hex', this.pos, this.pos + 8);
          this.pos += 8;
          break;
        }
        case (3 << 3) | LEN:
          seen = once(seen, 3);
          traceState = this.stringVerified(this.fieldEnd(end));
          break;
        case (4 << 3) | LEN: {
          seen = once(seen, 4);
          const length = this.length(end);
          if (length === 0) break;
          if (length !== 8) throw FALL_BACK;
          parentSpanId = this.isZero(8) ? undefined : this.parentSpanId();
          this.pos += 8;
          break;
        }
        case (16 << 3) | I32:
          seen = once(seen, 16);
          flags = this.fixed32(end);
          break;
        case (5 << 3) | LEN:
          seen = once(seen, 5);
          name = this.stringVerified(this.fieldEnd(end));
          break;
        case (6 << 3) | VARINT:
          seen = once(seen, 6);
          kind = this.varint32();
          break;
        case (7 << 3) | I64: {
          seen = once(seen, 7);
          const time = this.fixed64(end);
          if (time === undefined) throw FALL_BACK;
          startTimeUnixNano = time;
          break;
        }
        case (8 << 3) | I64:
          seen = once(seen, 8);
          endTimeUnixNano = this.fixed64(end);
          break;
        case (9 << 3) | LEN:
          this.keyValue(this.fieldEnd(end), attributes, 0);
          break;
        case (10 << 3) | VARINT:
          seen = once(seen, 10);
          droppedAttributes = this.varint32();
          break;
        case (11 << 3) | LEN: {
          const event = this.event(this.fieldEnd(end));
          if (event === undefined) droppedEvents++;
          else if (events === undefined) events = [event];
          else events.push(event);
          break;
        }
        case (12 << 3) | VARINT:
          seen = once(seen, 12);
          droppedEvents += this.varint32();
          break;
        case (13 << 3) | LEN: {
          const link = this.link(this.fieldEnd(end));
          if (link === undefined) droppedLinks++;
          else if (links === undefined) links = [link];
          else links.push(link);
          break;
        }
        case (14 << 3) | VARINT:
          seen = once(seen, 14);
          droppedLinks += this.varint32();
          break;
        case (15 << 3) | LEN:
          seen = once(seen, 15);
          status = this.status(this.fieldEnd(end));
          break;
        default:
          throw FALL_BACK;
      }
    }
    this.atEnd(end);
    if (traceId === undefined || spanId === undefined || startTimeUnixNano === undefined) throw FALL_BACK;
    // Arrays at their final length: `[first]` has room for one; one grown by push keeps room for 17.
    const eventList = events === undefined ? NO_EVENTS : events.length === 1 ? events : events.slice();
    const linkList = links === undefined ? NO_LINKS : links.length === 1 ? links : links.slice();
    const kindName = KIND_NAMES[kind] ?? 'unspecified';
    // One literal per shape, keys in the order `otlpToSpans` writes them.
    let record: SpanRecord;
    if (parentSpanId !== undefined) {
      record =
        endTimeUnixNano !== undefined
          ? { traceId, spanId, name, kind: kindName, startTimeUnixNano, attributes, events: eventList, links: linkList, status, resource, scope, parentSpanId, endTimeUnixNano }
          : { traceId, spanId, name, kind: kindName, startTimeUnixNano, attributes, events: eventList, links: linkList, status, resource, scope, parentSpanId };
    } else {
      record =
        endTimeUnixNano !== undefined
          ? { traceId, spanId, name, kind: kindName, startTimeUnixNano, attributes, events: eventList, links: linkList, status, resource, scope, endTimeUnixNano }
          : { traceId, spanId, name, kind: kindName, startTimeUnixNano, attributes, events: eventList, links: linkList, status, resource, scope };
    }
    if (traceState !== '') record.traceState = traceState;
    if (flags !== 0) record.flags = flags;
    if (droppedAttributes > 0) record.droppedAttributesCount = droppedAttributes;
    if (droppedEvents > 0) record.droppedEventsCount = droppedEvents;
    if (droppedLinks > 0) record.droppedLinksCount = droppedLinks;
    return record;
  }

  private event(end: number): SpanEventRecord | undefined {
    let time: string | undefined;
    let name = '';
    let attributes = new (EventAttributes as unknown as new () => Attributes)();
    let attributesStart = -1;
    let attributesEnd = -1;
    let attributeRuns = 0;
    let dropped = 0;
    let seen = 0;
    while (this.pos < end) {
      const tagStart = this.pos;
      const tag = this.varint32();
      switch (tag) {
        case (1 << 3) | I64:
          seen = once(seen, 1);
          time = this.fixed64(end);
          break;
        case (2 << 3) | LEN:
          seen = once(seen, 2);
          name = this.stringVerified(this.fieldEnd(end));
          break;
        case (3 << 3) | LEN:
          if (attributesEnd !== tagStart) attributeRuns++;
          if (attributesStart < 0) attributesStart = tagStart;
          this.keyValue(this.fieldEnd(end), attributes, 0);
          attributesEnd = this.pos;
          break;
        case (4 << 3) | VARINT:
          seen = once(seen, 4);
          dropped = this.varint32();
          break;
        default:
          throw FALL_BACK;
      }
    }
    this.atEnd(end);
    // An event without a time (zero or absent: protobuf cannot tell them apart) is dropped and counted.
    if (time === undefined) return undefined;
    // Attributes written in one run of bytes can be shared with an event that had the same bytes.
    if (attributeRuns === 1) attributes = this.shared(attributesStart, attributesEnd, attributes, isSmallAttributes);
    const record: SpanEventRecord = { name, timeUnixNano: time, attributes };
    if (dropped > 0) record.droppedAttributesCount = dropped;
    return record;
  }

  private link(end: number): SpanLinkRecord | undefined {
    let traceId: string | undefined;
    let spanId: string | undefined;
    let valid = true;
    let traceState = '';
    const attributes: Attributes = {};
    let dropped = 0;
    let flags = 0;
    let seen = 0;
    while (this.pos < end) {
      const tag = this.varint32();
      switch (tag) {
        case (1 << 3) | LEN: {
          seen = once(seen, 1);
          const length = this.length(end);
          if (length === 16 && !this.isZero(16)) traceId = this.buf.toString('hex', this.pos, this.pos + 16);
          else valid = false;
          this.pos += length;
          break;
        }
        case (2 << 3) | LEN: {
          seen = once(seen, 2);
          const length = this.length(end);
          if (length === 8 && !this.isZero(8)) spanId = this.buf.toString('hex', this.pos, this.pos + 8);
          else valid = false;
          this.pos += length;
          break;
        }
        case (3 << 3) | LEN:
          seen = once(seen, 3);
          traceState = this.stringVerified(this.fieldEnd(end));
          break;
        case (4 << 3) | LEN:
          this.keyValue(this.fieldEnd(end), attributes, 0);
          break;
        case (5 << 3) | VARINT:
          seen = once(seen, 5);
          dropped = this.varint32();
          break;
        case (6 << 3) | I32:
          seen = once(seen, 6);
          flags = this.fixed32(end);
          break;
        default:
          throw FALL_BACK;
      }
    }
    this.atEnd(end);
    if (!valid || traceId === undefined || spanId === undefined) return undefined;
    const record: SpanLinkRecord = { traceId, spanId, attributes };
    if (traceState !== '') record.traceState = traceState;
    if (dropped > 0) record.droppedAttributesCount = dropped;
    if (flags !== 0) record.flags = flags;
    return record;
  }

  private status(end: number): SpanRecord['status'] {
    let message = '';
    let code = 0;
    let seen = 0;
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === ((2 << 3) | LEN)) {
        seen = once(seen, 2);
        message = this.stringVerified(this.fieldEnd(end));
      } else if (tag === ((3 << 3) | VARINT)) {
        seen = once(seen, 3);
        code = this.varint32();
      } else {
        throw FALL_BACK;
      }
    }
    this.atEnd(end);
    const codeName = STATUS_NAMES[code] ?? 'unset';
    return message === '' ? STATUS_OF[codeName] : { code: codeName, message };
  }

  /** One KeyValue into `attributes` (a later duplicate key takes the value and keeps the first place, as assignment does). */
  private keyValue(end: number, attributes: Attributes, depth: number): void {
    let key = '';
    let value: AttributeValue = null;
    let seen = 0;
    while (this.pos < end) {
      const tag = this.varint32();
      if (tag === ((1 << 3) | LEN)) {
        seen = once(seen, 1);
        key = this.stringVerified(this.fieldEnd(end));
      } else if (tag === ((2 << 3) | LEN)) {
        seen = once(seen, 2);
        value = this.anyValue(this.fieldEnd(end), depth);
      } else {
        throw FALL_BACK;
      }
    }
    this.atEnd(end);
    // As `setOwn`: a key such as `__proto__` is data, not the prototype.
    if (key === '__proto__') Object.defineProperty(attributes, key, { value, enumerable: true, writable: true, configurable: true });
    else attributes[key] = value;
  }

  /** An AnyValue with at most one field set (else the general path), as `fromOtlpAnyValue(toOtlpAnyValue(...))` reads it. */
  private anyValue(end: number, depth: number): AttributeValue {
    if (depth > MAX_DEPTH) throw FALL_BACK;
    if (this.pos === end) return null;
    const tag = this.varint32();
    let value: AttributeValue;
    switch (tag) {
      case (1 << 3) | LEN:
        // AnyValue is read as proto2 without UTF-8 checks by the general path; invalid text goes there.
        value = this.stringVerified(this.fieldEnd(end));
        break;
      case (2 << 3) | VARINT:
        // protobufjs reads a bool as a 32-bit varint: longer ones go the general way.
        value = this.varint32() !== 0;
        break;
      case (3 << 3) | VARINT:
        value = this.varint64Number();
        break;
      case (4 << 3) | I64:
        if (this.pos + 8 > end) throw FALL_BACK;
        value = this.buf.readDoubleLE(this.pos);
        this.pos += 8;
        break;
      case (5 << 3) | LEN: {
        const arrayEnd = this.fieldEnd(end);
        const arrayStart = this.pos;
        // The same bytes as a shared array seen before: no need to read them again.
        const known = this.sharedAt(arrayStart, arrayEnd);
        if (known !== undefined) {
          this.pos = arrayEnd;
          this.atEnd(end);
          return known as AttributeValue[];
        }
        const values: AttributeValue[] = [];
        while (this.pos < arrayEnd) {
          if (this.varint32() !== ((1 << 3) | LEN)) throw FALL_BACK;
          values.push(this.anyValue(this.fieldEnd(arrayEnd), depth + 1));
        }
        this.atEnd(arrayEnd);
        value = this.shared(arrayStart, arrayEnd, values.slice(), isSmallArray);
        break;
      }
      case (6 << 3) | LEN: {
        const listEnd = this.fieldEnd(end);
        const map: Attributes = {};
        while (this.pos < listEnd) {
          if (this.varint32() !== ((1 << 3) | LEN)) throw FALL_BACK;
          this.keyValue(this.fieldEnd(listEnd), map, depth + 1);
        }
        this.atEnd(listEnd);
        value = map;
        break;
      }
      case (7 << 3) | LEN: {
        const length = this.length(end);
        value = { bytesBase64: this.buf.toString('base64', this.pos, this.pos + length) };
        this.pos += length;
        break;
      }
      default:
        throw FALL_BACK;
    }
    // A second field: the general path picks among them.
    this.atEnd(end);
    return value;
  }

  /**
   * The value decoded from `buf[start, end)`, shared with an earlier value decoded from the same bytes
   * when there is one in the table, else `fresh`; a small value of primitives (see `eligible`) is frozen
   * and put in the table. The same bytes always decode to the same value, so sharing changes no value:
   * it keeps one copy of the gates or attempt attributes that every call span repeats. Records are
   * read-only (see `otlpToSpans`); freezing makes a caller that breaks the rule fail loudly.
   */
  private shared<T extends object>(start: number, end: number, fresh: T, eligible: (value: T) => boolean): T {
    const length = end - start;
    if (length === 0 || length > MAX_SHARED_BYTES) return fresh;
    const held = this.sharedAt(start, end);
    if (held !== undefined) return held as T;
    if (!eligible(fresh)) return fresh;
    sharedSlots[sharedSlot(this.buf, start, end)] = { bytes: Uint8Array.prototype.slice.call(this.buf, start, end), value: Object.freeze(fresh) };
    return fresh;
  }

  /** The shared value decoded from the same bytes as `buf[start, end)`, if the table holds one. */
  private sharedAt(start: number, end: number): object | undefined {
    const length = end - start;
    if (length === 0 || length > MAX_SHARED_BYTES) return undefined;
    const held = sharedSlots[sharedSlot(this.buf, start, end)];
    if (held === undefined || held.bytes.length !== length) return undefined;
    const buf = this.buf;
    for (let i = 0; i < length; i++) if (held.bytes[i] !== buf[start + i]) return undefined;
    return held.value;
  }

  private traceId(): string {
    const start = this.pos;
    this.pos += 16;
    if (this.lastTraceStart >= 0 && this.sameBytes(this.lastTraceStart, start, 16)) return this.lastTrace;
    if (this.isZeroAt(start, 16)) throw FALL_BACK;
    this.lastTraceStart = start;
    this.lastTrace = this.buf.toString('hex', start, start + 16);
    return this.lastTrace;
  }

  private parentSpanId(): string {
    const start = this.pos;
    if (this.lastParentStart >= 0 && this.sameBytes(this.lastParentStart, start, 8)) return this.lastParent;
    this.lastParentStart = start;
    this.lastParent = this.buf.toString('hex', start, start + 8);
    return this.lastParent;
  }

  private sameBytes(a: number, b: number, length: number): boolean {
    const buf = this.buf;
    for (let i = 0; i < length; i++) if (buf[a + i] !== buf[b + i]) return false;
    return true;
  }

  private isZero(length: number): boolean {
    return this.isZeroAt(this.pos, length);
  }

  private isZeroAt(start: number, length: number): boolean {
    for (let i = start; i < start + length; i++) if (this.buf[i] !== 0) return false;
    return true;
  }

  /**
   * A string field of `end - pos` bytes, which must be valid UTF-8 (else the general path decides). A
   * short ASCII string already in the table is given without decoding; others are decoded and, when
   * ASCII, put in the table.
   */
  private stringVerified(end: number): string {
    const start = this.pos;
    const length = end - start;
    this.pos = end;
    if (length === 0) return '';
    const buf = this.buf;
    if (length <= MAX_TABLE_LENGTH) {
      const slot = (length * 31 + buf[start]! * 7 + buf[start + (length >> 1)]! * 131 + buf[end - 1]! * 1031) & (SLOTS - 1);
      const held = table[slot];
      let ascii = true;
      if (held !== undefined && held.length === length) {
        let same = true;
        for (let i = 0; i < length; i++) {
          if (held.charCodeAt(i) !== buf[start + i]) {
            same = false;
            break;
          }
        }
        if (same) return held;
      }
      for (let i = start; i < end; i++) {
        if (buf[i]! >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        const text = buf.toString('latin1', start, end);
        table[slot] = text;
        return text;
      }
    }
    const text = buf.toString('utf8', start, end);
    // Invalid UTF-8 becomes U+FFFD; the general path refuses it (or keeps a real U+FFFD): let it decide.
    if (text.includes('\ufffd')) throw FALL_BACK;
    return text;
  }

  /** Reads a length prefix; where the field it starts ends (within `end`). */
  private fieldEnd(end: number): number {
    const length = this.length(end);
    return this.pos + length;
  }

  /** A length prefix; the field must end within `end`. */
  private length(end: number): number {
    const length = this.varint32();
    if (this.pos + length > end) throw FALL_BACK;
    return length;
  }

  private atEnd(end: number): void {
    if (this.pos !== end) throw FALL_BACK;
  }

  /** A varint of at most 5 bytes, as an unsigned 32-bit number (longer ones go the general way). */
  private varint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    let byte = buf[pos++];
    if (byte === undefined) throw FALL_BACK;
    let value = byte & 0x7f;
    if (byte >= 0x80) {
      byte = buf[pos++]!;
      value |= (byte & 0x7f) << 7;
      if (byte >= 0x80) {
        byte = buf[pos++]!;
        value |= (byte & 0x7f) << 14;
        if (byte >= 0x80) {
          byte = buf[pos++]!;
          value |= (byte & 0x7f) << 21;
          if (byte >= 0x80) {
            byte = buf[pos++]!;
            if (byte === undefined || byte > 0x0f) throw FALL_BACK;
            value = (value >>> 0) + byte * 0x10000000;
          }
        }
      }
    }
    if (pos > this.buf.length) throw FALL_BACK;
    this.pos = pos;
    return value >>> 0;
  }

  /** An int64 varint as the number `Number(decimal)` gives, exactly rounded. */
  private varint64Number(): number {
    const buf = this.buf;
    const start = this.pos;
    let value = 0;
    let scale = 1;
    let pos = start;
    for (let i = 0; i < 7; i++) {
      const byte = buf[pos++];
      if (byte === undefined) throw FALL_BACK;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        this.pos = pos;
        return value;
      }
      scale *= 128;
    }
    // Past 49 bits (or negative): exactly, through BigInt.
    let bits = 0n;
    let shift = 0n;
    pos = start;
    for (let i = 0; i < 10; i++) {
      const byte = buf[pos++];
      if (byte === undefined) throw FALL_BACK;
      bits |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if (byte < 0x80) {
        this.pos = pos;
        return Number(BigInt.asIntN(64, bits));
      }
    }
    throw FALL_BACK;
  }

  private fixed32(end: number): number {
    if (this.pos + 4 > end) throw FALL_BACK;
    const value = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return value;
  }

  /** A fixed64 as a decimal string; undefined for zero (which protobuf cannot tell from absent). */
  private fixed64(end: number): string | undefined {
    if (this.pos + 8 > end) throw FALL_BACK;
    const low = this.buf.readUInt32LE(this.pos);
    const high = this.buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
    if (low === 0 && high === 0) return undefined;
    return decimal({ low, high });
  }
}

/** Longest run of bytes whose value is shared (see `WireReader.shared`), and the table's slots. */
const MAX_SHARED_BYTES = 256;
const SHARED_SLOTS = 1_024;
const sharedSlots: ({ bytes: Uint8Array; value: object } | undefined)[] = new Array<{ bytes: Uint8Array; value: object } | undefined>(SHARED_SLOTS).fill(undefined);
/** Most elements or keys of a shared value. */
const MAX_SHARED_ENTRIES = 4;

function sharedSlot(buf: Uint8Array, start: number, end: number): number {
  const length = end - start;
  return (length * 31 + buf[start]! * 7 + buf[start + (length >> 2)]! * 17 + buf[start + (length >> 1)]! * 131 + buf[end - 1]! * 1031) & (SHARED_SLOTS - 1);
}

function isPrimitive(value: AttributeValue): boolean {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function isSmallArray(values: AttributeValue[]): boolean {
  if (values.length === 0 || values.length > MAX_SHARED_ENTRIES) return false;
  for (const value of values) if (!isPrimitive(value)) return false;
  return true;
}

function isSmallAttributes(attributes: Attributes): boolean {
  let count = 0;
  for (const key in attributes) {
    if (++count > MAX_SHARED_ENTRIES || !isPrimitive(attributes[key] as AttributeValue)) return false;
  }
  return count > 0;
}

/** Marks a singular field seen, or hands the request to the general path when it was seen before. */
function once(seen: number, field: number): number {
  const bit = 1 << field;
  if ((seen & bit) !== 0) throw FALL_BACK;
  return seen | bit;
}
