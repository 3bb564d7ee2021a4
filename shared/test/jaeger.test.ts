import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jaegerToSpans } from '../src/formats/jaegerToSpans.js';
import { spansToJaeger } from '../src/formats/spansToJaeger.js';
import type { JaegerKeyValue } from '../src/formats/jaegerTypes.js';
import { TraceFileError, isTraceFileError } from '../src/formats/TraceFileError.js';
import type { SpanRecord } from '../src/model.js';
import { spanRecordArbitrary } from './arbitraries.js';
import { TRACE_ID, event, id, span } from './spanBuilders.js';
import { GenAiAttributes, OverlapAttributes, OverlapEvents, OverlapJaegerTags } from '../src/attributes.js';

const tag = (tags: readonly JaegerKeyValue[], key: string): JaegerKeyValue | undefined => tags.find((entry) => entry.key === key);

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('spansToJaeger() / jaegerToSpans()', () => {
  it('jaegerToSpans() - reads back exactly what spansToJaeger() wrote, through JSON, for any valid spans', () => {
    fc.assert(
      fc.property(fc.array(spanRecordArbitrary({ nonFiniteNumbers: true }), { maxLength: 5 }), (spans) => {
        const file = JSON.parse(JSON.stringify(spansToJaeger(spans))) as unknown;
        const { spans: read } = jaegerToSpans(file);
        // Spans come back grouped by trace, in order of first appearance.
        const order = [...new Set(spans.map((s) => s.traceId))];
        const grouped = order.flatMap((traceId) => spans.filter((s) => s.traceId === traceId));
        expect(read).toEqual(grouped);
      }),
      { numRuns: 300 },
    );
  });

  it('spansToJaeger() - writes the fields Jaeger UI reads: µs times, references, typed tags, processes', () => {
    const parent = span({ id: 'root', start: 0, end: 100 });
    const child: SpanRecord = {
      ...span({
        id: 'child',
        parent: 'root',
        start: 10.5,
        end: 40.25,
        attributes: { [GenAiAttributes.TOOL_NAME]: 'search', [OverlapAttributes.ATTEMPT]: 2, ratio: 0.5, ok: true, gates: ['db'] },
        events: [event(OverlapEvents.TIMEOUT, 20, { [OverlapAttributes.TIMEOUT_MS]: 10 })],
        status: { code: 'error', message: 'boom' },
      }),
      kind: 'client',
      links: [{ traceId: TRACE_ID, spanId: id('other'), attributes: {} }],
    };
    const file = spansToJaeger([parent, child]);
    expect(file.data).toHaveLength(1);
    const trace = file.data[0]!;
    expect(trace.traceID).toBe(TRACE_ID);
    expect(Object.values(trace.processes)).toEqual([
      { serviceName: 'test-service', tags: [{ key: 'service.name', type: 'string', value: 'test-service' }] },
    ]);
    const jaegerChild = trace.spans[1]!;
    expect(jaegerChild.startTime).toBe((1_764_072_000_000 + 10.5) * 1000);
    expect(jaegerChild.duration).toBe(29_750);
    expect(jaegerChild.references).toEqual([
      { refType: 'CHILD_OF', traceID: TRACE_ID, spanID: id('root') },
      { refType: 'FOLLOWS_FROM', traceID: TRACE_ID, spanID: id('other') },
    ]);
    expect(tag(jaegerChild.tags, OverlapAttributes.ATTEMPT)).toEqual({ key: OverlapAttributes.ATTEMPT, type: 'int64', value: 2 });
    expect(tag(jaegerChild.tags, 'ratio')).toEqual({ key: 'ratio', type: 'float64', value: 0.5 });
    expect(tag(jaegerChild.tags, 'ok')).toEqual({ key: 'ok', type: 'bool', value: true });
    expect(tag(jaegerChild.tags, 'gates')).toEqual({ key: 'gates', type: 'string', value: '["db"]' });
    expect(tag(jaegerChild.tags, 'span.kind')?.value).toBe('client');
    expect(tag(jaegerChild.tags, 'otel.status_code')?.value).toBe('ERROR');
    expect(tag(jaegerChild.tags, 'error')).toEqual({ key: 'error', type: 'bool', value: true });
    expect(tag(jaegerChild.tags, 'otel.status_description')?.value).toBe('boom');
    expect(tag(jaegerChild.tags, 'otel.scope.name')?.value).toBe('@overlap/runner');
    expect(tag(jaegerChild.tags, 'otel.scope.version')?.value).toBe('0.1.0');
    expect(jaegerChild.logs).toEqual([
      {
        timestamp: (1_764_072_000_000 + 20) * 1000,
        fields: [
          { key: 'event', type: 'string', value: OverlapEvents.TIMEOUT },
          { key: OverlapAttributes.TIMEOUT_MS, type: 'int64', value: 10 },
        ],
      },
    ]);
    // Whole microseconds: no exact-nanosecond tags needed.
    expect(tag(jaegerChild.tags, OverlapJaegerTags.START_NANOS)).toBeUndefined();
    expect(jaegerChild.processID).toBe('p1');
    expect(jaegerChild.warnings).toBeNull();
  });

  it('spansToJaeger() - keeps sub-microsecond times in overlap.*_unix_nano tags', () => {
    const record: SpanRecord = {
      ...span({ id: 'a', start: 0, end: 1 }),
      startTimeUnixNano: '1764072000000000123',
      endTimeUnixNano: '1764072000001000999',
      events: [{ name: 'e', timeUnixNano: '1764072000000500001', attributes: {} }],
    };
    const jaegerSpan = spansToJaeger([record]).data[0]!.spans[0]!;
    expect(jaegerSpan.startTime).toBe(1_764_072_000_000_000);
    expect(jaegerSpan.duration).toBe(1000);
    expect(tag(jaegerSpan.tags, OverlapJaegerTags.START_NANOS)?.value).toBe('1764072000000000123');
    expect(tag(jaegerSpan.tags, OverlapJaegerTags.END_NANOS)?.value).toBe('1764072000001000999');
    expect(tag(jaegerSpan.logs[0]!.fields, OverlapJaegerTags.EVENT_NANOS)?.value).toBe('1764072000000500001');
    expect(jaegerToSpans(spansToJaeger([record])).spans).toEqual([record]);
  });

  it('spansToJaeger() - exports an in-flight span with duration 0 and a warning', () => {
    const inFlight = span({ id: 'live', start: 5 });
    const jaegerSpan = spansToJaeger([inFlight]).data[0]!.spans[0]!;
    expect(jaegerSpan.duration).toBe(0);
    expect(jaegerSpan.warnings).toEqual([expect.stringContaining('had not ended')]);
    const { spans } = jaegerToSpans(spansToJaeger([inFlight]));
    expect(spans[0]!.endTimeUnixNano).toBeUndefined();
  });

  it('spansToJaeger() - escapes attribute keys that the mapping uses, so they cannot change the status', () => {
    const record = span({ id: 'a', start: 0, end: 1, attributes: { error: true, 'span.kind': 'server' } });
    const jaegerSpan = spansToJaeger([record]).data[0]!.spans[0]!;
    expect(tag(jaegerSpan.tags, 'error')).toBeUndefined();
    expect(tag(jaegerSpan.tags, `${OverlapJaegerTags.ESCAPE_PREFIX}error`)?.value).toBe(true);
    const read = jaegerToSpans(spansToJaeger([record])).spans[0]!;
    expect(read.status).toEqual({ code: 'unset' });
    expect(read.kind).toBe('internal');
    expect(read.attributes).toEqual({ error: true, 'span.kind': 'server' });
  });

  it('spansToJaeger() - throws a TraceFileError naming the span and field of an invalid record', () => {
    const bad = { ...span({ id: 'a', start: 0, end: 1 }), startTimeUnixNano: 'yesterday' };
    const error = catchError(() => spansToJaeger([span({ id: 'b', start: 0, end: 1 }), bad]));
    expect(error).toBeInstanceOf(TraceFileError);
    expect((error as TraceFileError).code).toBe('OVERLAP_TRACE_FILE');
    expect((error as TraceFileError).problems).toEqual([expect.stringContaining('spans[1].startTimeUnixNano')]);
  });

  it('jaegerToSpans() - reads a file written by Jaeger itself the way the OpenTelemetry Collector does', () => {
    const file = {
      data: [
        {
          traceID: 'abc123',
          spans: [
            {
              traceID: 'abc123',
              spanID: 'f00d',
              operationName: 'GET /orders',
              references: [
                { refType: 'FOLLOWS_FROM', traceID: 'abc123', spanID: 'beef' },
                { refType: 'CHILD_OF', traceID: 'abc123', spanID: 'cafe' },
              ],
              startTime: 1_764_072_000_000_000,
              duration: 1500,
              tags: [
                { key: 'span.kind', type: 'string', value: 'server' },
                { key: 'error', type: 'bool', value: true },
                { key: 'otel.library.name', type: 'string', value: 'express' },
                { key: 'http.status_code', type: 'int64', value: 500 },
                { key: 'big', type: 'int64', value: '9007199254740993' },
                { key: 'untyped', value: 1.5 },
              ],
              logs: [{ timestamp: 1_764_072_000_000_100, fields: [{ key: 'message', type: 'string', value: 'slow' }] }],
              processID: 'p1',
              warnings: ['clock skew adjusted'],
            },
          ],
          processes: { p1: { serviceName: 'orders', tags: [{ key: 'host.name', type: 'string', value: 'web-1' }] } },
          warnings: null,
        },
      ],
    };
    const { spans, warnings } = jaegerToSpans(file);
    expect(spans).toEqual([
      {
        traceId: '00000000000000000000000000abc123',
        spanId: '000000000000f00d',
        parentSpanId: '000000000000cafe',
        name: 'GET /orders',
        kind: 'server',
        startTimeUnixNano: '1764072000000000000',
        endTimeUnixNano: '1764072000001500000',
        attributes: { 'http.status_code': 500, big: 9007199254740992, untyped: 1.5 },
        events: [{ name: '', timeUnixNano: '1764072000000100000', attributes: { message: 'slow' } }],
        links: [{ traceId: '00000000000000000000000000abc123', spanId: '000000000000beef', attributes: {} }],
        status: { code: 'error' },
        resource: { serviceName: 'orders', attributes: { 'host.name': 'web-1', 'service.name': 'orders' } },
        scope: { name: 'express' },
      },
    ]);
    expect(warnings).toEqual([expect.stringContaining('clock skew adjusted')]);
  });

  it('jaegerToSpans() - warns and uses unknown_service for a span whose process is missing', () => {
    const file = spansToJaeger([span({ id: 'a', start: 0, end: 1 })]);
    file.data[0]!.processes = {};
    const { spans, warnings } = jaegerToSpans(file);
    expect(spans[0]!.resource).toEqual({ serviceName: 'unknown_service', attributes: {} });
    expect(warnings).toEqual([expect.stringContaining('is not in the trace\'s processes')]);
  });

  it('jaegerToSpans() - accepts a bare array of traces and a single trace', () => {
    const record = span({ id: 'a', start: 0, end: 1 });
    const trace = spansToJaeger([record]).data[0]!;
    expect(jaegerToSpans([trace]).spans).toEqual([record]);
    expect(jaegerToSpans(trace).spans).toEqual([record]);
  });

  it('jaegerToSpans() - throws a TraceFileError listing every structural problem', () => {
    const error = catchError(() =>
      jaegerToSpans({
        data: [
          {
            traceID: 'x',
            spans: [
              { traceID: 'zz', spanID: '0000', operationName: 'a', startTime: -1, duration: 1.5, processID: 'p1' },
              { traceID: 'ab', spanID: 'cd', operationName: 7, startTime: 1, references: [{ refType: 'PARENT' }] },
            ],
            processes: {},
          },
        ],
      }),
    );
    expect(isTraceFileError(error)).toBe(true);
    const problems = (error as TraceFileError).problems;
    expect(problems).toEqual([
      expect.stringContaining('data[0].spans[0].traceID'),
      expect.stringContaining('data[0].spans[0].spanID'),
      expect.stringContaining('data[0].spans[0].startTime'),
      expect.stringContaining('data[0].spans[0].duration'),
      expect.stringContaining('data[0].spans[1].operationName'),
      expect.stringContaining('data[0].spans[1].references[0]'),
    ]);
  });

  it('jaegerToSpans() - throws a TraceFileError for something that is not a trace file', () => {
    for (const input of [null, 'text', { data: 'no' }, { traces: [] }]) {
      expect(isTraceFileError(catchError(() => jaegerToSpans(input)))).toBe(true);
    }
  });

  it('spansToJaeger() - does not change its input', () => {
    fc.assert(
      fc.property(fc.array(spanRecordArbitrary(), { maxLength: 3 }), (spans) => {
        const before = JSON.stringify(spans);
        spansToJaeger(spans);
        expect(JSON.stringify(spans)).toBe(before);
      }),
      { numRuns: 50 },
    );
  });
});
