/**
 * A dashboard option was missing or had the wrong type or range. Thrown at construction, never later.
 *
 * @example
 * ```ts
 * try {
 *   createDashboardServer({ port: -1 });
 * } catch (error) {
 *   if (isInvalidOptionError(error)) console.error(error.option, error.message);
 * }
 * ```
 */
export class InvalidOptionError extends Error {
  /** Stable, machine-readable identifier of this failure. */
  readonly code = 'OVERLAP_INVALID_OPTION' as const;

  constructor(
    /** Name of the option, such as `port` or `TraceStore.maxSpans`. */
    readonly option: string,
    /** What was wrong, in words. */
    readonly problem: string,
  ) {
    super(`${option}: ${problem}`);
    this.name = 'InvalidOptionError';
  }
}

/** Whether `error` is an {@link InvalidOptionError} (checked by `code`, so two installed copies agree). */
export function isInvalidOptionError(error: unknown): error is InvalidOptionError {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'OVERLAP_INVALID_OPTION';
}
