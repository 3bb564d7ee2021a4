/**
 * fast-check arbitraries for whole traces: spans with unique ids linked into a forest (plus orphans),
 * and a "messy" arrival of the same trace (shuffled, duplicated, with in-flight versions of its spans).
 */
import fc from 'fast-check';
import type { SpanRecord } from '../src/model.js';
import { attributesArbitrary } from './arbitraries.js';
import { TRACE_ID } from './spanBuilders.js';

const BASE_NANOS = 1_764_072_000_000_000_000n;

const spanIdOf = (index: number): string => (index + 1).toString(16).padStart(16, '0');

interface SpanShape {
  parent: number;
  startUs: number;
  durationUs: number | null;
  name: string;
  attributes: SpanRecord['attributes'];
  eventCount: number;
}

/** A clean trace: unique ids, parents among earlier spans (or none, or a missing id), times in µs steps with ties. */
export const cleanTraceArbitrary: fc.Arbitrary<SpanRecord[]> = fc
  .array(
    fc.record({
      parent: fc.integer({ min: -2, max: 40 }),
      startUs: fc.integer({ min: 0, max: 50 }),
      durationUs: fc.option(fc.integer({ min: 0, max: 100 }), { freq: 5 }),
      name: fc.constantFrom('a', 'b', 'c'),
      attributes: attributesArbitrary(),
      eventCount: fc.nat({ max: 2 }),
    }),
    { minLength: 1, maxLength: 30 },
  )
  .map((shapes: SpanShape[]) =>
    shapes.map((shape, index) => {
      const start = BASE_NANOS + BigInt(shape.startUs) * 1000n;
      const record: SpanRecord = {
        traceId: TRACE_ID,
        spanId: spanIdOf(index),
        name: shape.name,
        kind: 'internal',
        startTimeUnixNano: start.toString(),
        attributes: shape.attributes,
        events: Array.from({ length: shape.eventCount }, (_, e) => ({ name: `e${e}`, timeUnixNano: start.toString(), attributes: {} })),
        links: [],
        status: { code: 'unset' },
        resource: { serviceName: 'svc', attributes: {} },
        scope: { name: 'test' },
      };
      // -2: an orphan (its parent never arrives); -1 or a later index: a root; else an earlier span.
      if (shape.parent === -2) record.parentSpanId = 'ffffffffffffffff';
      else if (shape.parent >= 0 && shape.parent < index) record.parentSpanId = spanIdOf(shape.parent);
      if (shape.durationUs !== null) record.endTimeUnixNano = (start + BigInt(shape.durationUs) * 1000n).toString();
      return record;
    }),
  );

/** An in-flight version of a span: no end, and (when it has any) fewer attributes and events. */
function inFlightVersion(span: SpanRecord): SpanRecord {
  const { endTimeUnixNano: _end, ...rest } = span;
  const keys = Object.keys(span.attributes);
  const attributes = Object.fromEntries(keys.slice(0, Math.max(0, keys.length - 1)).map((key) => [key, span.attributes[key]!]));
  return { ...rest, attributes, events: span.events.slice(0, Math.max(0, span.events.length - 1)) };
}

/** The same trace as it might arrive: in-flight versions of ended spans, exact duplicates, any order. */
export function messyArrival(clean: readonly SpanRecord[]): fc.Arbitrary<SpanRecord[]> {
  return fc
    .tuple(
      fc.array(fc.boolean(), { minLength: clean.length, maxLength: clean.length }),
      fc.array(fc.nat({ max: 2 }), { minLength: clean.length, maxLength: clean.length }),
    )
    .chain(([withInFlight, copies]) => {
      const arrivals: SpanRecord[] = [];
      clean.forEach((span, i) => {
        arrivals.push(span);
        // An in-flight version of an in-flight span is only a lesser one when it lost something;
        // otherwise it would be a second, equally full version, which is a different situation.
        const lesser = inFlightVersion(span);
        const isLesser = span.endTimeUnixNano !== undefined || Object.keys(lesser.attributes).length < Object.keys(span.attributes).length || lesser.events.length < span.events.length;
        if (withInFlight[i] === true && isLesser) arrivals.push(lesser);
        for (let c = 0; c < copies[i]!; c += 1) arrivals.push(structuredClone(span));
      });
      return fc.shuffledSubarray(arrivals, { minLength: arrivals.length, maxLength: arrivals.length });
    });
}
