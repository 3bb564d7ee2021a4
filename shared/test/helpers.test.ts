import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Outcome, OverlapAttributes } from '../src/attributes.js';
import { canonicalJson } from '../src/trace/canonicalJson.js';
import { compareNanos } from '../src/trace/compareNanos.js';
import { booleanAttribute, numberAttribute, stringAttribute, stringListAttribute } from '../src/trace/spanAttributes.js';
import { isCallSpan, spanOutcome, spanPhase } from '../src/trace/spanRoles.js';
import { abandonedSpan, agentRun, queueSpan, span, toolCall } from './spanBuilders.js';

describe('compareNanos()', () => {
  it('compareNanos() - orders decimal strings as the numbers they spell', () => {
    const digits = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    fc.assert(
      fc.property(digits, digits, fc.nat({ max: 3 }), (a, b, zeros) => {
        const expected = a < b ? -1 : a > b ? 1 : 0;
        expect(Math.sign(compareNanos('0'.repeat(zeros) + String(a), String(b)))).toBe(expected);
      }),
    );
  });
});

describe('canonicalJson()', () => {
  it('canonicalJson() - gives the same string whatever the key order, and keeps __proto__ as a key', () => {
    expect(canonicalJson({ b: 1, a: [true, { d: null, c: 'x' }] })).toBe('{"a":[true,{"c":"x","d":null}],"b":1}');
    expect(canonicalJson(JSON.parse('{"z":1,"__proto__":2}'))).toBe('{"__proto__":2,"z":1}');
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(object));
        expect(JSON.parse(canonicalJson(object))).toEqual(JSON.parse(JSON.stringify(object)));
      }),
    );
  });
});

describe('span attribute readers', () => {
  it('stringAttribute() / numberAttribute() / booleanAttribute() / stringListAttribute() - read only their own type', () => {
    const attributes = { s: 'x', n: 3, inf: Infinity, b: false, list: ['a', 1, 'b'], one: 'g' };
    expect([stringAttribute(attributes, 's'), stringAttribute(attributes, 'n'), stringAttribute(attributes, 'toString')]).toEqual(['x', undefined, undefined]);
    expect([numberAttribute(attributes, 'n'), numberAttribute(attributes, 'inf'), numberAttribute(attributes, 's')]).toEqual([3, undefined, undefined]);
    expect([booleanAttribute(attributes, 'b'), booleanAttribute(attributes, 's')]).toEqual([false, undefined]);
    expect([stringListAttribute(attributes, 'list'), stringListAttribute(attributes, 'one'), stringListAttribute(attributes, 'n')]).toEqual([['a', 'b'], ['g'], []]);
  });
});

describe('span roles', () => {
  it('spanPhase() / isCallSpan() - tell queue, abandoned and call spans apart', () => {
    expect(spanPhase(queueSpan({ id: 'q', gate: 'db', start: 0, end: 1 }))).toBe('queue');
    expect(spanPhase(abandonedSpan({ id: 'a', start: 0, end: 1 }))).toBe('abandoned');
    expect(spanPhase(span({ id: 'p', start: 0, end: 1, attributes: { [OverlapAttributes.PHASE]: 'other' } }))).toBeUndefined();
    expect(isCallSpan(toolCall({ id: 't', start: 0, end: 1 }))).toBe(true);
    expect(isCallSpan(agentRun({ id: 'r', start: 0, end: 1 }))).toBe(false);
  });

  it('spanOutcome() - reads overlap.outcome, else the status, and nothing while in flight', () => {
    expect(spanOutcome(toolCall({ id: 't', start: 0, end: 1, outcome: 'timeout' }))).toBe(Outcome.TIMEOUT);
    expect(spanOutcome(toolCall({ id: 't', start: 0, end: 1, outcome: 'weird', status: { code: 'error' } }))).toBe('error');
    expect(spanOutcome(span({ id: 'p', start: 0, end: 1, status: { code: 'error' } }))).toBe('error');
    expect(spanOutcome(span({ id: 'p', start: 0, end: 1 }))).toBe('ok');
    expect(spanOutcome(toolCall({ id: 't', start: 0, outcome: 'ok' }))).toBeUndefined();
  });
});
