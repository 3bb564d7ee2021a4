import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSpanColumns, encodeSpanColumns } from '../src/live/spanColumns.js';
import type { SpanRecord } from '../src/model.js';
import { spanRecordArbitrary } from './arbitraries.js';
import { agentRun, toolCall } from './spanBuilders.js';

/** What crossing the wire as JSON gives. */
const overJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('spanColumns', () => {
  it('decodeSpanColumns() - gives back the spans encodeSpanColumns() was given, across JSON', () => {
    fc.assert(
      fc.property(fc.array(spanRecordArbitrary(), { maxLength: 12 }), (spans) => {
        expect(decodeSpanColumns(overJson(encodeSpanColumns(spans)))).toEqual(overJson(spans));
      }),
      { numRuns: 300 },
    );
  });

  it('encodeSpanColumns() - writes each repeated string, resource and scope once', () => {
    const spans: SpanRecord[] = [agentRun({ id: 'root', start: 0, end: 100 })];
    for (let i = 0; i < 200; i += 1) spans.push(toolCall({ id: `c${i}`, parent: 'root', start: i, end: i + 5, tool: `tool_${i % 4}` }));
    // Copies of one resource, as separate requests deliver them.
    const copies = spans.map((span) => ({ ...span, resource: structuredClone(span.resource), scope: structuredClone(span.scope) }));
    const columns = encodeSpanColumns(copies);
    expect(columns.resources).toHaveLength(1);
    expect(columns.scopes).toHaveLength(1);
    expect(columns.strings.filter((value) => value === 'tool_1')).toHaveLength(1);
    expect(JSON.stringify(columns).length).toBeLessThan(JSON.stringify(copies).length / 2);
    expect(decodeSpanColumns(overJson(columns))).toEqual(copies);
  });

  it('decodeSpanColumns() - refuses what is not the compact form', () => {
    expect(() => decodeSpanColumns({ v: 2, spans: [], strings: [] })).toThrow(TypeError);
    expect(() => decodeSpanColumns([])).toThrow(TypeError);
  });

  it('decodeSpanColumns() - keeps an attribute named __proto__ as an attribute', () => {
    const span = agentRun({ id: 'root', start: 0, end: 1 });
    const attributes = JSON.parse('{"__proto__": "x", "a": 1}') as SpanRecord['attributes'];
    const [decoded] = decodeSpanColumns(overJson(encodeSpanColumns([{ ...span, attributes }])));
    expect(Object.getPrototypeOf(decoded!.attributes)).toBe(Object.prototype);
    expect(Object.keys(decoded!.attributes)).toEqual(['__proto__', 'a']);
  });
});
