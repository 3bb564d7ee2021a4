import { OverlapError, codeGuard } from './OverlapError.js';

/** An option was missing or had the wrong type or range. Thrown at construction, never later. */
export class InvalidOptionError extends OverlapError {
  readonly code = 'OVERLAP_INVALID_OPTION' as const;

  constructor(
    /** Path of the option, such as `Semaphore.permits`. */
    readonly option: string,
    /** What was expected, in words. */
    readonly expected: string,
    /** What was received. */
    readonly received: unknown,
  ) {
    super(`${option}: expected ${expected}, received ${describeValue(received)}`);
  }
}

/** Whether `error` is an {@link InvalidOptionError}. */
export const isInvalidOptionError = codeGuard<InvalidOptionError>('OVERLAP_INVALID_OPTION');

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
