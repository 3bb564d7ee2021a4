/**
 * The shape of trace and span ids as Overlap stores them: lowercase hex, 32 characters for a trace id,
 * 16 for a span id (the OTLP/JSON encoding's, lowercased). The one definition every package checks ids
 * with.
 *
 * @packageDocumentation
 */

/** A stored trace id: 32 lowercase hex characters. */
export const TRACE_ID_PATTERN = /^[0-9a-f]{32}$/;

/** A stored span id: 16 lowercase hex characters. */
export const SPAN_ID_PATTERN = /^[0-9a-f]{16}$/;

const ANY_CASE_TRACE_ID = /^[0-9a-fA-F]{32}$/;

/**
 * Reads a trace id given by a person or a client (a URL path, a query, a `watch` request, a CLI
 * argument): 32 hex characters in either case.
 *
 * @returns the id in lowercase, as stored; `undefined` when `value` is not one.
 *
 * @example
 * ```ts
 * readTraceId('0AF7651916CD43DD8448EB211C80319C'); // '0af7651916cd43dd8448eb211c80319c'
 * readTraceId('nope'); // undefined
 * ```
 */
export function readTraceId(value: unknown): string | undefined {
  return typeof value === 'string' && ANY_CASE_TRACE_ID.test(value) ? value.toLowerCase() : undefined;
}
