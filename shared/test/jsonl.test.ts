import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonlToSpans, spansToJsonl } from '../src/formats/jsonl.js';
import { isTraceFileError } from '../src/formats/TraceFileError.js';
import { spanRecordArbitrary } from './arbitraries.js';
import { span } from './spanBuilders.js';

describe('spansToJsonl() / jsonlToSpans()', () => {
  it('jsonlToSpans() - reads back exactly what spansToJsonl() wrote, for any valid spans', () => {
    fc.assert(
      fc.property(fc.array(spanRecordArbitrary(), { maxLength: 5 }), (spans) => {
        const { spans: read, errors } = jsonlToSpans(spansToJsonl(spans));
        expect(errors).toEqual([]);
        expect(read).toEqual(spans);
      }),
      { numRuns: 300 },
    );
  });

  it('spansToJsonl() - writes one line per span, each ending in a newline', () => {
    const text = spansToJsonl([span({ id: 'a', start: 0, end: 1 }), span({ id: 'b', start: 1, end: 2 })]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[1]!)).toEqual(span({ id: 'b', start: 1, end: 2 }));
    expect(spansToJsonl([])).toBe('');
  });

  it('jsonlToSpans() - reports bad lines with their numbers and keeps the good ones', () => {
    const good = span({ id: 'a', start: 0, end: 1 });
    const badId = { ...good, spanId: 'XYZ' };
    const text = [JSON.stringify(good), '{not json', '', JSON.stringify(badId), JSON.stringify({ ...good, extra: 1 })].join('\r\n');
    const { spans, errors } = jsonlToSpans(text);
    expect(spans).toEqual([good]);
    expect(errors.map((error) => error.line)).toEqual([2, 4, 5]);
    expect(errors[0]!.message).toMatch(/^not JSON/);
    expect(errors[1]!.message).toContain('spanId: expected 16 lowercase hex characters');
    expect(errors[2]!.message).toContain('extra: not a property of the span model');
  });

  it('jsonlToSpans() - throws a TraceFileError when not given a string', () => {
    let caught: unknown;
    try {
      jsonlToSpans(42 as unknown as string);
    } catch (error) {
      caught = error;
    }
    expect(isTraceFileError(caught)).toBe(true);
    expect((caught as Error).name).toBe('TraceFileError');
  });
});
