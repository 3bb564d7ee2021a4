/**
 * Base class of every error Overlap throws, in every package. Each subclass has a stable
 * {@link OverlapError.code}; match on it (or use the `isXError` guards, built with {@link codeGuard})
 * rather than on `instanceof`, so two installed copies of Overlap agree.
 *
 * @example
 * ```ts
 * class QueueFullError extends OverlapError {
 *   readonly code = 'OVERLAP_QUEUE_FULL' as const;
 * }
 * const isQueueFullError = codeGuard<QueueFullError>('OVERLAP_QUEUE_FULL');
 * ```
 */
export abstract class OverlapError extends Error {
  /** Stable, machine-readable identifier of the failure, such as `OVERLAP_TOOL_TIMEOUT`. */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Builds a type guard that recognises an error by its `code`, across copies of the library.
 *
 * @example
 * ```ts
 * export const isInvalidOptionError = codeGuard<InvalidOptionError>('OVERLAP_INVALID_OPTION');
 * ```
 */
export function codeGuard<T extends OverlapError>(code: T['code']): (error: unknown) => error is T {
  return (error: unknown): error is T =>
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
