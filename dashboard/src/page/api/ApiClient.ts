import type { ToolStats, TraceSummary } from '@overlap/shared';
import { ApiError } from './ApiError.js';
import type { PageConfig } from './pageConfig.js';

/** Body of `GET /api/traces` (see the dashboard README). */
export interface TraceListBody {
  traces: TraceSummary[];
  nextCursor: string | null;
}

/** Body of `GET /api/stats`. */
export interface StatsBody {
  tools: ToolStats[];
  traceCount: number;
  store: { traces: number; spans: number; inFlightSpans: number; maxTraces: number; maxSpans: number };
}

/**
 * The page's REST calls. Sends the page's token as `Authorization: Bearer`, and turns every failure
 * into an {@link ApiError}.
 *
 * @example
 * ```ts
 * const api = new ApiClient(readPageConfig(new URL(location.href)));
 * const { traces } = await api.listTraces(100);
 * ```
 */
export class ApiClient {
  constructor(private readonly config: PageConfig) {}

  /** The newest traces, newest first. */
  listTraces(limit: number, signal?: AbortSignal): Promise<TraceListBody> {
    return this.getJson<TraceListBody>(`api/traces?limit=${encodeURIComponent(String(limit))}`, signal);
  }

  /** Per-tool figures over every stored trace. */
  stats(signal?: AbortSignal): Promise<StatsBody> {
    return this.getJson<StatsBody>('api/stats', signal);
  }

  /** A download link for one trace's export (the token goes in the query: links cannot set headers). */
  exportUrl(traceId: string, format: 'otlp' | 'jsonl' | 'jaeger'): string {
    const url = new URL(`api/traces/${encodeURIComponent(traceId)}/export`, this.config.baseUrl);
    url.searchParams.set('format', format);
    if (this.config.token !== undefined) url.searchParams.set('token', this.config.token);
    return url.href;
  }

  private async getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.config.token !== undefined) headers.authorization = `Bearer ${this.config.token}`;
    let response: Response;
    try {
      response = await fetch(new URL(path, this.config.baseUrl), signal === undefined ? { headers } : { headers, signal });
    } catch (error) {
      throw new ApiError('network', 0, `GET /${path} got no answer: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      throw new ApiError('bad_response', response.status, `GET /${path} answered ${response.status} with a body that is not JSON`, { cause: error });
    }
    if (!response.ok) {
      const problem = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const code = typeof problem?.code === 'string' ? problem.code : 'http_error';
      const message = typeof problem?.message === 'string' ? problem.message : `HTTP ${response.status}`;
      throw new ApiError(code, response.status, `GET /${path}: ${message}`);
    }
    return body as T;
  }
}
