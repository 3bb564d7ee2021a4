import { UpstreamError } from '@overlap/runner';

/** Options of {@link requestJson}. */
export interface RequestJsonOptions {
  /** The call's signal (`ctx.signal`): aborting it aborts the request and closes its socket. */
  signal: AbortSignal;
  /**
   * HTTP method.
   * @defaultValue 'GET', or 'POST' when there is a body
   */
  method?: 'GET' | 'POST';
  /** JSON body of a POST. */
  body?: unknown;
}

/**
 * Calls an upstream API and returns its JSON answer, turning every failure into what the runner
 * understands:
 *
 * - an HTTP error is an `UpstreamError` with its `status` and `Retry-After` hint, so the runner retries
 *   408, 425, 429 and 5xx (after at least the hinted delay) and gives up at once on other 4xx;
 * - an unreachable server is a retryable `UpstreamError` without status;
 * - an answer that is not JSON is a non-retryable `UpstreamError`;
 * - an aborted call (timeout, cancellation, deadline) rejects with the signal's reason, untouched.
 *
 * @param upstreamUrl - base URL, such as `http://127.0.0.1:43817`
 * @param path - path and query, such as `/weather?city=Oslo`
 *
 * @example
 * ```ts
 * run: ({ city }, { signal }) => requestJson<Weather>(upstreamUrl, `/weather?city=${encodeURIComponent(city)}`, { signal }),
 * ```
 */
export async function requestJson<T>(upstreamUrl: string, path: string, options: RequestJsonOptions): Promise<T> {
  const { signal, body } = options;
  const method = options.method ?? (body === undefined ? 'GET' : 'POST');
  const url = `${upstreamUrl.replace(/\/+$/, '')}${path}`;
  const what = `${method} ${path.split('?')[0]}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      signal,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new UpstreamError(`${what}: could not reach ${upstreamUrl} (${(error as Error).message})`, { cause: error });
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new UpstreamError(`${what}: the answer broke off (${(error as Error).message})`, { status: response.status, cause: error });
  }
  if (!response.ok) {
    throw new UpstreamError(`${what} answered ${response.status} ${response.statusText}`, {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
    });
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new UpstreamError(`${what} answered ${response.status} with a body that is not JSON`, {
      status: response.status,
      retryable: false,
      cause: error,
    });
  }
}
