import { DEFAULT_DASHBOARD_URL } from '@overlap/shared';

/** The dashboard answered with an error, or could not be reached. */
export class DashboardRequestError extends Error {
  override readonly name = 'DashboardRequestError';
  readonly code = 'OVERLAP_DASHBOARD_REQUEST';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Default dashboard address: the `OVERLAP_DASHBOARD_URL` variable, else the dashboard's default port. */
export function defaultDashboardUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.OVERLAP_DASHBOARD_URL || DEFAULT_DASHBOARD_URL;
}

/** A small client of the dashboard's REST API, with errors a person can act on. */
export class DashboardClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    readonly token?: string,
  ) {
    this.baseUrl = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  }

  /** Whether a dashboard answers at this address within `timeoutMs`. */
  async reachable(timeoutMs = 500): Promise<boolean> {
    try {
      const response = await fetch(new URL('healthz', this.baseUrl), { headers: this.#headers(), signal: AbortSignal.timeout(timeoutMs) });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  }

  /** Sends a request and returns the response body as text; throws {@link DashboardRequestError} for a failure. */
  async request(path: string, init: { method?: string; body?: string | Buffer; contentType?: string } = {}): Promise<{ text: string; headers: Headers }> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method: init.method ?? 'GET',
        headers: { ...this.#headers(), ...(init.contentType ? { 'content-type': init.contentType } : {}) },
        ...(init.body !== undefined ? { body: init.body } : {}),
      });
    } catch (error) {
      const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : (error as Error).message;
      throw new DashboardRequestError(`no dashboard answers at ${this.baseUrl} (${reason}); start one with "npm run dashboard" in the Overlap repository (or "overlap demo"), or pass --dashboard URL`);
    }
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
      } catch {
        // Not JSON: keep the text.
      }
      throw new DashboardRequestError(`the dashboard answered ${response.status}: ${message}`, response.status);
    }
    return { text, headers: response.headers };
  }

  #headers(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }
}
