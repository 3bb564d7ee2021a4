import { UpstreamError } from '@overlap/runner';
import { APIConnectionError, APIError, APIUserAbortError } from 'openai';

/**
 * Turns what the official `openai` client throws into what the runner understands, so the runner's
 * retry policy (not the client's, which the examples turn off with `maxRetries: 0`) decides:
 *
 * - an HTTP error (`RateLimitError`, `InternalServerError`, `BadRequestError`...) is an `UpstreamError`
 *   with its status (retryable for 408, 425, 429 and 5xx) and the server's wait, from `retry-after-ms`
 *   (milliseconds) or else `retry-after`;
 * - a connection failure or the client's own timeout is a retryable `UpstreamError` without status;
 * - an aborted request (the call's timeout, a cancellation, the run's deadline) is the signal's reason, untouched.
 *
 * @example
 * ```ts
 * try {
 *   return await client.chat.completions.create(params, { signal, maxRetries: 0 });
 * } catch (error) {
 *   throw upstreamErrorFromOpenAi(error, signal);
 * }
 * ```
 */
export function upstreamErrorFromOpenAi(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  if (error instanceof APIUserAbortError) return error;
  if (error instanceof APIConnectionError) {
    return new UpstreamError(`the model API could not be reached: ${error.message}`, { cause: error });
  }
  if (error instanceof APIError && error.status !== undefined) {
    const retryAfterMs = Number(error.headers?.get('retry-after-ms') ?? Number.NaN);
    return new UpstreamError(`the model API answered ${error.status}: ${error.message}`, {
      status: error.status,
      retryAfter: Number.isFinite(retryAfterMs) && retryAfterMs >= 0 ? retryAfterMs / 1000 : (error.headers?.get('retry-after') ?? null),
      cause: error,
    });
  }
  return error;
}
