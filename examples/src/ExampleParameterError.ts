import { OverlapError, codeGuard, describeValue } from '@overlap/shared';

/**
 * A parameter given to an example is unknown, not an integer, or out of its range. Thrown before any
 * agent runs.
 *
 * @example
 * ```ts
 * try {
 *   await findExample('burst')!.run(env, { limit: 0 });
 * } catch (error) {
 *   if (isExampleParameterError(error)) console.error(error.message);
 *   // example "burst": limit: expected an integer from 1 to 50, received 0
 * }
 * ```
 */
export class ExampleParameterError extends OverlapError {
  readonly code = 'OVERLAP_EXAMPLE_PARAMETER' as const;

  constructor(
    /** The example's name. */
    readonly example: string,
    /** The parameter, as given. */
    readonly parameter: string,
    /** What was expected, in words. */
    readonly expected: string,
    /** What was received. */
    readonly received: unknown,
  ) {
    super(`example "${example}": ${parameter}: expected ${expected}, received ${describeValue(received)}`);
  }
}

/** Whether `error` is an {@link ExampleParameterError} (by its `code`, so two installed copies agree). */
export const isExampleParameterError = codeGuard<ExampleParameterError>('OVERLAP_EXAMPLE_PARAMETER');
