import type { SpanRecord } from '../model.js';
import { canonicalJson } from './canonicalJson.js';

/**
 * The key shared by every version of one span of a trace: its span id, parent id and start time. A span
 * arrives in several versions (announced in flight, then ended; re-sent by a retrying exporter); two
 * different spans that happen to share an id differ in parent or start, so they get different keys.
 * Within one trace; add the trace id when spans of several traces are mixed.
 *
 * @example
 * ```ts
 * spanVersionKey(inFlight) === spanVersionKey(ended); // true
 * ```
 */
export function spanVersionKey(span: SpanRecord): string {
  return `${span.spanId}\u0000${span.parentSpanId ?? ''}\u0000${span.startTimeUnixNano}`;
}

/**
 * Which of two versions of one span (same {@link spanVersionKey}) wins: the one rule that the trace
 * assembly (`assembleTrace`), the dashboard's store and the page's span set all follow.
 *
 * 1. An ended version beats an in-flight one (a span never goes back in flight).
 * 2. Otherwise the fuller one wins: more attributes, events and links (an ended span's attributes
 *    grow as the call goes on, and a re-sent copy never has more).
 * 3. Otherwise the one whose canonical JSON sorts later wins: an arbitrary but fixed choice.
 *
 * The rule depends only on the two versions, never on which arrived first, so every holder that saw
 * the same versions keeps the same one, whatever order they came in.
 *
 * @returns a positive number when `a` wins, a negative one when `b` wins, 0 when they are the same
 * version (equal as data).
 *
 * @example
 * ```ts
 * if (compareSpanVersions(incoming, held) > 0) held = incoming; // else keep what is held
 * ```
 */
export function compareSpanVersions(a: SpanRecord, b: SpanRecord): number {
  if (a === b) return 0;
  const aEnded = a.endTimeUnixNano !== undefined;
  const bEnded = b.endTimeUnixNano !== undefined;
  if (aEnded !== bEnded) return aEnded ? 1 : -1;
  const fullness = spanFullness(a) - spanFullness(b);
  if (fullness !== 0) return fullness;
  // The common repeat, a copy delivered again, is found without sorting keys.
  if (JSON.stringify(a) === JSON.stringify(b)) return 0;
  const aJson = canonicalJson(a);
  const bJson = canonicalJson(b);
  return aJson < bJson ? -1 : aJson > bJson ? 1 : 0;
}

function spanFullness(span: SpanRecord): number {
  return Object.keys(span.attributes).length + span.events.length + span.links.length;
}
