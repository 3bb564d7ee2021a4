import { InvalidOptionError } from './errors/InvalidOptionError.js';
import { isToolTimeoutError } from './errors/ToolTimeoutError.js';
import { validateOption } from './validateOption.js';

/** How a tool retries a failed attempt. */
export interface RetryOptions {
  /**
   * Attempts in all, the first included; 1 means no retry.
   * @defaultValue 3
   */
  attempts?: number;
  /**
   * Delay before the first retry, before jitter.
   * @defaultValue 100
   */
  baseDelayMs?: number;
  /**
   * Each retry's delay is the previous one times this.
   * @defaultValue 2
   */
  factor?: number;
  /**
   * Largest delay between attempts, before jitter and before a Retry-After hint.
   * @defaultValue 10000
   */
  maxDelayMs?: number;
  /**
   * `full`: a random delay in [0, d]; `equal`: in [d/2, d]; `none`: exactly d.
   * @defaultValue 'full'
   */
  jitter?: 'full' | 'equal' | 'none';
  /**
   * Which errors are worth another attempt. Cancellations and the run's deadline are never retried.
   * @defaultValue {@link isRetryableByDefault}: timeouts, and errors with `retryable: true` (such as an
   * `UpstreamError` for HTTP 408, 425, 429 or 5xx)
   */
  retryable?: (error: unknown, attempt: number) => boolean;
  /**
   * Largest Retry-After hint honoured; a longer hint is cut to this.
   * @defaultValue 60000
   */
  maxRetryAfterMs?: number;
}

/** {@link RetryOptions} with every default filled in. */
export type RetryPolicy = Required<RetryOptions>;

/** Timeouts and errors that say `retryable: true` are worth another attempt. */
export function isRetryableByDefault(error: unknown): boolean {
  if (isToolTimeoutError(error)) return true;
  return typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true;
}

/** The policy of a tool without `retry`: one attempt. */
export const noRetry: RetryPolicy = Object.freeze({
  attempts: 1,
  baseDelayMs: 0,
  factor: 1,
  maxDelayMs: 0,
  jitter: 'none',
  retryable: () => false,
  maxRetryAfterMs: 0,
});

/** Merges retry options with their defaults and checks them. */
export function retryPolicy(options: RetryOptions | undefined, option: string): RetryPolicy {
  if (options === undefined) return noRetry;
  validateOption.object(option, options);
  const jitter = options.jitter ?? 'full';
  if (jitter !== 'full' && jitter !== 'equal' && jitter !== 'none') {
    throw new InvalidOptionError(`${option}.jitter`, "'full', 'equal' or 'none'", jitter);
  }
  return Object.freeze({
    attempts: validateOption.integer(`${option}.attempts`, options.attempts ?? 3, 1),
    baseDelayMs: validateOption.finite(`${option}.baseDelayMs`, options.baseDelayMs ?? 100, 0),
    factor: validateOption.finite(`${option}.factor`, options.factor ?? 2, 1),
    maxDelayMs: validateOption.finite(`${option}.maxDelayMs`, options.maxDelayMs ?? 10_000, 0),
    jitter,
    retryable:
      options.retryable === undefined
        ? isRetryableByDefault
        : validateOption.func<RetryPolicy['retryable']>(`${option}.retryable`, options.retryable),
    maxRetryAfterMs: validateOption.finite(`${option}.maxRetryAfterMs`, options.maxRetryAfterMs ?? 60_000, 0),
  });
}

/**
 * Delay before attempt `nextAttempt` (2 for the first retry): exponential back-off capped at
 * `maxDelayMs`, jittered, and never shorter than the upstream's Retry-After hint (itself capped at
 * `maxRetryAfterMs`).
 *
 * @param random - a number in [0, 1), such as `Math.random()`
 */
export function backoffDelayMs(policy: RetryPolicy, nextAttempt: number, random: number, retryAfterMs?: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** (nextAttempt - 2));
  let delay: number;
  if (policy.jitter === 'full') delay = random * exponential;
  else if (policy.jitter === 'equal') delay = exponential / 2 + (random * exponential) / 2;
  else delay = exponential;
  if (retryAfterMs !== undefined) delay = Math.max(delay, Math.min(retryAfterMs, policy.maxRetryAfterMs));
  return delay;
}
