import { OverlapError, codeGuard } from './OverlapError.js';

/** Options of {@link UpstreamError}. */
export interface UpstreamErrorOptions {
  /** HTTP status of the upstream's answer, if any. */
  status?: number;
  /**
   * Whether another attempt may succeed.
   * @defaultValue true for status 408, 425, 429 and 5xx (and when there is no status), else false
   */
  retryable?: boolean;
  /**
   * The upstream's `Retry-After` hint: seconds (`"2"`, `2`) or an HTTP date. Parsed with {@link parseRetryAfter}.
   */
  retryAfter?: string | number | null;
  cause?: unknown;
}

/**
 * An upstream (HTTP API, model provider, database) failed. Tools throw it to tell the runner whether the
 * failure is worth retrying and how long the upstream asked to wait.
 *
 * @example
 * ```ts
 * const res = await fetch(url, { signal: ctx.signal });
 * if (!res.ok) throw new UpstreamError(`orders API answered ${res.status}`, {
 *   status: res.status,
 *   retryAfter: res.headers.get('retry-after'),
 * });
 * ```
 */
export class UpstreamError extends OverlapError {
  readonly code = 'OVERLAP_UPSTREAM' as const;
  readonly status: number | undefined;
  readonly retryable: boolean;
  /** Milliseconds the upstream asked to wait, or undefined without a (valid) hint. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: UpstreamErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.retryable = options.retryable ?? isRetryableStatus(options.status);
    this.retryAfterMs = options.retryAfter == null ? undefined : parseRetryAfter(options.retryAfter);
  }
}

/** Whether `error` is an {@link UpstreamError}. */
export const isUpstreamError = codeGuard<UpstreamError>('OVERLAP_UPSTREAM');

/** Whether an HTTP status is worth retrying: 408, 425, 429 and 5xx; true when there is no status. */
export function isRetryableStatus(status: number | undefined): boolean {
  if (status === undefined) return true;
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * Parses a `Retry-After` value into milliseconds from `nowMs`: a number of seconds (`"1.5"`, `3`) or an
 * HTTP date. Returns undefined when the value is neither; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | number, nowMs: number = Date.now()): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const dateMs = Date.parse(text);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - nowMs);
}
