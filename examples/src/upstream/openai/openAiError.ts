/** The body of an OpenAI API error, as the official clients parse it (`APIError.error`). */
export interface OpenAiErrorBody {
  readonly error: {
    readonly message: string;
    /** Such as `invalid_request_error`, `server_error`, or `tokens` / `requests` for a rate limit. */
    readonly type: string;
    /** The request parameter at fault, such as `messages[1].role`, or null. */
    readonly param: string | null;
    /** Such as `model_not_found`, `invalid_value`, `rate_limit_exceeded`, or null. */
    readonly code: string | null;
  };
}

/** An error answer of the OpenAI-compatible API: its HTTP status and body. */
export interface OpenAiErrorAnswer {
  readonly status: number;
  readonly body: OpenAiErrorBody;
}

/**
 * An error answer in OpenAI's shape: `{ error: { message, type, param, code } }`.
 *
 * @example
 * ```ts
 * openAiError(400, "Invalid value: 'robot'. Supported values are: ...", { param: 'messages[0].role', code: 'invalid_value' });
 * // { status: 400, body: { error: { message: "Invalid value: ...", type: 'invalid_request_error', param: 'messages[0].role', code: 'invalid_value' } } }
 * ```
 */
export function openAiError(
  status: number,
  message: string,
  details: { type?: string; param?: string | null; code?: string | null } = {},
): OpenAiErrorAnswer {
  return {
    status,
    body: { error: { message, type: details.type ?? 'invalid_request_error', param: details.param ?? null, code: details.code ?? null } },
  };
}
