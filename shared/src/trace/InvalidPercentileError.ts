import { OverlapError, codeGuard } from '../errors/OverlapError.js';

/**
 * A percentile was asked for outside 0..100 (or not a number).
 *
 * @example
 * ```ts
 * try {
 *   percentile(sorted, 250);
 * } catch (error) {
 *   if (isInvalidPercentileError(error)) console.warn(error.message);
 * }
 * ```
 */
export class InvalidPercentileError extends OverlapError {
  /** Stable, machine-readable identifier of this failure. */
  readonly code = 'OVERLAP_INVALID_PERCENTILE' as const;

  constructor(
    /** The percentile received. */
    readonly received: unknown,
  ) {
    super(`percentile must be a number from 0 to 100, received ${String(received)}`);
  }
}

/** Whether `error` is an {@link InvalidPercentileError} (checked by `code`, so two copies of the library agree). */
export const isInvalidPercentileError = codeGuard<InvalidPercentileError>('OVERLAP_INVALID_PERCENTILE');
