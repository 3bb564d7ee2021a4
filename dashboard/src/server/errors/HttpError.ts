/**
 * A failure the server answers with an HTTP status: thrown by request handling, turned into a response by
 * the error handlers (`{ error: { code, message } }` on the REST API, a `google.rpc.Status` on OTLP ingest).
 *
 * @example
 * ```ts
 * throw new HttpError(404, 'trace_not_found', `no trace ${traceId}`);
 * ```
 */
export class HttpError extends Error {
  constructor(
    /** HTTP status code, such as 400. */
    readonly status: number,
    /** Stable, machine-readable code, such as `invalid_parameter` or `payload_too_large`. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpError';
  }
}

/** Whether `error` is an {@link HttpError}. */
export function isHttpError(error: unknown): error is HttpError {
  return error instanceof HttpError;
}
