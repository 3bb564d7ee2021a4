import { jaegerToSpans, jsonlToSpans, otlpToSpans, type SpanRecord } from '@overlap/shared';

/** File formats the dashboard exports and imports. */
export type TraceFileFormat = 'jaeger' | 'otlp' | 'jsonl';

/** The spans in an exported file of `format`, to count what was written. */
export function spansInFile(text: string, format: TraceFileFormat): SpanRecord[] {
  if (format === 'jsonl') return jsonlToSpans(text).spans;
  const json = JSON.parse(text) as unknown;
  return format === 'jaeger' ? jaegerToSpans(json).spans : otlpToSpans(json).spans;
}

/** "3 traces, 120 spans". */
export function describeSpans(spans: readonly SpanRecord[]): string {
  const traces = new Set(spans.map((s) => s.traceId)).size;
  return `${traces} trace${traces === 1 ? '' : 's'}, ${spans.length} span${spans.length === 1 ? '' : 's'}`;
}

/**
 * Parses `--since`: a duration back from now (`30s`, `10m`, `2h`, `1d`) or a date (`2026-11-25T10:00:00Z`).
 * Returns milliseconds since the epoch, or undefined when it is neither.
 */
export function parseSince(value: string, nowMs = Date.now()): number | undefined {
  const duration = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  if (duration) {
    const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[duration[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
    return nowMs - Number(duration[1]) * unit;
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date;
}
