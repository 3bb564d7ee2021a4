import { describeValue } from '../describeValue.js';
import { setOwn } from '../otlp/otlpAttributes.js';
import { parseUnixNano } from '../otlp/otlpTimes.js';
import type { Attributes, AttributeValue } from '../model.js';
import { SPAN_ID_PATTERN, TRACE_ID_PATTERN } from '../traceIds.js';

/**
 * A tool or model call waiting at a gate, announced on the live channel while it waits. A queued call
 * has no span yet (the runner writes its span and `queue {gate}` span, with their true times, when it
 * leaves the queue, so 100,000 queued calls cost no spans); this small record lets the page draw it as
 * a growing queued bar and count it in the queue depth meanwhile. It is never stored as a span nor
 * exported: once the call leaves the queue (granted, turned away or cancelled) the record is withdrawn
 * ({@link DequeuedCall}) and the call's real spans take its place.
 */
export interface QueuedCall {
  /** Names this wait until it ends; unique among the waits a runner process has announced. */
  readonly queueId: string;
  /** 32 lowercase hex characters: the trace the call's span will be in. */
  readonly traceId: string;
  /** The span the call's span will be a child of (the agent's, or the span active at the call). */
  readonly parentSpanId: string;
  /**
   * The call's own span when it already has one (a retry, or a second gate after a first wait): the wait
   * is then drawn inside that span's row. Absent for a call's first wait, which has no span yet.
   */
  readonly callSpanId?: string;
  /** The name the call's span will have, such as `execute_tool search`. */
  readonly spanName: string;
  /** The attributes the call's span starts with (`gen_ai.operation.name`, `gen_ai.tool.name`, `overlap.gate`...). */
  readonly attributes: Attributes;
  /** The gate waited on (`overlap.gate` of the queue span to come) and its kind (`overlap.gate.kind`). */
  readonly gate: string;
  readonly gateKind: string;
  /** When the call was issued: the start its span will have. Nanoseconds since the epoch, decimal string. */
  readonly issuedAtUnixNano: string;
  /** When it joined the gate's queue: the start its queue span will have. */
  readonly queuedAtUnixNano: string;
  /** Waiters ahead of it when it joined (`overlap.queue.ahead`). */
  readonly ahead: number;
  /** The runner process's `service.name`. */
  readonly serviceName: string;
}

/** A wait that ended: the call was granted its permit, turned away, or cancelled. */
export interface DequeuedCall {
  readonly traceId: string;
  readonly queueId: string;
}

/** Most queued calls one live batch may announce. */
export const MAX_QUEUED_CALLS_PER_BATCH = 10_000;

/** What {@link readQueuedCalls} and {@link readDequeuedCalls} found: the valid records and the count refused. */
export interface QueueRecordsReading<T> {
  readonly records: T[];
  /** Records refused, with the first problem in words (`queued[3].traceId: expected 32 lowercase hex characters, received "x"`). */
  readonly rejected: number;
  readonly firstProblem: string | undefined;
}

class Problem {
  constructor(readonly message: string) {}
}

/**
 * Reads the `queued` list of a runner's live batch (untrusted: it comes off the network). Invalid
 * records are skipped and counted; a list longer than {@link MAX_QUEUED_CALLS_PER_BATCH} keeps its
 * first records. Each record is a new object holding only the known fields; attributes keep only
 * string, number and boolean values and string lists (as the call's span would hold them).
 *
 * @example
 * ```ts
 * const { records, rejected } = readQueuedCalls(batch.queued);
 * ```
 */
