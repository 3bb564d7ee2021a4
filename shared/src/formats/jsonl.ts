/**
 * JSON lines: one {@link SpanRecord} as JSON per line. The simplest lossless trace file, and what the
 * dashboard's export and import use.
 *
 * @packageDocumentation
 */
import type { SpanRecord } from '../model.js';
import { describeValue } from '../describeValue.js';
import { TraceFileError } from './TraceFileError.js';
import { validateSpanRecord } from './validateSpanRecord.js';

/** A line {@link jsonlToSpans} could not read. */
export interface JsonlLineError {
  /** Line number, from 1. */
  readonly line: number;
  /** What is wrong, such as `spanId: expected 16 lowercase hex characters, not all zero, got "xyz"`. */
  readonly message: string;
}

/** What {@link jsonlToSpans} returns. */
export interface JsonlReadResult {
  /** The valid spans, in file order. */
  readonly spans: SpanRecord[];
  /** The lines that were not valid spans, in file order. */
  readonly errors: JsonlLineError[];
}

/**
 * Writes spans as JSON lines: each span's JSON on its own line, each line ending with `\n` (so an empty
 * list gives `''`). `jsonlToSpans(spansToJsonl(spans)).spans` equals `spans` for valid spans. The spans
 * are not changed.
 *
 * @example
 * ```ts
 * const file = new Blob([spansToJsonl(spans)], { type: 'application/x-ndjson' });
 * ```
 */
export function spansToJsonl(spans: readonly SpanRecord[]): string {
  let text = '';
  for (const span of spans) text += `${JSON.stringify(span)}\n`;
  return text;
}

/**
 * Reads JSON lines: each non-blank line must be one span's JSON, valid per `validateSpanRecord`. Lines
 * that are not (bad JSON, wrong shape) are reported in `errors` with their line number and skipped; the
 * others are returned. Line ends may be `\n` or `\r\n`; blank lines are ignored.
 *
 * @throws {@link TraceFileError} when `text` is not a string.
 *
 * @example
 * ```ts
 * const { spans, errors } = jsonlToSpans(await file.text());
 * for (const { line, message } of errors) console.warn(`line ${line}: ${message}`);
 * ```
 */
export function jsonlToSpans(text: string): JsonlReadResult {
  if (typeof text !== 'string') throw new TraceFileError('JSON lines', [`expected the file's text as a string, got ${describeValue(text)}`]);
  const spans: SpanRecord[] = [];
  const errors: JsonlLineError[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      errors.push({ line: index + 1, message: `not JSON: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    const result = validateSpanRecord(parsed);
    if (result.valid) spans.push(result.span);
    else errors.push({ line: index + 1, message: result.problems.join('; ') });
  });
  return { spans, errors };
}
