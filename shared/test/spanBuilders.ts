/**
 * Hand-built spans for the tests: times in milliseconds from a fixed epoch offset, everything else
 * defaulted so each test says only what matters to it.
 */
import { GenAiAttributes, OverlapAttributes, OverlapEvents, Phase } from '../src/attributes.js';
import { msToNanos } from '../src/model.js';
import type { Attributes, SpanEventRecord, SpanRecord } from '../src/model.js';

/** Time zero of the hand-built traces, ms since the epoch. */
export const T0 = 1_764_072_000_000;
export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

export interface SpanSpec {
  id: string;
  parent?: string;
  name?: string;
  /** ms after {@link T0}. */
  start: number;
  /** ms after {@link T0}; omitted for an in-flight span. */
  end?: number;
  attributes?: Attributes;
  events?: SpanEventRecord[];
  status?: SpanRecord['status'];
  service?: string;
}

/** A 16-hex-character span id made from a short label, so tests can say `id('root')`. */
export function id(label: string): string {
  let hex = '';
  for (const char of label) hex += char.charCodeAt(0).toString(16).padStart(2, '0');
  return hex.slice(-16).padStart(16, '0');
}

export function span(spec: SpanSpec): SpanRecord {
  const record: SpanRecord = {
    traceId: TRACE_ID,
    spanId: id(spec.id),
    name: spec.name ?? spec.id,
    kind: 'internal',
    startTimeUnixNano: msToNanos(T0 + spec.start),
    attributes: spec.attributes ?? {},
    events: spec.events ?? [],
    links: [],
    status: spec.status ?? { code: 'unset' },
    resource: { serviceName: spec.service ?? 'test-service', attributes: { 'service.name': spec.service ?? 'test-service' } },
    scope: { name: '@overlap/runner', version: '0.1.0' },
  };
  if (spec.parent !== undefined) record.parentSpanId = id(spec.parent);
  if (spec.end !== undefined) record.endTimeUnixNano = msToNanos(T0 + spec.end);
  return record;
}

export function event(name: string, at: number, attributes: Attributes = {}): SpanEventRecord {
  return { name, timeUnixNano: msToNanos(T0 + at), attributes };
}

/** An `execute_tool` call span passing `gates`. */
export function toolCall(spec: SpanSpec & { tool?: string; gates?: string[]; outcome?: string; attempts?: number; queueWaitMs?: number }): SpanRecord {
  const attributes: Attributes = {
    [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
    [GenAiAttributes.TOOL_NAME]: spec.tool ?? 'search',
    ...spec.attributes,
  };
  if (spec.gates !== undefined) attributes[OverlapAttributes.GATE] = spec.gates;
  if (spec.outcome !== undefined) attributes[OverlapAttributes.OUTCOME] = spec.outcome;
  if (spec.attempts !== undefined) attributes[OverlapAttributes.ATTEMPT] = spec.attempts;
  if (spec.queueWaitMs !== undefined) attributes[OverlapAttributes.QUEUE_WAIT_MS] = spec.queueWaitMs;
  return span({ ...spec, name: spec.name ?? `execute_tool ${spec.tool ?? 'search'}`, attributes });
}

/** A `queue {gate}` span under a call. */
export function queueSpan(spec: SpanSpec & { gate: string; failed?: boolean }): SpanRecord {
  return span({
    ...spec,
    name: `queue ${spec.gate}`,
    attributes: {
      [OverlapAttributes.PHASE]: Phase.QUEUE,
      [OverlapAttributes.GATE]: spec.gate,
      [OverlapAttributes.GATE_KIND]: 'semaphore',
      ...(spec.end !== undefined ? { [OverlapAttributes.QUEUE_WAIT_MS]: spec.end - spec.start } : {}),
    },
    ...(spec.failed === true ? { status: { code: 'error', message: 'queue timeout' } } : {}),
  });
}

/** An `abandoned {tool}` span under a call. */
export function abandonedSpan(spec: SpanSpec & { attempt?: number; settled?: boolean }): SpanRecord {
  const attributes: Attributes = { [OverlapAttributes.PHASE]: Phase.ABANDONED };
  if (spec.attempt !== undefined) attributes[OverlapAttributes.ATTEMPT] = spec.attempt;
  if (spec.settled !== undefined) attributes[OverlapAttributes.BODY_SETTLED] = spec.settled;
  return span({ ...spec, name: 'abandoned search', attributes });
}

/** An `invoke_agent` root span. */
export function agentRun(spec: SpanSpec & { agent?: string; outcome?: string }): SpanRecord {
  return span({
    ...spec,
    name: `invoke_agent ${spec.agent ?? 'researcher'}`,
    attributes: {
      [GenAiAttributes.OPERATION_NAME]: 'invoke_agent',
      [GenAiAttributes.AGENT_NAME]: spec.agent ?? 'researcher',
      ...(spec.outcome !== undefined ? { [OverlapAttributes.OUTCOME]: spec.outcome } : {}),
      ...spec.attributes,
    },
  });
}

export const backoff = (at: number, delayMs: number, nextAttempt: number): SpanEventRecord =>
  event(OverlapEvents.RETRY_BACKOFF, at, { [OverlapAttributes.ATTEMPT]: nextAttempt, [OverlapAttributes.RETRY_DELAY_MS]: delayMs });

/** ms after {@link T0} of an absolute ms value, for readable assertions. */
export const rel = (ms: number): number => Math.round((ms - T0) * 1000) / 1000;
