import { OverlapError, codeGuard } from '../errors/OverlapError.js';

/**
 * A trace file (Jaeger JSON, JSON lines) that cannot be read: its structure is wrong or its spans are
 * not valid. `problems` lists every problem found, each with where it is, such as
 * `data[0].spans[3].startTime: expected a non-negative integer (microseconds), got "soon"`.
 *
 * @example
 * ```ts
 * try {
 *   jaegerToSpans(JSON.parse(text));
 * } catch (error) {
 *   if (isTraceFileError(error)) for (const problem of error.problems) console.warn(problem);
 * }
 * ```
 */
export class TraceFileError extends OverlapError {
  /** Stable, machine-readable identifier of this failure. */
  readonly code = 'OVERLAP_TRACE_FILE' as const;

  constructor(
    /** Which format was being read, such as `Jaeger JSON`. */
    readonly format: string,
    /** Every problem found (at most {@link MAX_REPORTED_PROBLEMS}, then a line saying how many more). */
    readonly problems: readonly string[],
  ) {
    const shown = problems.slice(0, 3).join('; ');
    super(`invalid ${format} file: ${shown}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}`);
  }
}

/** Most problems a {@link TraceFileError} lists; past that, the last line says how many were left out. */
export const MAX_REPORTED_PROBLEMS = 50;

/** Whether `error` is a {@link TraceFileError} (checked by `code`, so two copies of the library agree). */
export const isTraceFileError = codeGuard<TraceFileError>('OVERLAP_TRACE_FILE');

/** Collects problems, keeping the first {@link MAX_REPORTED_PROBLEMS} and counting the rest. */
export class ProblemList {
  readonly #items: string[] = [];
  #more = 0;

  add(problem: string): void {
    if (this.#items.length < MAX_REPORTED_PROBLEMS) this.#items.push(problem);
    else this.#more += 1;
  }

  get count(): number {
    return this.#items.length + this.#more;
  }

  toArray(): string[] {
    return this.#more > 0 ? [...this.#items, `... and ${this.#more} more problems`] : [...this.#items];
  }
}
