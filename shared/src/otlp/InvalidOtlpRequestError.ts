import { OverlapError, codeGuard } from '../errors/OverlapError.js';

/**
 * An OTLP export request whose structure cannot be read at all: not an object, or a list that is not an
 * array. (A single bad span does not raise this; {@link otlpToSpans} rejects it and keeps the rest.)
 *
 * @example
 * ```ts
 * try {
 *   otlpToSpans(JSON.parse(body));
 * } catch (error) {
 *   if (isInvalidOtlpRequestError(error)) console.warn(error.path, error.message);
 * }
 * ```
 */
export class InvalidOtlpRequestError extends OverlapError {
  /** Stable, machine-readable identifier of this failure. */
  readonly code = 'OVERLAP_INVALID_OTLP_REQUEST' as const;

  constructor(
    /** Where in the request the problem is, such as `resourceSpans[2].scopeSpans`. */
    readonly path: string,
    /** What was expected there, in words. */
    readonly expected: string,
  ) {
    super(`invalid OTLP request: ${path} must be ${expected}`);
  }
}

/** Whether `error` is an {@link InvalidOtlpRequestError} (checked by `code`, so two copies of the library agree). */
export const isInvalidOtlpRequestError = codeGuard<InvalidOtlpRequestError>('OVERLAP_INVALID_OTLP_REQUEST');
