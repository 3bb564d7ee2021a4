import { InvalidOptionError } from './errors/InvalidOptionError.js';

/**
 * The checks every Overlap package uses when it merges options with their defaults. Each returns the
 * value when it is good and throws {@link InvalidOptionError} naming the option, what was expected and
 * what was received when it is not, so a mistake fails at construction with the same message shape in
 * the runner, the dashboard and the examples.
 *
 * @example
 * ```ts
 * const permits = validateOption.integer('Semaphore.permits', options.permits, 1);
 * const port = validateOption.integer('port', options.port ?? 16700, 0, 65_535);
 * ```
 */
export const validateOption = {
  nonEmptyString(option: string, value: unknown): string {
    if (typeof value !== 'string' || value.length === 0) throw new InvalidOptionError(option, 'a non-empty string', value);
    return value;
  },
  /** An integer >= `min`, and <= `max` when given. */
  integer(option: string, value: unknown, min: number, max = Number.POSITIVE_INFINITY): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new InvalidOptionError(option, max === Number.POSITIVE_INFINITY ? `an integer >= ${min}` : `an integer from ${min} to ${max}`, value);
    }
    return value;
  },
  /** An integer >= `min`, or Infinity. */
  integerOrInfinity(option: string, value: unknown, min: number): number {
    if (value === Number.POSITIVE_INFINITY) return value;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new InvalidOptionError(option, `an integer >= ${min}, or Infinity`, value);
    }
    return value;
  },
  /** A finite number >= `min` (milliseconds and the like), and <= `max` when given. */
  finite(option: string, value: unknown, min: number, max = Number.POSITIVE_INFINITY): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new InvalidOptionError(option, max === Number.POSITIVE_INFINITY ? `a finite number >= ${min}` : `a number from ${min} to ${max}`, value);
    }
    return value;
  },
  /** A finite number > 0, and <= `max` when given (a size, a share). */
  positive(option: string, value: unknown, max = Number.POSITIVE_INFINITY): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
      throw new InvalidOptionError(option, max === Number.POSITIVE_INFINITY ? 'a number > 0' : `a number > 0 and <= ${max}`, value);
    }
    return value;
  },
  /** A number > 0, possibly Infinity (a duration that may be unbounded). */
  durationOrInfinity(option: string, value: unknown): number {
    if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
      throw new InvalidOptionError(option, 'a number of milliseconds > 0, or Infinity', value);
    }
    return value;
  },
  func<T>(option: string, value: unknown): T {
    if (typeof value !== 'function') throw new InvalidOptionError(option, 'a function', value);
    return value as T;
  },
  object(option: string, value: unknown): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InvalidOptionError(option, 'an object', value);
    }
    return value as Record<string, unknown>;
  },
  /** One of `values`. */
  oneOf<T extends string>(option: string, value: unknown, values: readonly T[]): T {
    if (!values.includes(value as T)) throw new InvalidOptionError(option, `one of ${values.map((v) => `'${v}'`).join(', ')}`, value);
    return value as T;
  },
  /** An absolute `http:` or `https:` URL, such as `http://localhost:4318/v1/traces`. */
  httpUrl(option: string, value: unknown): string {
    let protocol: string | undefined;
    try {
      protocol = typeof value === 'string' ? new URL(value).protocol : undefined;
    } catch {
      protocol = undefined;
    }
    if (protocol !== 'http:' && protocol !== 'https:') throw new InvalidOptionError(option, 'an http:// or https:// URL', value);
    return value as string;
  },
  /** An options object with no keys but `known` (a misspelt option fails instead of being ignored). */
  knownKeys(option: string, value: Record<string, unknown>, known: readonly string[]): Record<string, unknown> {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) throw new InvalidOptionError(option, `only the options ${known.join(', ')}`, key);
    }
    return value;
  },
};
