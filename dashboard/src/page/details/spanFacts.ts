import type { SpanRecord, WaterfallRow } from '@overlap/shared';
import { nanosToMs } from '@overlap/shared';
import { formatDuration } from '../format/formatDuration.js';
import { formatValue } from '../format/formatValue.js';
import { MARKER_STYLES, SEGMENT_STYLES } from '../theme/palette.js';

/** A labelled fact about a span, as plain text. */
export interface Fact {
  readonly term: string;
  readonly value: string;
}

/**
 * The headline facts of a row: when it started (from the trace's start), how long it took, how long
 * it queued, how it ended, attempts. Plain text, for `textContent`.
 *
 * @example
 * ```ts
 * for (const { term, value } of rowFacts(row)) list.append(element('dt', { text: term }), element('dd', { text: value }));
 * ```
 */
export function rowFacts(row: WaterfallRow): Fact[] {
  const facts: Fact[] = [
    { term: 'starts at', value: `+${formatDuration(row.offsetMs)}` },
    { term: 'duration', value: row.inFlight ? `${formatDuration(row.durationMs)} so far (in flight)` : formatDuration(row.durationMs) },
  ];
  if (row.queueMs > 0) facts.push({ term: 'queued', value: `${formatDuration(row.queueMs)} (ran ${formatDuration(Math.max(0, row.durationMs - row.queueMs))})` });
  facts.push({ term: 'outcome', value: row.outcome ?? 'in flight' });
  if (row.attempts > 1) facts.push({ term: 'attempts', value: String(row.attempts) });
  facts.push({ term: 'service', value: row.serviceName });
  return facts;
}

/**
 * The row's bar, segment by segment (`queued 120 ms (search-api)`), and its markers
 * (`◆ timed out after 500 ms at +1.2 s`), as lines of text.
 *
 * @example
 * ```ts
 * segmentLines(row, layout.startMs);
 * ```
 */
export function segmentLines(row: WaterfallRow, originMs: number): string[] {
  const lines = row.segments.map((segment) => {
    const what = `${SEGMENT_STYLES[segment.kind].label} ${formatDuration(segment.endMs - segment.startMs)}`;
    return segment.label === undefined ? what : `${what} (${segment.label})`;
  });
  for (const marker of row.markers) lines.push(`${MARKER_STYLES[marker.kind].glyph} ${marker.label} at +${formatDuration(marker.tMs - originMs)}`);
  return lines;
}

/**
 * A span's attributes as sorted facts (`gen_ai.tool.name` → `search`), values as text.
 *
 * @example
 * ```ts
 * attributeFacts(span.attributes).slice(0, 8);
 * ```
 */
export function attributeFacts(attributes: SpanRecord['attributes']): Fact[] {
  return Object.keys(attributes)
    .sort()
    .map((key) => ({ term: key, value: formatValue(attributes[key]!) }));
}

/**
 * A span's events as lines: name, time from the span's start, attributes.
 *
 * @example
 * ```ts
 * eventLines(span);
 * ```
 */
export function eventLines(span: SpanRecord): string[] {
  const startMs = nanosToMs(span.startTimeUnixNano);
  return span.events.map((event) => {
    const at = `+${formatDuration(nanosToMs(event.timeUnixNano) - startMs)}`;
    const attributes = attributeFacts(event.attributes).map((fact) => `${fact.term}=${fact.value}`);
    return attributes.length === 0 ? `${at} ${event.name}` : `${at} ${event.name} (${attributes.join(', ')})`;
  });
}