export function readQueuedCalls(value: unknown): QueueRecordsReading<QueuedCall> {
  return readList(value, 'queued', (item, path) => {
    const o = object(item, path);
    const call: { -readonly [K in keyof QueuedCall]: QueuedCall[K] } = {
      queueId: text(o.queueId, `${path}.queueId`, 200),
      traceId: id(o.traceId, `${path}.traceId`, TRACE_ID_PATTERN, '32 lowercase hex characters'),
      parentSpanId: id(o.parentSpanId, `${path}.parentSpanId`, SPAN_ID_PATTERN, '16 lowercase hex characters'),
      spanName: text(o.spanName, `${path}.spanName`, 500),
      attributes: attributes(o.attributes, `${path}.attributes`),
      gate: text(o.gate, `${path}.gate`, 200),
      gateKind: text(o.gateKind, `${path}.gateKind`, 100),
      issuedAtUnixNano: nanos(o.issuedAtUnixNano, `${path}.issuedAtUnixNano`),
      queuedAtUnixNano: nanos(o.queuedAtUnixNano, `${path}.queuedAtUnixNano`),
      ahead: count(o.ahead, `${path}.ahead`),
      serviceName: text(o.serviceName, `${path}.serviceName`, 256),
    };
    if (o.callSpanId !== undefined) call.callSpanId = id(o.callSpanId, `${path}.callSpanId`, SPAN_ID_PATTERN, '16 lowercase hex characters');
    return call;
  });
}

/**
 * Reads the `dequeued` list of a runner's live batch (untrusted), as {@link readQueuedCalls} does.
 *
 * @example
 * ```ts
 * const { records } = readDequeuedCalls(batch.dequeued);
 * ```
 */
export function readDequeuedCalls(value: unknown): QueueRecordsReading<DequeuedCall> {
  return readList(value, 'dequeued', (item, path) => {
    const o = object(item, path);
    return {
      traceId: id(o.traceId, `${path}.traceId`, TRACE_ID_PATTERN, '32 lowercase hex characters'),
      queueId: text(o.queueId, `${path}.queueId`, 200),
    };
  });
}

function readList<T>(value: unknown, path: string, read: (item: unknown, path: string) => T): QueueRecordsReading<T> {
  if (value === undefined) return { records: [], rejected: 0, firstProblem: undefined };
  if (!Array.isArray(value)) return { records: [], rejected: 1, firstProblem: `${path}: expected an array, received ${describeValue(value)}` };
  const records: T[] = [];
  let rejected = Math.max(0, value.length - MAX_QUEUED_CALLS_PER_BATCH);
  let firstProblem = rejected > 0 ? `${path}: more than ${MAX_QUEUED_CALLS_PER_BATCH} records; the rest were refused` : undefined;
  const end = Math.min(value.length, MAX_QUEUED_CALLS_PER_BATCH);
  for (let i = 0; i < end; i += 1) {
    try {
      records.push(read(value[i], `${path}[${i}]`));
    } catch (error) {
      if (!(error instanceof Problem)) throw error;
      rejected += 1;
      firstProblem ??= error.message;
    }
  }
  return { records, rejected, firstProblem };
}

function fail(path: string, expected: string, received: unknown): never {
  throw new Problem(`${path}: expected ${expected}, received ${describeValue(received)}`);
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
  return value as Record<string, unknown>;
}

function text(value: unknown, path: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) fail(path, `a string of 1 to ${maxLength} characters`, value);
  return value;
}

function id(value: unknown, path: string, pattern: RegExp, expected: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) fail(path, expected, value);
  return value;
}

function nanos(value: unknown, path: string): string {
  // Normalised (no leading zeros, within 64 bits), as the span-version rule compares them.
  const parsed = typeof value === 'string' ? parseUnixNano(value) : undefined;
  if (typeof parsed !== 'string') fail(path, 'nanoseconds since the epoch as a decimal string', value);
  return parsed;
}

function count(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(path, 'an integer >= 0', value);
  return value;
}

const MAX_ATTRIBUTES = 64;

function attributes(value: unknown, path: string): Attributes {
  const o = object(value, path);
  const out: Attributes = {};
  let kept = 0;
  for (const [key, raw] of Object.entries(o)) {
    if (kept === MAX_ATTRIBUTES) break;
    const read = attributeValue(raw);
    if (read === undefined) continue;
    setOwn(out, key, read);
    kept += 1;
  }
  return out;
}

function attributeValue(value: unknown): AttributeValue | undefined {
  if (typeof value === 'string') return value.slice(0, 1_000);
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
  if (Array.isArray(value) && value.length <= 32 && value.every((item) => typeof item === 'string')) return value.map((item: string) => item.slice(0, 1_000));
  return undefined;
}
