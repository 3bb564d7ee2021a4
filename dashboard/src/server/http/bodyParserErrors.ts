/** A request body that express's body parsers refused, as the dashboard answers it. */
export interface BodyParserFailure {
  /** 413 too large (as received or inflated), 415 unsupported encoding or charset, 400 unreadable. */
  readonly status: 400 | 413 | 415;
  /** Stable code: `payload_too_large`, `unsupported_encoding`, `unsupported_charset`, `invalid_body`, `malformed_body`. */
  readonly code: string;
  readonly message: string;
}

/**
 * Reads an error of express's body parsers (`express.json`, `express.raw`, `express.text`: they
 * inflate gzip, deflate and brotli, count the decoded bytes against their `limit`, and fail with a
 * `status` and a `type`), for the error handlers to answer: `{ error }` JSON on the REST API, a
 * `google.rpc.Status` on OTLP ingest.
 *
 * @returns `undefined` for any other error.
 *
 * @example
 * ```ts
 * const failure = bodyParserFailure(error);
 * if (failure) sendJsonError(res, failure.status, failure.code, failure.message);
 * ```
 */
export function bodyParserFailure(error: unknown): BodyParserFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, status, limit, message } = error as { type?: unknown; status?: unknown; limit?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(message);
  switch (type) {
    case 'entity.too.large':
      return { status: 413, code: 'payload_too_large', message: `the request body is larger than the limit of ${String(limit)} bytes (counted after decompression)` };
    case 'encoding.unsupported':
      return { status: 415, code: 'unsupported_encoding', message: `${text}: use gzip, deflate, br or identity` };
    case 'charset.unsupported':
      return { status: 415, code: 'unsupported_charset', message: text };
    case 'entity.parse.failed':
      return { status: 400, code: 'invalid_body', message: `the body is not valid JSON: ${text}` };
    case 'request.aborted':
      return { status: 400, code: 'malformed_body', message: 'the client aborted the upload' };
    default:
      // A corrupt or truncated compressed body fails in zlib, passed on as a 400 without a type.
      if (status === 400 && type === undefined) return { status: 400, code: 'malformed_body', message: `could not read the request body: ${text}` };
      if (status === 400 && typeof type === 'string') return { status: 400, code: 'malformed_body', message: text };
      return undefined;
  }
}
