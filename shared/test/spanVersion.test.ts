import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../src/model.js';
import { compareSpanVersions, spanVersionKey } from '../src/trace/spanVersion.js';
import { span } from './spanBuilders.js';

/** Versions of one span: in flight or ended, with 0..3 attributes, some equal as data. */
const versionsArbitrary: fc.Arbitrary<SpanRecord[]> = fc.array(
  fc.record({ ended: fc.boolean(), attributeCount: fc.nat({ max: 3 }), value: fc.constantFrom('x', 'y') }).map(({ ended, attributeCount, value }) =>
    span({
      id: 'a',
      parent: 'root',
      start: 5,
      ...(ended ? { end: 20 } : {}),
      attributes: Object.fromEntries(Array.from({ length: attributeCount }, (_, i) => [`k${i}`, value])),
    }),
  ),
  { minLength: 1, maxLength: 8 },
);

function winnerOf(versions: readonly SpanRecord[]): SpanRecord {
  return versions.reduce((held, incoming) => (compareSpanVersions(incoming, held) > 0 ? incoming : held));
}

describe('compareSpanVersions()', () => {
  it('compareSpanVersions() - an ended version beats an in-flight one, whatever their attributes', () => {
    const inFlight = span({ id: 'a', start: 0, attributes: { a: 1, b: 2, c: 3 } });
    const ended = span({ id: 'a', start: 0, end: 10 });
    expect(compareSpanVersions(ended, inFlight)).toBeGreaterThan(0);
    expect(compareSpanVersions(inFlight, ended)).toBeLessThan(0);
  });

  it('compareSpanVersions() - of two ended versions the fuller wins', () => {
    const bare = span({ id: 'a', start: 0, end: 10 });
    const full = span({ id: 'a', start: 0, end: 10, attributes: { done: true } });
    expect(compareSpanVersions(full, bare)).toBeGreaterThan(0);
    expect(compareSpanVersions(bare, full)).toBeLessThan(0);
  });

  it('compareSpanVersions() - is 0 for copies equal as data, and antisymmetric otherwise', () => {
    fc.assert(
      fc.property(versionsArbitrary, (versions) => {
        for (const a of versions) {
          expect(compareSpanVersions(a, structuredClone(a))).toBe(0);
          for (const b of versions) expect(Math.sign(compareSpanVersions(a, b)) + Math.sign(compareSpanVersions(b, a))).toBe(0);
        }
      }),
    );
  });

  it('compareSpanVersions() - keeps the same version whatever order the versions arrive in', () => {
    fc.assert(
      fc.property(versionsArbitrary, fc.infiniteStream(fc.nat()), (versions, seeds) => {
        const shuffled = versions.map((v) => ({ v, key: seeds.next().value })).sort((a, b) => a.key - b.key).map(({ v }) => v);
        expect(winnerOf(shuffled)).toEqual(winnerOf(versions));
        expect(winnerOf([...versions].reverse())).toEqual(winnerOf(versions));
      }),
    );
  });
});

describe('spanVersionKey()', () => {
  it('spanVersionKey() - is shared by the in-flight and ended versions, and differs for another span with the same id', () => {
    const ended = span({ id: 'a', parent: 'root', start: 5, end: 9 });
    const inFlight = span({ id: 'a', parent: 'root', start: 5 });
    const other = span({ id: 'a', parent: 'root', start: 6, end: 9 });
    expect(spanVersionKey(inFlight)).toBe(spanVersionKey(ended));
    expect(spanVersionKey(other)).not.toBe(spanVersionKey(ended));
  });
});
