import { describeValue } from '../describeValue.js';
import { OverlapError, codeGuard } from './OverlapError.js';

/**
 * An option was missing or had the wrong type or range. Thrown at construction, never later. The one
 * option error of every Overlap package: the runner, the dashboard and the examples all throw it.
 *
 * @example
 * ```ts
 * try {
 *   createDashboardServer({ port: 70_000 });
 * } catch (error) {
 *   if (isInvalidOptionError(error)) console.error(error.option, error.expected, error.received);
 *   // port: expected an integer from 0 to 65535, received 70000
 * }
 * ```
 */
export class InvalidOptionError extends OverlapError {
  readonly code = 'OVERLAP_INVALID_OPTION' as const;

  constructor(
    /** Path of the option, such as `Semaphore.permits` or `port`. */
    readonly option: string,
    /** What was expected, in words, such as `an integer >= 1`. */
    readonly expected: string,
    /** What was received. */
    readonly received: unknown,
  ) {
    super(`${option}: expected ${expected}, received ${describeValue(received)}`);
  }
}

/** Whether `error` is an {@link InvalidOptionError} (checked by `code`, so two installed copies agree). */
export const isInvalidOptionError = codeGuard<InvalidOptionError>('OVERLAP_INVALID_OPTION');
