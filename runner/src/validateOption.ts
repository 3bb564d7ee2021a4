import { InvalidOptionError } from './errors/InvalidOptionError.js';

/** Checks used when options are merged with their defaults; each throws {@link InvalidOptionError}. */
export const validateOption = {
  nonEmptyString(option: string, value: unknown): string {
    if (typeof value !== 'string' || value.length === 0) throw new InvalidOptionError(option, 'a non-empty string', value);
    return value;
  },
  /** An integer >= `min`. */
  integer(option: string, value: unknown, min: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      throw new InvalidOptionError(option, `an integer >= ${min}`, value);
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
  /** A finite number >= `min` (milliseconds and the like). */
  finite(option: string, value: unknown, min: number): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
      throw new InvalidOptionError(option, `a finite number >= ${min}`, value);
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
};
