/**
 * A REST call that did not succeed: the server's error `code` (`not_found`, `unauthorized`...) or
 * `network` when no answer came, the HTTP status (0 without an answer) and the server's message.
 *
 * `message` names the request (`POST /api/agents/run: ...`); {@link ApiError.reason} is the server's
 * message alone, what a form shows next to itself.
 *
 * @example
 * ```ts
 * try { await api.listTraces(); } catch (error) { if (isApiError(error) && error.status === 401) askForToken(); }
 * ```
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** The server's message (`limit: expected a number from 1 to 30, received 500`), or why no answer came. */
  readonly reason: string;

  constructor(
    /** The server's error code, or `network`/`bad_response`. */
    readonly code: string,
    /** HTTP status; 0 when the request got no answer. */
    readonly status: number,
    message: string,
    options?: { cause?: unknown; reason?: string },
  ) {
    super(message, options);
    this.reason = options?.reason ?? message;
  }
}

/** Whether `error` is an {@link ApiError}. */
export function isApiError(error: unknown): error is ApiError {
  return error instanceof Error && error.name === 'ApiError' && typeof (error as { status?: unknown }).status === 'number';
}
