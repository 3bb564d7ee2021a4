import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_REPORTED_PROBLEMS } from '../src/formats/TraceFileError.js';
import { isSpanRecord, validateSpanRecord } from '../src/formats/validateSpanRecord.js';
import { spanRecordArbitrary } from './arbitraries.js';
import { span } from './spanBuilders.js';

const problemsOf = (value: unknown): readonly string[] => {
  const result = validateSpanRecord(value);
  return result.valid ? [] : result.problems;
};

describe('validateSpanRecord()', () => {
  it('validateSpanRecord() - accepts every valid span record, returning the same object', () => {
    fc.assert(
      fc.property(spanRecordArbitrary({ nonFiniteNumbers: true }), (record) => {
        const result = validateSpanRecord(record);
        expect(result).toEqual({ valid: true, span: record });
        expect(result.valid && result.span).toBe(record);
        expect(isSpanRecord(record)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('validateSpanRecord() - names each bad field with what it expected', () => {
    const good = span({ id: 'a', start: 0, end: 1 });
    const cases: Array<[unknown, string]> = [
      [{ ...good, traceId: 'ABC' }, 'traceId: expected 32 lowercase hex characters'],
      [{ ...good, traceId: '0'.repeat(32) }, 'traceId: expected 32 lowercase hex characters, not all zero'],
      [{ ...good, spanId: 42 }, 'spanId: expected 16 lowercase hex characters, not all zero, got 42'],
      [{ ...good, parentSpanId: '' }, 'parentSpanId: expected 16 lowercase hex characters'],
      [{ ...good, kind: 'sideways' }, 'kind: expected one of'],
      [{ ...good, startTimeUnixNano: 1764072000000 }, 'startTimeUnixNano: expected nanoseconds as a decimal string'],
      [{ ...good, startTimeUnixNano: '0123' }, 'startTimeUnixNano: expected nanoseconds'],
      [{ ...good, endTimeUnixNano: '18446744073709551616' }, 'endTimeUnixNano: expected nanoseconds as a decimal string (at most 2^64 - 1)'],
      [{ ...good, attributes: { a: undefined } }, 'attributes["a"]: expected a string, number, boolean, null, array or object'],
      [{ ...good, attributes: { a: { bytesBase64: 'not base64!' } } }, 'attributes["a"].bytesBase64: expected base64'],
      [{ ...good, attributes: { a: new Date(0) } }, 'attributes["a"]: expected a plain object'],
      [{ ...good, events: [{ name: 'e', timeUnixNano: 'x', attributes: {} }] }, 'events[0].timeUnixNano'],
      [{ ...good, links: [{ traceId: good.traceId, spanId: 'zz', attributes: {} }] }, 'links[0].spanId'],
      [{ ...good, status: { code: 'ERROR' } }, 'status.code: expected one of unset, ok, error'],
      [{ ...good, resource: { attributes: {} } }, 'resource.serviceName: expected a string'],
      [{ ...good, scope: { name: 'x', version: 1 } }, 'scope.version: expected a string'],
      [{ ...good, flags: 2 ** 32 }, 'flags: expected an integer from 0 to 2^32 - 1'],
      [{ ...good, droppedEventsCount: -1 }, 'droppedEventsCount: expected a non-negative integer'],
      [{ ...good, endTimeUnixNanos: '1' }, 'endTimeUnixNanos: not a property of the span model'],
      ['a string', 'span: expected an object, got "a string"'],
    ];
    for (const [value, expected] of cases) {
      expect(problemsOf(value)).toEqual([expect.stringContaining(expected)]);
      expect(isSpanRecord(value)).toBe(false);
    }
  });

  it('validateSpanRecord() - refuses attribute values nested deeper than the limit instead of overflowing', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i += 1) deep = [deep];
    const record = { ...span({ id: 'a', start: 0, end: 1 }), attributes: { deep } };
    expect(problemsOf(record)).toEqual([expect.stringContaining('nested deeper than 64 levels')]);
  });

  it('validateSpanRecord() - lists at most the reporting limit, then how many more', () => {
    const attributes = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, () => i]));
    const problems = problemsOf({ ...span({ id: 'a', start: 0, end: 1 }), attributes });
    expect(problems).toHaveLength(MAX_REPORTED_PROBLEMS + 1);
    expect(problems[MAX_REPORTED_PROBLEMS]).toBe(`... and ${80 - MAX_REPORTED_PROBLEMS} more problems`);
  });

  it('validateSpanRecord() - allows an end before the start (assembleTrace repairs it) and a __proto__ attribute key', () => {
    const record = { ...span({ id: 'a', start: 10, end: 10 }), endTimeUnixNano: '1' };
    expect(validateSpanRecord(record).valid).toBe(true);
    const parsed: unknown = JSON.parse(JSON.stringify(span({ id: 'a', start: 0, end: 1 })).replace('"attributes":{}', '"attributes":{"__proto__":1}'));
    expect(validateSpanRecord(parsed).valid).toBe(true);
  });
});
