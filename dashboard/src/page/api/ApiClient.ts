import type {
  AgentsResponse,
  CompareResponse,
  ExportFormat,
  ForwardResponse,
  InfoResponse,
  RunAgentRequest,
  RunAgentResponse,
  StatsResponse,
  TraceListResponse,
} from '@overlap/shared';
import { ApiError } from './ApiError.js';
import type { PageConfig } from './pageConfig.js';
import { filterQuery } from '../route/pageRoute.js';
import type { TraceListFilter } from '../route/pageRoute.js';

/**
 * The page's REST calls, typed by the REST bodies of `@overlap/shared` (the ones the server sends). Sends the page's token as `Authorization: Bearer`, and turns every failure
 * into an {@link ApiError}.
 *
 * @example
 * ```ts
 * const api = new ApiClient(readPageConfig(new URL(location.href)));
 * const { traces } = await api.listTraces(100);
 * await api.runAgent({ agent: 'burst', params: { limit: 4 } });
 * ```
 */
export class ApiClient {
  constructor(private readonly config: PageConfig) {}

  /** The newest traces matching `filter`, newest first. */
  listTraces(limit: number, filter: TraceListFilter = {}, signal?: AbortSignal): Promise<TraceListResponse> {
    const query = filterQuery(filter);
    query.set('limit', String(limit));
    return this.request<TraceListResponse>('GET', `api/traces?${query.toString()}`, undefined, signal);
  }

  /** Two stored runs side by side, A the baseline (`GET /api/compare`). */
  compare(a: string, b: string, signal?: AbortSignal): Promise<CompareResponse> {
    return this.request<CompareResponse>('GET', `api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`, undefined, signal);
  }

  /** Per-tool figures over every stored trace matching `filter` (a time range, an agent...). */
  stats(filter: TraceListFilter = {}, signal?: AbortSignal): Promise<StatsResponse> {
    const query = filterQuery(filter).toString();
    return this.request<StatsResponse>('GET', `api/stats${query === '' ? '' : `?${query}`}`, undefined, signal);
  }

  /** What the page needs to know about the server: its forward targets. */
  info(signal?: AbortSignal): Promise<InfoResponse> {
    return this.request<InfoResponse>('GET', 'api/info', undefined, signal);
  }

  /** The agents connected runners offer. */
  agents(signal?: AbortSignal): Promise<AgentsResponse> {
    return this.request<AgentsResponse>('GET', 'api/agents', undefined, signal);
  }

  /** Asks a runner to run an agent; resolves once the runner has accepted (its traces arrive later, live). */
  runAgent(run: RunAgentRequest, signal?: AbortSignal): Promise<RunAgentResponse> {
    return this.request<RunAgentResponse>('POST', 'api/agents/run', run, signal);
  }

  /** Sends one stored trace to the server's forward targets. */
  forwardTrace(traceId: string, signal?: AbortSignal): Promise<ForwardResponse> {
    return this.request<ForwardResponse>('POST', `api/traces/${encodeURIComponent(traceId)}/forward`, undefined, signal);
  }

  /** A download link for one trace's export (the token goes in the query: links cannot set headers). */
  exportUrl(traceId: string, format: ExportFormat): string {
    const url = new URL(`api/traces/${encodeURIComponent(traceId)}/export`, this.config.baseUrl);
    url.searchParams.set('format', format);
    if (this.config.token !== undefined) url.searchParams.set('token', this.config.token);
    return url.href;
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal | undefined): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.config.token !== undefined) headers.authorization = `Bearer ${this.config.token}`;
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (signal !== undefined) init.signal = signal;
    const name = `${method} /${path.split('?')[0] ?? path}`;
    let response: Response;
    try {
      response = await fetch(new URL(path, this.config.baseUrl), init);
    } catch (error) {
      const reason = `the server did not answer (${error instanceof Error ? error.message : String(error)})`;
      throw new ApiError('network', 0, `${name}: ${reason}`, { cause: error, reason });
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      const reason = `the server answered ${response.status} with a body that is not JSON`;
      throw new ApiError('bad_response', response.status, `${name}: ${reason}`, { cause: error, reason });
    }
    if (!response.ok) {
      const problem = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const code = typeof problem?.code === 'string' ? problem.code : 'http_error';
      const reason = typeof problem?.message === 'string' ? problem.message : `HTTP ${response.status}`;
      throw new ApiError(code, response.status, `${name}: ${reason}`, { reason });
    }
    return parsed as T;
  }
}
